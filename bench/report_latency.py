"""4. Report latency: the helår report for the whole förbund, against a hand-written SQL
aggregate computing the same core counts from a plain table of the same participants."""

import time
from datetime import date

from bench.history import History
from bench.output import note, percentile, print_result, print_table
from bench.reports import GENDERS, core_counts, report_path
from bench.sizes import Sizes
from bench.workload import LAST_YEAR, CoreCounts

NAME = "report_latency"
SQL_BOUND = 2.0
P50_BOUND_MS = 100.0
WARMUP = 5
YEAR = LAST_YEAR

CREATE_TABLE = """
CREATE TABLE bench_participants (
    participant_id text PRIMARY KEY,
    insats_id text NOT NULL,
    gender text NOT NULL,
    start_date date NOT NULL,
    end_date date
)"""
CORE_COUNTS_SQL = """
SELECT gender,
       count(*) FILTER (WHERE start_date BETWEEN $1 AND $2) AS new,
       count(*) FILTER (WHERE end_date BETWEEN $1 AND $2) AS ended,
       count(*) FILTER (WHERE start_date < $1 AND (end_date IS NULL OR end_date >= $1))
           AS opening
FROM bench_participants
GROUP BY gender"""


async def run(history: History, sizes: Sizes) -> None:
    connection = await history.env.connect()
    try:
        await connection.execute(CREATE_TABLE)
        await connection.copy_records_to_table(
            "bench_participants",
            records=[
                (p.participant_id, p.insats_id, p.gender.value, p.start_date, p.end_date)
                for p in history.workload.participants
            ],
        )
        await connection.execute("ANALYZE bench_participants")
        first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
        note(f"{NAME}: {sizes.report_queries} report requests and as many SQL aggregates")
        async with history.reporting_client() as client:
            report_times, sql_times, floor_times = [], [], []
            for i in range(WARMUP + sizes.report_queries):
                # Alternated, so that a noisy spell on the machine hits all three.
                started = time.perf_counter()
                response = await client.get(report_path(YEAR))
                response.raise_for_status()
                figures = response.json()["figures"]
                reported = time.perf_counter()
                rows = await connection.fetch(CORE_COUNTS_SQL, first, last)
                counted = time.perf_counter()
                (await client.get("/health")).raise_for_status()
                if i >= WARMUP:
                    report_times.append(reported - started)
                    sql_times.append(counted - reported)
                    floor_times.append(time.perf_counter() - counted)
    finally:
        await connection.close()
    agree = core_counts(figures) == _sql_counts(rows) == history.expected[YEAR]
    samples = {
        "hand-written SQL aggregate (asyncpg)": sql_times,
        "Stegvis GET helår report (HTTP, JSON)": report_times,
        "(floor: GET /health on reporting, HTTP only)": floor_times,
    }
    print_table(
        f"4. Report latency ({sizes.name}: {len(history.workload.participants):,} participants,"
        f" {history.last_position:,} events; helår {YEAR}, whole förbund)",
        ["query", "requests", "p50 ms", "p95 ms", "max ms"],
        [
            [
                label,
                len(times),
                percentile(times, 0.5) * 1000,
                percentile(times, 0.95) * 1000,
                max(times) * 1000,
            ]
            for label, times in samples.items()
        ],
    )
    report_p50 = percentile(report_times, 0.5) * 1000
    ratio = report_p50 / (percentile(sql_times, 0.5) * 1000)
    print(
        f"core counts (new, ended, opening by gender) agree with the SQL: "
        f"{'yes' if agree else 'NO'}; report p50 {report_p50:.1f} ms "
        f"(bound {P50_BOUND_MS:.0f} ms); p50 ratio {ratio:.3f} (target ≤ {SQL_BOUND})"
    )
    print_result(NAME, ratio, SQL_BOUND, ratio <= SQL_BOUND and report_p50 <= P50_BOUND_MS)


def _sql_counts(rows) -> CoreCounts:
    by_gender = {row["gender"]: row for row in rows}
    return CoreCounts(
        *(
            {gender: by_gender[gender][name] if gender in by_gender else 0 for gender in GENDERS}
            for name in ("new", "ended", "opening")
        )
    )
