"""The typed report: the report builder, suppression and closing make a `Report`, and the
API's JSON, dumped from it, is byte for byte what reporting answered when the report was a
dict (keys, their order, ints and floats, nulls), exact and published; the JSON reads back
into the same report; the OpenAPI document describes it."""

import hashlib
import json
import random
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting import bootstrap
from services.reporting.domain.closing import closing, restatements
from services.reporting.domain.document import ClosingModel, Economy, Report, report_json
from services.reporting.domain.economy import economy, forbund_economy
from services.reporting.domain.figures import FIGURES, FOLLOWUP_METRICS, SHARES, Kind
from services.reporting.domain.goals import GOALS, goal_results
from services.reporting.domain.periods import Period, parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.domain.suppression import suppress, suppress_together
from services.reporting.domain.targets import target_results
from shared.contract.records import ParticipantRecord
from shared.platform.settings import Settings
from tests.reporting.strategies import cells_of, histories, periods
from tests.reporting.support import random_record, report_of

PROCESSED = ProcessedThrough(9, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
NOW = datetime(2026, 3, 1, tzinfo=UTC)
BUDGETS = {"a": 1_200_000, "b": 300_000}
COSTS = ({"a": 200_000, "b": 100_000}, {"a": 30_000})
"""This period's costs, then the same period's a year earlier."""
GOALS_OF_A = GOALS.validate_python(
    [
        {"figure": "new", "at_least": 20, "gender": "kvinna"},
        {"share": "positive_exits", "at_least_percent": 40},
        {"share": "reason:arbete", "at_least_percent": 10, "gender": "man"},
        {"share": "positive_exits", "higher_than_previous_year": True},
    ]
)
ADDED = ("economy", "goals", "base", "activities", "flows", "people", "followup")
"""The keys version 1.1 added to the report (`economy`, `activities`, `flows`, `people` and
`followup` to both periods)."""


def _economy(report: Report, costs: dict[str, int]) -> Economy:
    if report.insats is None:
        return forbund_economy(BUDGETS, costs, {"a"}, report)
    return economy(BUDGETS[report.insats], costs.get(report.insats, 0), report)


def _full(
    records: list[ParticipantRecord], earlier: list[ParticipantRecord], period: Period
) -> list[Report]:
    """The whole förbund's report and its insatser's, with targets, economy, goals (a's)
    and a restatement."""
    reports = []
    of_a = report_of(cells_of(records), period, "a", "Arbetsrehab", PROCESSED)
    for insats, name in ((None, None), ("a", "Arbetsrehab"), ("b", "Steget")):
        report = report_of(cells_of(records), period, insats, name, PROCESSED)
        targets = target_results({share: 50 for share in SHARES}, report)
        goals = goal_results(GOALS_OF_A, of_a) if insats != "b" else []
        if insats is None:
            targets = [
                target.model_copy(update={"insats": "a", "insats_name": "Arbetsrehab"})
                for target in targets
            ]
            goals = [goal.model_copy(update={"insats": "a"}) for goal in goals]
        report.economy = _economy(report, COSTS[0])
        report.previous_year.economy = _economy(report, COSTS[1])
        before = report_of(cells_of(earlier), period, insats, name, PROCESSED)
        # The economy as it closed, unchanged: a restatement of the figures alone.
        before.economy = report.economy
        changes = restatements(report, before)
        closed = closing(period.last_month, True, NOW, 5).as_json()
        reports.append(
            report.model_copy(
                update={
                    "targets": targets,
                    "goals": goals,
                    "closing": ClosingModel(
                        **closed, as_closed=False, restated=True, changes=changes
                    ),
                }
            )
        )
    return reports


GOLDEN = {
    "helar forbund exact": "88bbeda0273bbde46dccf43442b54f0fdf0b968749f9e95c359e5fbbf251c7cc",
    "helar a exact": "4338c95954efeb223f1ee606349db202b2e08bf6b89ee792212be4194f237cee",
    "helar b exact": "936821b4254e0e9d14354f778bb9939f066eac0ca62ef4af0bceaa811c48d0c9",
    "helar forbund published": "8abe854cc3b0bac0178b09805e55899aa648c5bb342236951a61c1430dcfe464",
    "helar a published": "b3a33ee58c6c6351bd6ef0a4fd34e6dfca8e01050d52e0c7906c516faf6f9d0a",
    "helar b published": "1aad1412fdf8fe863164d55198e0c7aa019de3432cbb60678bcc50daec2d01cb",
    "q2 forbund exact": "0f516ba377eea6a7f52f12d8efc95c7d404aa1eb74051686a3a48f123cbe78a4",
    "q2 a exact": "eef39e584b9248523c2234cb892d1238249a0d861e5873f105ca7c3cb3ec4962",
    "q2 b exact": "2144d159d240d3ef8cc5470b42d5aa40476133e10acaa9c212c86a00d43bb81f",
    "q2 forbund published": "a2e1ee9a92c96bf26a2913168c7b290bf04374f099e16c5674137d0ab4f9a994",
    "q2 a published": "16504af99eb608cae96b220b53e69364b2cf175f50a1470e99883448bebd6e48",
    "q2 b published": "5d6b0309e61d02cf93e97cb8f09854ca67b7b785173bc2a8e0e2db36487963b1",
    "2025-03 forbund exact": "fa4ae091c7582414992063809968624e614c6036618f3950d8c9cf84ca5e0b97",
    "2025-03 a exact": "7fce7a5ee8e7996a198b0279f0c3596755b4eb9dd4a3caaa2aad4500527cfef3",
    "2025-03 b exact": "ce28174dc84c5749d4e5fce161eeb898f774be742936e1aab9f98ec0732d434b",
    "2025-03 forbund published": "0cc2d74b763cec41309d574124ca6ca4aa40d58084f995086ca0422e163950e4",
    "2025-03 a published": "c58d527af64d569544687d2727ae3bd870b4478a63e09741f5b5559b66135911",
    "2025-03 b published": "a15c17035631b02e340375043f92bd2467717420c53bc543509fc0d82b800af7",
}
"""SHA-256 of the JSON (`json.dumps`) that reporting answered, when it built the report as a
dict, for 120 random participants (seed 7): exact and published together. Version 1.1's keys
(`ADDED`), and the restatements of their values, left out: the keys before them are byte for
byte as they were."""

GOLDEN_V1_1 = {
    "helar forbund exact": "2fe88737b3897f7c03a82a832560d19c5475c1d3328a2d1c51d13be44d02867c",
    "helar a exact": "ffda34481f94c8d0646248a4ccfca9b8502a7cade1646ab3b1833ae01e6f483d",
    "helar b exact": "1601cbf85f7fb6b568e450fe151996cca6b8ffa636f34bc981b67322d923bdb6",
    "helar forbund published": "cbd13a93e11f25d0b3e831b5fffac5cee5085ba0799135ce2d78f75d5952ad71",
    "helar a published": "8a0c325ee2a302d90f9f4b420cf28bdd51c5befa268cdcd9167839aae90b8184",
    "helar b published": "3786d855689aaa3ad066f37a3b06e6ea223930b8a0b4d86caa3af2c313ab57a6",
    "q2 forbund exact": "292bf603b0af879acfd41653f2dee320e3e31ac58fb54cfed84ae297d01d662c",
    "q2 a exact": "f3867029114f23ddb605fd517452157ecbd28e8b4278115cf00f9fa9bc9eac91",
    "q2 b exact": "496ff57486ce49abf3fdc4e336078833e9f105142c342ffc5899139de5e0fd88",
    "q2 forbund published": "c5e9bb5e7a21c22550d36f0e115385015a023e76273a818389cb20428d27ee46",
    "q2 a published": "acd9fb0d834eb0f37e8080fbcd872824d3d4a154b33d5e1b07d1144c5b58430e",
    "q2 b published": "1ef5bc1dea0b6e19de07bf0e3cc34f7d22f48484ddb4dcc48eee089084117d51",
    "2025-03 forbund exact": "be482bff6fd0c2a8993a049fc252a3db576b9129990bb810cb75b0b2387a8e79",
    "2025-03 a exact": "4fffc00d77746091cade4ac4d6c74d29ace48dce43843b58f5cb42b89bd71d01",
    "2025-03 b exact": "f3a5efe0d6026d0a5e84f228535f867c26c6f8b3423af20e4573b7719fa5080e",
    "2025-03 forbund published": "c1e21f70fa77e66030d4b7be0dfc20a779ec714be1a8d2cdc3f3ac9fb46b37fd",
    "2025-03 a published": "8abce8ef3ac8ef46fc494f3aa88234a158984b3f507a88742cc786d0f884b63c",
    "2025-03 b published": "b34dcfb5be558f6c1d3bafe4d80a89a974700fa95839d63660ce6d69f2347753",
}
"""The same reports' whole JSON, version 1.1's keys in it (published, a cost per person is
hidden with its count)."""


def _without_added(document: dict) -> dict:
    """The document without version 1.1's keys, nor the restatements of their values, nor
    the follow-ups' hidden counts among the cells suppressed."""
    kept = {
        key: _without_added(value)
        if key == "previous_year"
        else _closing_without_added(value)
        if key == "closing"
        else value
        for key, value in document.items()
        if key not in ADDED
    }
    if kept.get("suppression"):
        hidden = sum(
            value is None
            for section in (document, document["previous_year"])
            for rows in section["followup"].values()
            for name, row in rows.items()
            if FOLLOWUP_METRICS[name].kind is Kind.COUNT
            for value in row.values()
        )
        suppression = kept["suppression"]
        kept["suppression"] = suppression | {
            "suppressed_cells": suppression["suppressed_cells"] - hidden
        }
    return kept


def _closing_without_added(closing: dict) -> dict:
    if closing.get("changes") is None:
        return closing
    changes = [change for change in closing["changes"] if change["section"] not in ADDED]
    return closing | {"changes": changes}


def test_the_json_is_byte_for_byte_what_the_dict_report_answered() -> None:
    rng = random.Random(7)
    records = [random_record(n, rng) for n in range(120)]
    answered, whole = {}, {}
    for name in ("helar", "q2", "2025-03"):
        family = _full(records, records[:60], parse_period(2025, name, 8))
        for shown, version in ((family, "exact"), (suppress_together(family, 5), "published")):
            for insats, report in zip(("forbund", "a", "b"), shown, strict=True):
                document = report_json(report)
                key = f"{name} {insats} {version}"
                text = json.dumps(_without_added(document))
                answered[key] = hashlib.sha256(text.encode()).hexdigest()
                whole[key] = hashlib.sha256(json.dumps(document).encode()).hexdigest()
                # Where version 1.1's keys are: a section's last, the goals after the targets.
                keys = list(document)
                in_section = [
                    "step_movement",
                    "activities",
                    "flows",
                    "people",
                    "followup",
                    "economy",
                ]
                assert keys[keys.index("step_movement") : keys.index("previous_year")] == (
                    in_section
                )
                assert list(document["previous_year"])[-6:] == in_section
                assert keys[keys.index("targets") : keys.index("closing")] == ["targets", "goals"]
                assert keys[keys.index("insats_name") + 1] == "base"
                assert document["base"] == "ended"
    assert answered == GOLDEN
    assert whole == GOLDEN_V1_1


@settings(max_examples=40, deadline=None)
@given(histories(), periods(), st.integers(2, 5))
def test_the_json_reads_back_as_the_same_report(history, period, threshold) -> None:
    records = [versions[-1] for versions in history]
    for report in _full(records, records[: len(records) // 2], period):
        for shown in (report, suppress(report, threshold)):
            text = json.dumps(report_json(shown))
            assert json.dumps(report_json(Report.model_validate_json(text))) == text


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
