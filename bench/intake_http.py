"""2. Intake HTTP: accepted starts/s and latency with 16 concurrent clients, against a bare
FastAPI endpoint doing one INSERT into the same database."""

import sys
from datetime import date, timedelta

import httpx

from bench.environment import Environment, free_port
from bench.loadgen import CLIENTS, LoadResult, closed_loop
from bench.output import Target, print_cpu, print_result, print_table
from bench.sizes import Sizes
from bench.workload import INDIVIDUAL_INSATSER, MUNICIPALITIES

NAME = "intake_http"
P99_BOUND = 3.0
TARGET = Target(NAME, 0.5, f"≥ 0.5× the bare endpoint, p99 ≤ {P99_BOUND:g}×")
ROUNDS = 2
"""Alternate the servers, so that a noisy spell on the machine hits both."""
_GENDERS = ("kvinna", "man", "kvinna", "annan", "kvinna", "man")
_EDUCATION = ("grundskola", "gymnasium", "eftergymnasial", "hogskola_upp_till_3", "saknas")
_REFERRERS = ("fk", "af", "kommun", "region", "annan")


def start_request(i: int) -> tuple[str, dict]:
    """The i-th start: a realistic body, the same for both servers."""
    start = date(2024, 1, 1) + timedelta(days=i % 366)
    body = {
        "start_date": start.isoformat(),
        "gender": _GENDERS[i % len(_GENDERS)],
        "birth_year": start.year - 18 - i % 46,
        "education": _EDUCATION[i % len(_EDUCATION)],
        "support_at_start": ["a_kassa", "forsorjningsstod"][: 1 + i % 2],
        "years_in_support": i % 12,
        "referrer": _REFERRERS[i % len(_REFERRERS)],
        "municipality": MUNICIPALITIES[i % len(MUNICIPALITIES)],
        "activity_hours_per_week": float(i % 30),
        "vas": 10 + i % 80,
    }
    insats_id = INDIVIDUAL_INSATSER[i % len(INDIVIDUAL_INSATSER)]
    return f"/api/v1/insatser/{insats_id}/participants", body


async def define_insatser(base_url: str, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        for insats_id in INDIVIDUAL_INSATSER:
            response = await client.put(
                f"/api/v1/insatser/{insats_id}", json={"name": insats_id, "registration": "individ"}
            )
            response.raise_for_status()


async def run(sizes: Sizes) -> None:
    async with Environment(NAME) as env:
        await env.start("intake")
        await define_insatser(env.url("intake"), env.auth)
        port = free_port()
        bare = env.spawn(
            "bare-fastapi",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            port,
            env.service_environment() | {"BENCH_BARE_DATABASE_URL": env.database_url},
        )
        await bare.wait_healthy()
        servers = {"bare FastAPI + one INSERT": bare, "Stegvis intake": env.processes["intake"]}
        results: dict[str, LoadResult] = {}
        cpu_seconds = dict.fromkeys(servers, 0.0)
        """Each server process's CPU during its rounds: the steadier measure on a shared
        machine (intake's includes its outbox relay publishing the starts)."""
        for label, server in servers.items():
            await closed_loop(
                server.base_url, env.auth, start_request, sizes.http_warmup, f"{label}: warm-up"
            )
        per_round = sizes.http_requests // ROUNDS
        for round_ in range(ROUNDS):
            for label, server in servers.items():
                cpu_before = server.cpu_seconds()
                result = await closed_loop(
                    server.base_url,
                    env.auth,
                    start_request,
                    per_round,
                    f"{label}: round {round_ + 1}",
                )
                cpu_seconds[label] += server.cpu_seconds() - cpu_before
                results[label] = results[label] + result if label in results else result
    base, stegvis = results.values()
    print_table(
        f"2. Intake HTTP ({sizes.name}: {ROUNDS}×{per_round:,} starts per server,"
        f" {CLIENTS} concurrent clients)",
        ["server", "requests", "accepted", "accepted/s", "p50 ms", "p99 ms"],
        [
            [label, r.requests, r.accepted, r.rate, r.latency_ms(0.5), r.latency_ms(0.99)]
            for label, r in results.items()
        ],
    )
    print_cpu(per_round * ROUNDS, dict.fromkeys(servers, 0.0), cpu_seconds, "requests")
    rate_ratio = stegvis.rate / base.rate
    p99_ratio = stegvis.latency_ms(0.99) / base.latency_ms(0.99)
    print(
        f"rate ratio {rate_ratio:.3f} (target ≥ {TARGET.bound}); "
        f"p99 ratio {p99_ratio:.3f} (target ≤ {P99_BOUND})"
    )
    print_result(TARGET, rate_ratio, TARGET.reached(rate_ratio) and p99_ratio <= P99_BOUND)
