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
from services.reporting.domain.figures import FIGURES, SHARES
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
ADDED = ("economy", "goals", "base", "activities", "flows", "people")
"""The keys version 1.1 added to the report (`economy`, `activities`, `flows` and
`people` to both periods)."""


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
(`ADDED`) left out: the keys before them are byte for byte as they were."""

GOLDEN_V1_1 = {
    "helar forbund exact": "d2fda569f8e243d5dbb2f45c444d4e723b09feccc59ad1fe8b38d971fce461f4",
    "helar a exact": "50a1ea0f0e46dd5a713b328a2f7a5dee6126d5693fcf441b33178b625c92f42f",
    "helar b exact": "456a94380c5e28e712c4fdd72b7526b09b9acb5ac1fb2556fa8927c62e8f5bc7",
    "helar forbund published": "aab5c2a37dc7d8c2ffe12a62460708341b0ee2eacba3719897183c76917aad71",
    "helar a published": "4269a4243fa574367475216ede51bd330f356033e03b2a1157679c466d14be3e",
    "helar b published": "184cf0cf2e00529191a63d6791a05cf3be7d41dd97344c98f64d50183647566e",
    "q2 forbund exact": "e1d79d22350ae7a8d2a58ce8b88ff7fc3a13d65f564339044ac12cf4c9b96453",
    "q2 a exact": "dc8b921c7e8af7b102e2bf5967dfb2e2ae16d8b91b5546519814c9d90d031e11",
    "q2 b exact": "0d19c1c452cfd00831c58aa1f0f3573193aac03ff4237ff9d66e9ab78a05017f",
    "q2 forbund published": "75a59e6a5fa87135fd188099e47782d0dc207477bab649699cd8e08e81b673b1",
    "q2 a published": "ce87555126c20703bd8a835f19908b1c8c7e6c47f29ab82ae2c310421682fbb5",
    "q2 b published": "ce494b466ff7fcd724f993732c0b51b71a3312829e10bb1b8d5c6799ad727de0",
    "2025-03 forbund exact": "0ff4115279faf9faaa7461f8a51e4af1db30da9760acb096aae537ba818633f8",
    "2025-03 a exact": "2c376998be37542db7a139d159639316378ca58e2b0c84ca0616badfeb8246d2",
    "2025-03 b exact": "a95bdddd5adda1a486392d5e91721d72e0357a890548bbfea6f6772736f3f445",
    "2025-03 forbund published": "afbd39751dab5d43419576272a56f08c0fff9de60c0bfc4923baf04886146541",
    "2025-03 a published": "e4b06a418a598c42b064d10974ccd8138070a84390c937c834950866fd78203e",
    "2025-03 b published": "36deee082117426e058cd8c09b60c0b9d7ab9d8a481254484c6fee03930690bd",
}
"""The same reports' whole JSON, version 1.1's keys in it (published, a cost per person is
hidden with its count)."""


def _without_added(document: dict) -> dict:
    return {
        key: _without_added(value) if key == "previous_year" else value
        for key, value in document.items()
        if key not in ADDED
    }


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
                in_section = ["step_movement", "activities", "flows", "people", "economy"]
                assert keys[keys.index("step_movement") : keys.index("previous_year")] == (
                    in_section
                )
                assert list(document["previous_year"])[-5:] == in_section
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
