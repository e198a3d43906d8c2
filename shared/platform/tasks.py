"""Stopping a service's background tasks at the end of its lifespan, and the cancellation
they rely on.

On Python 3.11, `asyncio.wait_for` swallows a cancellation that arrives as the awaited
operation completes (the result is returned, the cancellation lost; fixed in 3.12, where it
is built on `asyncio.timeout`). redis-py bounds every command's write with it
(`socket_timeout`), so a task cancelled during a Redis command (the watchdog's gauges, the
outbox relay's XADD, a FastStream reader) went on, back to its `asyncio.sleep` or
`Event.wait`, and its service did not stop. Importing this module puts 3.12's behaviour in
place for every library in the process; every service imports it (the relay and the
consumer stop their tasks with `stop_task`).
"""

import asyncio
import logging
import sys
import traceback
from collections.abc import Awaitable
from contextlib import suppress
from typing import TypeVar

log = logging.getLogger(__name__)

STOP_SECONDS = 10.0

T = TypeVar("T")


async def wait_for(awaitable: Awaitable[T], timeout: float | None) -> T:
    """`asyncio.wait_for` as Python 3.12 has it: a cancellation is never lost."""
    async with asyncio.timeout(timeout):
        return await awaitable


if sys.version_info < (3, 12):
    asyncio.wait_for = wait_for  # type: ignore[assignment]


async def stop_task(task: asyncio.Task, seconds: float = STOP_SECONDS) -> None:
    """Cancel `task` and wait for it to end, at most `seconds`; re-raises its failure.

    Bounded because a library deep in the task may still swallow the cancellation: the
    shutdown then goes on (the process is ending) and says where the task was stuck.
    """
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        where = "".join(
            traceback.format_list(
                [
                    summary
                    for frame in task.get_stack()
                    for summary in traceback.extract_stack(frame)
                ]
            )
        )
        log.error(
            "%s did not stop within %.0f s of its cancellation; it was at:\n%s",
            task.get_name(),
            seconds,
            where,
        )
        return
    with suppress(asyncio.CancelledError):
        task.result()
