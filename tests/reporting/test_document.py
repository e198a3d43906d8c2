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
ADDED = ("economy", "goals", "base")
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
    "helar forbund exact": "2a87b3bbe680c958e1498e042872399e621e9ebddc4a46a1eaa6aeb3aefe6197",
    "helar a exact": "ace081aa56d6b56384a80086581bcce860b2c5f58e1a3ca99f48658140ed2aea",
    "helar b exact": "6780a07955b9a5d9bbf5ce93a80ddbc63d2569ae9db81610ec8aa9eb5335b12d",
    "helar forbund published": "0dd92c8960e4e9ee2f0154ac0fa046cf5644b3619a93d4db72e20dcb2490803a",
    "helar a published": "5e599ee6281745e328ee8a8596589d09b2a86da892cbf78d29d7b60392ac49be",
    "helar b published": "9630875c92b00f9b0bdee287b72d3267bfacd8465dcb248daa3d7c5d7393c2b9",
    "q2 forbund exact": "13d517aec8ba125e454acf785f2c278df5d103ffff320da1758057418c36f595",
    "q2 a exact": "f5b4324d0938ff4fdb43d54082fd3d559d793024ca9c1a95ea10cab9798a555d",
    "q2 b exact": "bbb20c4f55d5ab8846e63d312016a7409f02ff97d6b1e53319afc2e3a5cddc6d",
    "q2 forbund published": "ca6fc2d5e4caca27d5b29a1cd442fb3c62fe10aeeb2fad7f20d7085f212ccd61",
    "q2 a published": "307494c9e12dc5fa4cc4a44189f8f10d7d2edcab6bcef9abcbbbc78e49c1e0b3",
    "q2 b published": "a47c61e7e9e69e54e2ce2233baed0077c551a9bc3e4b434fff41f8d515dcad70",
    "2025-03 forbund exact": "cba8cd97a7e03c59b97066e0df6f3278aa20ebb2a51256bb5be1b706f7e8d3fd",
    "2025-03 a exact": "0c991afcdd7c93fe20a557b1c975045175f5a5db5ddb5236ea17a92e6c0031c3",
    "2025-03 b exact": "f89407686498e36b444359a861c4c705559fbf5d3fb29bedf542976a55396dbc",
    "2025-03 forbund published": "6b4d8cd40d366c1821e6cdb60031889fbc78710c1215b9f0cf700443cdef3bd7",
    "2025-03 a published": "3693bfd3015fe44a4c56bf8c630c38dfaabadfe282fecae1f5bf1c8b03512ef6",
    "2025-03 b published": "f3eface39b562ff02a7931749e3afa580fdb865a7f446f46f5c606cd41857d38",
}
"""SHA-256 of the JSON (`json.dumps`) that reporting answered, when it built the report as a
dict, for 120 random participants (seed 7): exact and published together. Version 1.1's keys
(`ADDED`) left out: the keys before them are byte for byte as they were."""

GOLDEN_V1_1 = {
    "helar forbund exact": "ca87cfd2f0f7c3a0b5d9df17210bbcc8ecd455635ac4475b695d55f702bba34f",
    "helar a exact": "c2e0400fbf20ff7ba611925f20b44db3371ba84bad2e3e593d7fa29628bc8f50",
    "helar b exact": "68271cf64da2a255af450361b6c7e451d78c1091f3bc2b2104251a0b4fb9687e",
    "helar forbund published": "de672f5a1d4729838265528e710ae194f624eeb16810708d6db41c8b26e54673",
    "helar a published": "23f2bb82b4b03927127f2f80993d3e8945cb6a744a6dd09efedf3cf946c37054",
    "helar b published": "a65f1e2501c3b0ef8530307ad9acf987879e65db7322b77bb0b6da2d04f396ef",
    "q2 forbund exact": "0629351bea1813a9ed2797e8a48692e9d4de9fc848b81ab71d8d6b266eb22247",
    "q2 a exact": "b099fd1aa77ccc7c36794e30cdd75496579ccc9376164b92fb1ef2dc4dcc3f82",
    "q2 b exact": "5504cf6f13004c8d3cc7589932c201884959f6d3d5cd4d95f8dae9f729b716fb",
    "q2 forbund published": "90182a95c727ad5660c5e4bb82bd66a4c4d210638c8c8979674971bc7dfb2408",
    "q2 a published": "57209a86b05e6570e0df1ab7bf22d8d1400698bfa1e00829111ed4cb7b46ecc3",
    "q2 b published": "3c2f4ced9313241a6f4ec188f0d809c2663500a8893593c5a0d3381265ed8149",
    "2025-03 forbund exact": "01954ed8357c89e984afbfbec7dbe24c1eed98bd61ffed57a8c142bd4c9968b9",
    "2025-03 a exact": "173f65acac133147b5bf049097be1da1036aacd859f64fcfe1e900667ed241ac",
    "2025-03 b exact": "358c850738a0f7d90c4acd7ed8256b6d9103edc06d56733a92740a31f6f90e3c",
    "2025-03 forbund published": "088703f72598c27b948087268f030f3d29889d7f390e6e9bef67a3fca1b050f8",
    "2025-03 a published": "b47a4a8e3498dc3da4a020995cbec8690f94a4c0594de90f0e14634a64e4f0dc",
    "2025-03 b published": "2db094988b326c3905b2e87056391d8716120bfb79924f4292c1c59a73642b71",
}
"""The same reports' whole JSON, version 1.1's keys in it."""


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
