"""Stopping a service's background tasks at the end of its lifespan."""

import asyncio
import logging
import traceback
from contextlib import suppress

log = logging.getLogger(__name__)

STOP_SECONDS = 10.0


async def stop_task(task: asyncio.Task, seconds: float = STOP_SECONDS) -> None:
    """Cancel `task` and wait for it to end, at most `seconds`; re-raises its failure.

    Bounded because a library deep in the task may swallow the cancellation: the shutdown
    then goes on (the process is ending) and says where the task was stuck.
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
