"""Stopping background tasks: bounded, and honest about a task that would not stop."""

import asyncio
import logging

import pytest

from shared.platform.tasks import stop_task


async def _swallows_its_cancellation(stopped: asyncio.Event) -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await stopped.wait()  # as a library catching CancelledError deep down might


async def test_a_task_that_swallows_its_cancellation_does_not_hang_the_shutdown(caplog) -> None:
    stopped = asyncio.Event()
    task = asyncio.create_task(_swallows_its_cancellation(stopped), name="stubborn")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="shared.platform.tasks"):
        await stop_task(task, seconds=0.2)
    assert not task.done()
    assert "stubborn did not stop" in caplog.text
    assert "_swallows_its_cancellation" in caplog.text  # where it was stuck
    stopped.set()
    await task


async def test_a_task_is_cancelled_and_its_failure_raised() -> None:
    sleeper = asyncio.create_task(asyncio.sleep(3600))
    await stop_task(sleeper)
    assert sleeper.cancelled()

    async def fails() -> None:
        raise RuntimeError("broken")

    failed = asyncio.create_task(fails())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="broken"):
        await stop_task(failed)
