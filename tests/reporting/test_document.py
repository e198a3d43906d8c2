"""The typed report: the API's JSON is the report document checked against `Report`, byte
for byte what the document is (keys, their order, ints and floats, nulls), exact and
published, and the OpenAPI document describes it."""

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting import bootstrap
from services.reporting.domain.closing import closing, restatements
from services.reporting.domain.document import report_json
from services.reporting.domain.figures import FIGURES, SHARES
from services.reporting.domain.months import Month
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.domain.suppression import suppress
from services.reporting.domain.targets import target_results
from shared.platform.settings import Settings
from tests.reporting.strategies import cells_of, histories, periods
from tests.reporting.support import report_of

PROCESSED = ProcessedThrough(9, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@settings(max_examples=40, deadline=None)
@given(histories(), periods(), st.booleans(), st.integers(2, 5))
def test_the_json_is_the_document_unchanged(history, period, forbund, threshold) -> None:
    cells = cells_of(records[-1] for records in history)
    insats, name = (None, None) if forbund else ("a", "Arbetsrehab")
    document = report_of(cells, period, insats, name, PROCESSED)
    targets = target_results({share: 50 for share in SHARES}, document["shares"])
    if forbund:
        targets = [{"insats": "a", "insats_name": "Arbetsrehab", **t} for t in targets]
    earlier = report_of({}, period, insats, name, PROCESSED)
    document |= {
        "targets": targets,
        "closing": {
            **closing(period.last_month, Month(2020, 1), NOW, 5).as_json(),
            "as_closed": False,
            "restated": True,
            "changes": restatements(document, earlier),
        },
        "processed_through": PROCESSED.as_json(),
    }
    for shown in (document, suppress(document, threshold)):
        assert json.dumps(report_json(shown)) == json.dumps(shown)


def test_the_openapi_document_describes_the_report(settings: Settings) -> None:
    schema = bootstrap.create_app(settings).openapi()
    answer = schema["paths"]["/api/v1/reports"]["get"]["responses"]["200"]["content"]
    assert answer["application/json"]["schema"] == {"$ref": "#/components/schemas/Report"}
    components = schema["components"]["schemas"]
    assert list(components["Figures"]["properties"]) == list(FIGURES)
    assert components["Figures"]["properties"]["respect_mean"] == {
        "$ref": "#/components/schemas/Means"
    }
    assert set(components["Report"]["required"]) >= {"figures", "closing", "previous_year"}
    assert "text/csv" in answer
