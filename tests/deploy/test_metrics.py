"""The metrics the alerts and the dashboard use exist: the services docker-compose.yml starts
run natively, answer /health and /ready, take some load through intake's API (and one
refused request, and one entry nobody can decode), and then every `stegvis_` metric named in
an alert rule or a dashboard panel must be exported by at least one of them.

Each service's scrape after the load is kept in test-artifacts/deploy/ for the record.
"""

import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families

from shared.platform.streams import Topology
from tests.deploy.conftest import DEPLOY, REPO, Stack, load_yaml

ARTIFACTS = REPO / "test-artifacts" / "deploy"
INSATSER = ("arbetsrehab", "studiestod")
STARTED_PER_INSATS = 15
STOPPED_PER_INSATS = 8

_METRIC = re.compile(r"\bstegvis_[a-z0-9_]+")
_RECORDING_RULE = re.compile(r"\bstegvis:[a-z0-9_:]+")
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}


def _alert_rules() -> list[dict]:
    groups = load_yaml(DEPLOY / "prometheus/alerts.yml")["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _queries() -> dict[str, str]:
    """Every PromQL expression of the alert rules and of the dashboard's panels, by where."""
    queries = {
        f"rule {rule.get('alert') or rule['record']}": rule["expr"] for rule in _alert_rules()
    }
    dashboard = json.loads((DEPLOY / "grafana/dashboards/stegvis.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            queries[f"panel {panel['title']!r} {target['refId']}"] = target["expr"]
    return queries


def _exported(scrape: str) -> set[str]:
    """Metric names a scrape declares, with the series names a counter or histogram has
    even before its first sample (a labelled metric has none until it is used)."""
    names = set()
    for family in text_string_to_metric_families(scrape):
        names.add(family.name)
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names


def _samples(scrape: str, name: str) -> dict[frozenset, float]:
    return {
        frozenset(sample.labels.items()): sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
        if sample.name == name
    }


def _eventually(check: Callable[[], object], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.2)


def _send_load(intake: httpx.Client) -> None:
    """Two insatser; participants started, some stopped, in parallel; one refused start."""
    for insats in INSATSER:
        response = intake.put(
            f"/api/v1/insatser/{insats}", json={"name": insats.title(), "registration": "individ"}
        )
        assert response.status_code == 201, response.text

    def start_and_maybe_stop(job: tuple[str, int]) -> None:
        insats, number = job
        started = intake.post(
            f"/api/v1/insatser/{insats}/participants",
            json={"start_date": "2026-02-03", "gender": ("kvinna", "man")[number % 2], "vas": 35},
        )
        assert started.status_code == 201, started.text
        if number < STOPPED_PER_INSATS:
            participant = started.json()["participant_id"]
            stopped = intake.post(
                f"/api/v1/insatser/{insats}/participants/{participant}/stop",
                json={"end_date": "2026-09-30", "reason": "arbete", "health_better": True},
            )
            assert stopped.status_code == 201, stopped.text

    jobs = [(insats, number) for insats in INSATSER for number in range(STARTED_PER_INSATS)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(start_and_maybe_stop, jobs[:-1]))
    # The last one alone: concurrent events reach the log in another order than they were
    # made, and this one must be the newest both by time and by position.
    start_and_maybe_stop(jobs[-1])
    refused = intake.post(
        f"/api/v1/insatser/{INSATSER[0]}/participants",
        json={"start_date": "2026-02-03", "gender": "okand"},
    )
    assert refused.status_code == 422, refused.text


def _send_undecodable_entry(stack: Stack) -> None:
    client = redis.Redis.from_url(stack.redis_url)
    try:
        client.xadd(
            Topology(stack.stream_prefix).intake_events,
            {"id": "not-an-event", "type": "Nonsense", "position": "x", "body": "{"},
        )
    finally:
        client.close()


def _reports_reflect_the_load(reporting: httpx.Client) -> bool:
    response = reporting.get("/api/v1/reports", params={"year": 2026, "period": "helar"})
    assert response.status_code == 200, response.text
    figures = response.json()["figures"]
    return figures["new"]["total"] == STARTED_PER_INSATS * len(INSATSER) and figures["ended"][
        "total"
    ] == STOPPED_PER_INSATS * len(INSATSER)


def _scrape(stack: Stack, name: str) -> str:
    response = httpx.get(f"{stack.services[name].url}/metrics", timeout=10)
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return response.text


def _assert_health_and_ready(stack: Stack) -> None:
    for name, service in stack.services.items():
        for path in ("/health", "/ready"):
            response = httpx.get(f"{service.url}{path}", timeout=10)
            assert response.status_code == 200, f"{name}{path}: {response.text}"
            if path == "/ready":
                assert response.json() == {"database": True, "redis": True}, name


def test_every_metric_the_alerts_and_dashboard_use_is_exported(stack: Stack) -> None:
    # One system for both checks: starting four services takes longer than either.
    _assert_health_and_ready(stack)
    with stack.client("intake") as intake, stack.client("reporting") as reporting:
        _send_load(intake)
        _send_undecodable_entry(stack)
        _eventually(lambda: _reports_reflect_the_load(reporting), "reports reflect the load")

    outcomes_replicas = [
        name for name, service in stack.services.items() if service.command == "outcomes"
    ]
    intake_events = Topology(stack.stream_prefix).intake_events
    dead_letter = frozenset({("stream", intake_events), ("group", "outcomes")})
    _eventually(
        lambda: any(
            _samples(_scrape(stack, name), "stegvis_stream_dead_letter_messages").get(dead_letter)
            == 1
            for name in outcomes_replicas
        ),
        "the undecodable entry is dead-lettered and counted",
    )

    def newest_event(service: str, metric: str) -> float:
        return _samples(_scrape(stack, service), metric)[frozenset()]

    # Freshness is the difference of these two: nothing waits, so it must come to 0.
    _eventually(
        lambda: (
            newest_event("intake", "stegvis_intake_newest_event_timestamp_seconds")
            == newest_event("reporting", "stegvis_reporting_newest_event_timestamp_seconds")
            > 0
        ),
        "reporting's newest reflected event is intake's newest accepted event",
    )

    scrapes = {name: _scrape(stack, name) for name in stack.services}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, scrape in scrapes.items():
        (ARTIFACTS / f"{name}.prom").write_text(scrape)

    exported = set().union(*(_exported(scrape) for scrape in scrapes.values()))
    queries = _queries()
    missing = {
        where: sorted(used - exported)
        for where, query in queries.items()
        if (used := set(_METRIC.findall(query))) - exported
    }
    assert not missing, f"used but exported by no service: {missing}"
    recorded = {rule["record"] for rule in _alert_rules() if "record" in rule}
    for where, query in queries.items():
        assert set(_RECORDING_RULE.findall(query)) <= recorded, f"{where}: no such rule"

    refused = _samples(scrapes["intake"], "stegvis_intake_commands_refused_total")
    assert sum(refused.values()) == 1
    accepted = _samples(scrapes["intake"], "stegvis_intake_events_accepted_total")
    assert {dict(labels)["type"] for labels in accepted} >= {
        "InsatsDefined",
        "ParticipantStarted",
        "ParticipantStopped",
    }
