"""The bare limit for intake's HTTP API: a FastAPI endpoint doing one INSERT, nothing else.

Served by uvicorn in a subprocess (`uvicorn bench.bare_app:create_app --factory`), with the
database from `BENCH_BARE_DATABASE_URL`.
"""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse

TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS bench_bare_starts"
    " (id bigserial PRIMARY KEY, insats_id text NOT NULL, body text NOT NULL)"
)


def create_app() -> FastAPI:
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The same pool size as the services' engines (10 + 10 overflow).
        async with asyncpg.create_pool(
            os.environ["BENCH_BARE_DATABASE_URL"], min_size=10, max_size=20
        ) as pool:
            await pool.execute(TABLE_DDL)
            pools.append(pool)
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/insatser/{insats_id}/participants")
    async def start(insats_id: str, details: dict[str, Any] = Body()) -> JSONResponse:
        row_id = await pools[0].fetchval(
            "INSERT INTO bench_bare_starts (insats_id, body) VALUES ($1, $2) RETURNING id",
            insats_id,
            json.dumps(details),
        )
        return JSONResponse({"participant_id": str(row_id)}, status_code=201)

    return app
