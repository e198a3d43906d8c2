"""4. Report latency: reports of the förbund's history over HTTP (the JSON, the Swedish page
and the XLSX export), against a hand-written SQL aggregate computing the core counts of the
same report from a plain table of the same participants.

Each asks a different report every time, so no response cache can answer it: the JSON and
the page go round every insats or the whole förbund × period × year (378 reports, more than
the requests; the page half way round from the JSON), the förbund's XLSX (whole förbund)
asks each of its 42 reports (period × year) once. Each JSON's core counts must equal the
SQL's for the same insats and dates. The whole förbund's pages (every ninth page, its 42
reports never asked twice in a full run's 300) are also measured on their own, against the
issue's bound on the page.
"""

import itertools
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import httpx

from bench.history import History
from bench.output import Target, note, percentile, print_result, print_table
from bench.reports import GENDERS, core_counts, report_path
from bench.sizes import Sizes
from bench.workload import FIRST_YEAR, INDIVIDUAL_INSATSER, LAST_YEAR, CoreCounts

NAME = "report_latency"
SQL_BOUND = 6.0
P50_BOUND_MS = 25.0
TARGET = Target(NAME, SQL_BOUND, f"p50 ≤ {P50_BOUND_MS:g} ms and ≤ {SQL_BOUND:g}× the SQL", False)
"""The ratio is the JSON's p50 ÷ the SQL's; met only when the p50 is within its bound too."""
PAGE = Target("report_page", None, "the report page (HTML): p50 ÷ the SQL's, no target set")
PAGE_FORBUND = Target(
    "report_page_forbund",
    1.0,
    f"the whole förbund's report page: p50 ≤ {P50_BOUND_MS:g} ms (ratio: p50 ÷ the bound)",
    False,
)
XLSX = Target("report_xlsx", None, "the förbund's XLSX (format=xlsx): p50 ÷ the SQL's, no target")
RESULTS = (TARGET, PAGE, PAGE_FORBUND, XLSX)
WARMUP = 5
YEARS = (FIRST_YEAR, LAST_YEAR, LAST_YEAR + 1)
PERIODS = ("helar", "delar", *(f"{month:02d}" for month in range(1, 13)))
"""`helar`, `delar` and each month (`YYYY-MM` once the year is known)."""
SCOPES = (None, *INDIVIDUAL_INSATSER)
"""The whole förbund, then each individual insats."""

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
WHERE $3::text IS NULL OR insats_id = $3
GROUP BY gender"""


@dataclass(frozen=True)
class Query:
    year: int
    period: str
    insats: str | None

    def parameters(self, **more: str) -> str:
        period = self.period if len(self.period) > 2 else f"{self.year}-{self.period}"
        asked = {"year": str(self.year), "period": period}
        if self.insats is not None:
            asked["insats"] = self.insats
        return urlencode(asked | more)


def queries(scopes: tuple[str | None, ...] = SCOPES, offset: float = 0) -> list[Query]:
    """Every report of these scopes once (|PERIODS| × |YEARS| × |scopes|), starting `offset`
    of the way round."""
    every = [
        Query(year, period, insats)
        for period, year, insats in itertools.product(PERIODS, YEARS, scopes)
    ]
    start = int(offset * len(every))
    return every[start:] + every[:start]


@dataclass
class _Times:
    json: list[float]
    sql: list[float]
    page: list[float]
    page_forbund: list[float]
    """The pages of the whole förbund, also in `page`."""
    xlsx: list[float]
    floor: list[float]


async def run(history: History, sizes: Sizes) -> None:
    connection = await history.env.connect()
    times = _Times([], [], [], [], [], [])
    disagreements = 0
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
        note(f"{NAME}: {sizes.report_queries} different reports as JSON, page and XLSX, and SQL")
        async with history.reporting_client() as client:
            expected_agree = [
                core_counts(await _json(client, report_path(year))) for year in history.expected
            ] == list(history.expected.values())
            asked, page_queries = itertools.cycle(queries()), itertools.cycle(queries(offset=0.5))
            xlsx_queries = iter(queries(scopes=(None,)))
            for i in range(WARMUP + sizes.report_queries):
                # Alternated, so that a noisy spell on the machine hits all of them.
                query, page_query = next(asked), next(page_queries)
                xlsx_query = next(xlsx_queries, None)
                started = time.perf_counter()
                body = await _json(client, f"/api/v1/reports?{query.parameters()}", whole=True)
                reported = time.perf_counter()
                period = body["period"]
                rows = await connection.fetch(
                    CORE_COUNTS_SQL,
                    date.fromisoformat(period["from"]),
                    date.fromisoformat(period["to"]),
                    query.insats,
                )
                counted = time.perf_counter()
                await _get(client, f"/rapport?{page_query.parameters()}")
                paged = time.perf_counter()
                if xlsx_query is not None:
                    await _get(client, f"/api/v1/reports?{xlsx_query.parameters(format='xlsx')}")
                exported = time.perf_counter()
                await _get(client, "/health")
                if core_counts(body["figures"]) != _sql_counts(rows):
                    disagreements += 1
                if i >= WARMUP:
                    times.json.append(reported - started)
                    times.sql.append(counted - reported)
                    times.page.append(paged - counted)
                    if page_query.insats is None:
                        times.page_forbund.append(paged - counted)
                    if xlsx_query is not None:
                        times.xlsx.append(exported - paged)
                    times.floor.append(time.perf_counter() - exported)
    finally:
        await connection.close()
    _print(history, sizes, times, expected_agree, disagreements)


def _print(
    history: History, sizes: Sizes, times: _Times, expected_agree: bool, disagreements: int
) -> None:
    samples = {
        "hand-written SQL aggregate (asyncpg)": times.sql,
        "Stegvis GET report (HTTP, JSON)": times.json,
        "Stegvis GET /rapport (HTML page)": times.page,
        "  of which the whole förbund's pages": times.page_forbund,
        "Stegvis GET report &format=xlsx": times.xlsx,
        "(floor: GET /health on reporting, HTTP only)": times.floor,
    }
    print_table(
        f"4. Report latency ({sizes.name}: {len(history.workload.participants):,} participants,"
        f" {history.last_position:,} events; each request a different report of"
        f" {len(SCOPES)} scopes × {len(PERIODS)} periods × {len(YEARS)} years)",
        ["query", "requests", "p50 ms", "p95 ms", "max ms"],
        [
            [label, len(ts), _ms(ts, 0.5), _ms(ts, 0.95), max(ts) * 1000]
            for label, ts in samples.items()
        ],
    )
    sql_p50 = _ms(times.sql, 0.5)
    json_p50, page_p50, forbund_p50, xlsx_p50 = (
        _ms(ts, 0.5) for ts in (times.json, times.page, times.page_forbund, times.xlsx)
    )
    print(
        f"core counts (new, ended, opening by gender) agree with the SQL in every report: "
        f"{'yes' if disagreements == 0 else f'NO ({disagreements})'}; with the generator "
        f"(helår, whole förbund): {'yes' if expected_agree else 'NO'}; JSON p50 "
        f"{json_p50:.1f} ms (bound {P50_BOUND_MS:g} ms), ratio {json_p50 / sql_p50:.3f} "
        f"(target ≤ {SQL_BOUND:g}); page p50 {page_p50:.1f} ms, the whole förbund's "
        f"{forbund_p50:.1f} ms (bound {P50_BOUND_MS:g} ms); XLSX p50 {xlsx_p50:.1f} ms"
    )
    ratio = json_p50 / sql_p50
    print_result(TARGET, ratio, TARGET.reached(ratio) and json_p50 <= P50_BOUND_MS)
    print_result(PAGE, page_p50 / sql_p50)
    print_result(PAGE_FORBUND, forbund_p50 / P50_BOUND_MS)
    print_result(XLSX, xlsx_p50 / sql_p50)


def _ms(times: list[float], fraction: float) -> float:
    return percentile(times, fraction) * 1000


async def _get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await client.get(path)
    response.raise_for_status()
    return response


async def _json(client: httpx.AsyncClient, path: str, whole: bool = False) -> dict:
    body = (await _get(client, path)).json()
    return body if whole else body["figures"]


def _sql_counts(rows) -> CoreCounts:
    by_gender = {row["gender"]: row for row in rows}
    return CoreCounts(
        *(
            {gender: by_gender[gender][name] if gender in by_gender else 0 for gender in GENDERS}
            for name in ("new", "ended", "opening")
        )
    )
