"""`bench/run [--quick] [--only NAME,...]`: the six benchmarks, in the issue's order.

Each prints its table, then one or more `RESULT <name> ratio=<r> target=<t>|none
met=yes|no|none goal="…"`. A benchmark that fails prints its error on stderr and its RESULT
lines with `ratio=nan`; the exit status is then 1. A missed target is a result, not a
failure (exit status 0).
"""

import argparse
import asyncio
import math
import os
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import freshness, history, intake_http, memory, pipeline, rebuild, report_latency
from bench.environment import PROFILE_DIR_VARIABLE
from bench.output import Target, note, print_result
from bench.sizes import FULL, QUICK, Sizes

TARGETS: dict[str, tuple[Target, ...]] = {
    pipeline.NAME: (pipeline.TARGET,),
    intake_http.NAME: (intake_http.TARGET,),
    freshness.NAME: (freshness.TARGET,),
    report_latency.NAME: report_latency.RESULTS,
    rebuild.NAME: (rebuild.TARGET,),
    memory.NAME: (memory.TARGET,),
}
"""Each benchmark (as `--only` names it) and the RESULT lines it prints."""


def _failed(name: str) -> None:
    for target in TARGETS[name]:
        print_result(target, math.nan, False)


async def _guarded(name: str, benchmark: Callable[[], Awaitable[None]]) -> bool:
    try:
        await benchmark()
        return True
    except Exception:
        traceback.print_exc()
        _failed(name)
        return False


async def run(sizes: Sizes, selected: set[str]) -> bool:
    ok = True
    for module in (pipeline, intake_http, freshness):
        if module.NAME in selected:
            ok &= await _guarded(module.NAME, lambda m=module: m.run(sizes))
    on_history = selected & {report_latency.NAME, rebuild.NAME, memory.NAME}
    if not on_history:
        return ok
    large_peaks: dict[str, float] = {}
    try:
        async with history.processed(sizes) as world:
            large_peaks = world.peak_rss_mib
            if report_latency.NAME in selected:
                ok &= await _guarded(report_latency.NAME, lambda: report_latency.run(world, sizes))
            if rebuild.NAME in selected:
                ok &= await _guarded(rebuild.NAME, lambda: rebuild.run(world, sizes))
    except Exception:
        traceback.print_exc()
        for name in TARGETS:
            if name in on_history:
                _failed(name)
        return False
    if memory.NAME in selected:
        ok &= await _guarded(memory.NAME, lambda: memory.run(sizes, large_peaks))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the size (< 3 min)")
    parser.add_argument(
        "--only", default=",".join(TARGETS), help=f"comma-separated subset of {','.join(TARGETS)}"
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="record every service with py-spy into DIR (see bench/profile_summary.py)",
    )
    args = parser.parse_args()
    if args.profile:
        os.environ[PROFILE_DIR_VARIABLE] = str(Path(args.profile).resolve())
    selected = set(args.only.split(","))
    if unknown := selected - set(TARGETS):
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    ok = asyncio.run(run(sizes, selected))
    note(f"{sizes.name} run took {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
