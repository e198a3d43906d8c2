"""Schemathesis against intake's and reporting's OpenAPI (the documents under docs/api/,
which the apps serve): valid and invalid requests alike get no 5xx, a response the
document describes, and, when refused, a JSON body that says what is wrong."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.conftest import SERVICE_AUTH
from tests.hostile.conftest import Fuzzed

EXAMPLES_PER_OPERATION = 100


def refusal_explains_itself(_ctx, response, _case) -> None:
    """A 4xx answers JSON whose `detail` is a reason, or a list naming each field and why."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (response.status_code, content_type)
    detail = response.json()["detail"]
    if isinstance(detail, str):
        assert detail.strip()
    else:
        assert detail and all(item["field"] and item["msg"] for item in detail), detail


CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    refusal_explains_itself,
]


def _fuzz(fuzzed: Fuzzed) -> None:
    """Each operation, with data that fits its schema and data that does not, half of the
    time with the seeded ids in its path and query."""
    # A hypothesis test per operation rather than schemathesis' pytest plugin, which fails on
    # pytest 9.2 (it renames test items through `Node._nodeid`, which is gone).
    for result in fuzzed.schema.get_all_operations():
        operation = result.ok()
        in_path = {
            name: fuzzed.known[name]
            for name in re.findall(r"{(\w+)}", operation.path)
            if name in fuzzed.known
        }
        in_query = {
            parameter.name: fuzzed.known[parameter.name]
            for parameter in operation.query
            if parameter.name in fuzzed.known
        }
        cases = st.one_of(
            operation.as_strategy(generation_mode=mode, **known)
            for mode in GenerationMode
            for known in ({}, {"path_parameters": in_path or None, "query": in_query or None})
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def answers_within_its_contract(case) -> None:
            response = case.call(headers=SERVICE_AUTH)
            case.validate_response(response, checks=CHECKS, headers=SERVICE_AUTH)

        answers_within_its_contract()


# PostgreSQL: stricter than SQLite about what text it stores (NUL).
on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@on_postgresql
def test_intake_answers_any_request_within_its_contract(fuzzed_intake: Fuzzed) -> None:
    _fuzz(fuzzed_intake)


@on_postgresql
def test_reporting_answers_any_request_within_its_contract(fuzzed_reporting: Fuzzed) -> None:
    _fuzz(fuzzed_reporting)
