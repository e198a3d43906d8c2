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
ADDED = ("economy", "goals")
"""The keys version 1.1 added to the report (`economy` to both periods)."""


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
    "helar forbund exact": "3abe66517eba9ece9737344127e61323333144da9d4f7f297d3be25aae2e3173",
    "helar a exact": "d1f6c8a8f82a3debdf3c965b0cbcbd89fd8c3475bb3b738aa26e71f59081e257",
    "helar b exact": "2c4cc52ac61d063702ac42b5d0fcd9a1cf7b16d81cde5b534f93af9c2a0b9753",
    "helar forbund published": "8b60770eb3f7e95b4137d487d87549fb9755ac376074d8e5fc62874252d91f3b",
    "helar a published": "4c02d16df926c1eba9deba9952a8fb173dffad0a549f523fabf600540b1239a0",
    "helar b published": "4b3582715e8bf93a38c8e703bfeb0d0318ea1d613fd5040364e97d83cf7ec77b",
    "q2 forbund exact": "6e09e3db8c30075048f099d6eea40f1a11c8ba71750d837a137de5746b68273c",
    "q2 a exact": "0fedb1cce6bd6577d7ff764a3206e25f52b24e7db186526366750fa429b8c34b",
    "q2 b exact": "b5245bd3c0090c863948361afdb39747a78d19a80c49fcb6b7191d55b7e85c10",
    "q2 forbund published": "654b51fa37bdabb6299514bbab5690ebb410ccb0d1a38afdf1a122104a3bbec8",
    "q2 a published": "29fd1c6dfed387999c43713431139a2086017cc75ef2170a62a9e43c63c1b83d",
    "q2 b published": "cd96565e341169c1f795b36321b5f7f255919bfcb0ef460972198c8632b67067",
    "2025-03 forbund exact": "e5f8e203c9cfe13bd6f571839dafbc1d6baad65c9166d0be7365f9e7aba1aa82",
    "2025-03 a exact": "63f7bcc0bd8816a43175b2f13425e12737b3c63f2ab0397966aed1ab1025a0f4",
    "2025-03 b exact": "d7af9aea7e71f65757d7f68d5181246e1e78bf719c4d6aa6f3ab73544add9187",
    "2025-03 forbund published": "d31c421ab58577c51308bd47938dc1da429a8d16a8aa1883952a7e0b866ccb97",
    "2025-03 a published": "be75669f0e1a02e3c76b99b7b3a4bf79a6ab4c8f4c92a680e45877e63a6afcde",
    "2025-03 b published": "58cca6330c2224a94899c103b391ad584af56cef93d6254552678757cd11a036",
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
                assert keys[keys.index("step_movement") : keys.index("previous_year")] == [
                    "step_movement",
                    "economy",
                ]
                assert list(document["previous_year"])[-2:] == ["step_movement", "economy"]
                assert keys[keys.index("targets") : keys.index("closing")] == ["targets", "goals"]
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
