"""Stopping background tasks: bounded, and honest about a task that would not stop."""

import asyncio
import logging

import pytest
from redis.asyncio import Redis

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


@pytest.mark.parametrize("steps", range(12))
async def test_a_redis_command_cancelled_at_any_step_ends_the_task(redis_url, steps) -> None:
    # redis-py bounds each command's write with asyncio.wait_for, which on Python 3.11 lost
    # a cancellation arriving as the write completed: the command returned, the task ran on
    # (a relay back in its Event.wait, a watchdog in its sleep) and its service never stopped.
    redis = Redis.from_url(redis_url)
    returned_though_cancelled = []

    async def command() -> None:
        await redis.xlen("stegvis-test-nothing")
        returned_though_cancelled.append(asyncio.current_task().cancelling() > 0)

    try:
        for _ in range(3):
            task = asyncio.create_task(command())
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.wait({task}, timeout=1)
            assert task.done()
        assert not any(returned_though_cancelled)
    finally:
        await redis.aclose()
