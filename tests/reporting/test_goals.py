"""Goals as boards write them, as reporting runs (real Redis, SQLite and PostgreSQL): the
förbund's admins set an insats's goals over HTTP, and each report lists them beside the
outcome, met or not (or neither, where the base is nobody); the published version shows no
outcome its suppression hides."""

import json
from datetime import date

import pytest
from redis.asyncio import Redis

from shared.contract.codes import Reason
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.board import history
from tests.reporting.running import report, running_reporting

HISTORY = history(
    {"a": "individ", "b": "individ"},
    [
        ("a", "kvinna", date(2024, 1, 10), date(2024, 6, 1), Reason.ARBETE),
        ("a", "man", date(2024, 2, 1), date(2024, 6, 1), Reason.ARBETE),
        ("a", "kvinna", date(2025, 1, 8), date(2025, 3, 10), Reason.ARBETSTRANING),
        ("a", "kvinna", date(2025, 2, 1), date(2025, 4, 1), Reason.ARBETE),
        ("a", "man", date(2025, 2, 3), None, None),
        ("a", "man", date(2025, 3, 1), date(2025, 5, 1), Reason.SJUKDOM),
    ],
)
GOALS_OF_A = [
    {"figure": "new", "at_least": 2, "gender": "kvinna"},
    {"figure": "participants", "at_least": 500},
    {"share": "reason:arbetstraning", "at_least_percent": 30},
    {"share": "reason:arbetstraning", "at_least_percent": 30, "gender": "man"},
    {"share": "positive_exits", "higher_than_previous_year": True},
    {"share": "reason:arbetstraning", "higher_than_previous_year": True},
    {"share": "direct_to_work_or_studies", "higher_than_previous_year": True, "gender": "annan"},
]
GOALS_OF_B = [{"figure": "ended", "at_least": 1}]


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *HISTORY) as client:
        yield client


async def _set(client, insats: str, goals: list[dict]) -> None:
    response = await client.put(f"/api/v1/insatser/{insats}/goals", headers=AUTH, json=goals)
    assert response.status_code == 200, response.text
    assert response.json() == goals


def _met(goals: list[dict], outcomes: list[tuple]) -> list[dict]:
    return [
        {**goal, "outcome": outcome, "met": met}
        for goal, (outcome, met) in zip(goals, outcomes, strict=True)
    ]


async def test_each_report_lists_the_goals_beside_the_outcome(client) -> None:
    await _set(client, "a", GOALS_OF_A)
    await _set(client, "b", GOALS_OF_B)
    stored = await client.get("/api/v1/insatser/a/goals", headers=AUTH)
    assert stored.text == json.dumps(GOALS_OF_A, separators=(",", ":"))  # as written, in order

    year = await report(client, year=2025, period="helar", insats="a")
    # 2025: 4 new (2 women), 3 ended: arbetsträning (a woman), arbete (a woman), sjukdom (a
    # man); positive 2 of 3 (67 %). 2024: 2 ended, both to work (100 %), none to arbetsträning.
    assert year["goals"] == _met(
        GOALS_OF_A,
        [
            (2, True),
            (4, False),
            (33, True),  # 1 of 3 ended
            (0, False),  # 0 of the 1 man ended
            (67, False),  # not above last year's 100
            (33, True),  # above last year's 0
            (None, None),  # nobody of gender annan ended
        ],
    )
    # May: a man ended for illness; in May 2024 nobody ended, so no trend either way.
    may = await report(client, year=2025, period="2025-05", insats="a")
    assert [(goal["outcome"], goal["met"]) for goal in may["goals"][4:6]] == [
        (0, None),
        (0, None),
    ]
    assert (await report(client, year=2025, period="helar", insats="b"))["goals"] == _met(
        GOALS_OF_B, [(0, False)]
    )

    whole = await report(client, year=2025, period="helar")
    assert whole["goals"] == [{"insats": "a", **goal} for goal in year["goals"]] + [
        {"insats": "b", **GOALS_OF_B[0], "outcome": 0, "met": False}
    ]
    # The v1 targets keep working beside them.
    assert whole["targets"] == []


async def test_the_published_version_hides_the_outcomes_of_hidden_counts(client) -> None:
    await _set(client, "a", GOALS_OF_A[:3])
    published = await report(client, year=2025, period="helar", insats="a", suppress="true")
    # 2 new women and 4 participants are below the threshold (5): hidden, so is whether
    # they met the goal; so is the share of those 3 ended.
    assert published["figures"]["new"]["kvinna"] is None
    assert published["goals"] == _met(GOALS_OF_A[:3], [(None, None)] * 3)
    whole = await report(client, year=2025, period="helar", suppress="true")
    assert [goal["outcome"] for goal in whole["goals"]] == [None] * 3


async def test_a_new_list_replaces_the_old(client) -> None:
    await _set(client, "a", GOALS_OF_A)
    await _set(client, "a", GOALS_OF_B)
    assert (await client.get("/api/v1/insatser/a/goals", headers=AUTH)).json() == GOALS_OF_B
    await _set(client, "a", [])
    assert (await report(client, year=2025, period="helar", insats="a"))["goals"] == []
    assert (await client.get("/api/v1/insatser/okand/goals", headers=AUTH)).status_code == 404
    unknown = await client.put("/api/v1/insatser/okand/goals", headers=AUTH, json=GOALS_OF_B)
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("goals", "where"),
    [
        ([{"figure": "positive_exit", "at_least": 1}], [0, "figure"]),
        ([{"figure": "vas_mean_at_start", "at_least": 1}], [0, "figure"]),
        ([GOALS_OF_B[0], {"share": "reason:semester", "at_least_percent": 10}], [1, "share"]),
        ([{"share": "ended", "at_least_percent": 10}], [0, "share"]),
        ([{"share": "positive_exits", "at_least_percent": 101}], [0, "at_least_percent"]),
        ([{"share": "positive_exits", "at_least_percent": 40.5}], [0, "at_least_percent"]),
        ([{"share": "positive_exits", "higher_than_previous_year": False}], [0]),
        ([{"figure": "new", "at_least": -1}], [0, "at_least"]),
        ([{"figure": "new", "at_least": 5, "gender": "okand"}], [0, "gender"]),
        ([{"figure": "new", "at_least": 5, "note": "x"}], [0, "note"]),
        ([{"share": "positive_exits"}], [0]),
        ({"figure": "new", "at_least": 5}, []),
    ],
)
async def test_a_bad_goal_is_refused_naming_it_and_changes_nothing(client, goals, where) -> None:
    await _set(client, "a", GOALS_OF_B)
    refused = await client.put("/api/v1/insatser/a/goals", headers=AUTH, json=goals)
    assert refused.status_code == 422, refused.text
    [error, *_] = refused.json()["detail"]
    assert all(str(part) in error["loc"] for part in where), error
    assert (await client.get("/api/v1/insatser/a/goals", headers=AUTH)).json() == GOALS_OF_B


async def test_a_refusal_never_echoes_what_was_sent(client) -> None:
    sent = [{"share": "reason:198501011236", "at_least_percent": 10}]
    refused = await client.put("/api/v1/insatser/a/goals", headers=AUTH, json=sent)
    assert refused.status_code == 422
    assert "share" in refused.json()["detail"][0]["loc"]
    assert "198501011236" not in refused.text
    assert (await client.get("/api/v1/insatser/a/goals", headers=AUTH)).json() == []
