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
from services.reporting.domain.months import Month
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
        closed = closing(period.last_month, Month(2020, 1), NOW, 5).as_json()
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
    "helar forbund exact": "200cd3a309962eabbcda4b55f8950eb41aa46fe3bec7f82f3e1b153e3fe8d0ed",
    "helar a exact": "63055492b73de17671170d7f3ac46f8fb9ad66f121e5cfcd91244a75bf7ab384",
    "helar b exact": "62d968bf1e940e3419ff82548ed6fe486450fab68f4b8f472410f26004183f16",
    "helar forbund published": "ca4f7cda5a5a0ea387bf959286f0b3ff4fce4d4f81a3973bd3160eefcc5ecc34",
    "helar a published": "8680b19f084ed3bce2841001a0c269c58a12896b6db7ec43d9dbf0e9db4e4c7d",
    "helar b published": "a302aee2f76ffae6c44e94c7a01ec4ffed43b72de649c46b5847c2be29781224",
    "q2 forbund exact": "1a8f3c70e337357b5d222ba380b0f1a9474dffac45ae0de59c3b691ae19a8176",
    "q2 a exact": "c809d1d194407a2de618442061bbc25e5adcbbd4eba99e79137fc8de53e185f8",
    "q2 b exact": "2241fcc1611e324ddb622b3e12763c89510a79bf2bfff13c93fe905b2e24fc3e",
    "q2 forbund published": "8405207e2d5c6dbaf13123bd0a028d628fda82d9c369e8a7a3d55c7c85035839",
    "q2 a published": "627f97a273cd282e338de7087bce1bcc5d96b59194a6cda7cc1fb3e2d7f46e05",
    "q2 b published": "fd307cb0bed64bc5b05a5520c0d03025379fb8702ef5c8c4afba33fd8d9c64bc",
    "2025-03 forbund exact": "13dad31070300ca9c74936fed62a228e32a6352d512f46ebf70ba058d875dff4",
    "2025-03 a exact": "f2a59a8ea1da7037883acc2fca5874770759518a613746bfdb9a5766d3b3b4c1",
    "2025-03 b exact": "88ac4c1152ab3368e6eb59c3014689d62df98eb3d3adf4f89478cba5cb610499",
    "2025-03 forbund published": "cdcd6f241db2432293a3a652c3a72c4f29fdc92c807c5138c9dafcb939d51c5b",
    "2025-03 a published": "c39d5cdec442a3ac6d110e10be52364ccff551f47d5afbad28a7e44a8ba92bec",
    "2025-03 b published": "badaa144580f120448fcf6176a1c0c48533028f910ed84a34d8a5b8768c23808",
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
