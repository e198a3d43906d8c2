"""The API documents: committed under docs/api/ exactly as the code generates them, and the
streams' AsyncAPI served by the services with the system's own stream names."""

import httpx

from services.api_docs import DOCS, documents, render
from services.intake import bootstrap as intake
from shared.platform.settings import Settings


def test_the_committed_documents_are_the_generated_ones() -> None:
    for name, document in documents().items():
        committed = (DOCS / name).read_text()
        assert committed == render(document), (
            f"docs/api/{name} is stale: run `python3 -m uv run python -m services.api_docs`"
        )


def test_the_streams_document_names_every_event_and_change() -> None:
    schemas = documents()["streams.asyncapi.json"]["components"]["schemas"]
    assert {
        "InsatsDefined",
        "ParticipantStarted",
        "ParticipantProgressed",
        "ParticipantStopped",
        "VolumeRegistered",
        "ParticipantRecordChanged",
        "InsatsRegistered",
        "VolumeCounted",
    } <= set(schemas)


async def test_a_service_serves_the_streams_under_its_own_prefix() -> None:
    settings = Settings(
        admin_token="api-docs-test-token-0123456789",
        redis_url="redis://unused",
        stream_prefix="forbund-7",
    )
    app = intake.create_app(settings)  # no lifespan: the document needs no connection
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        served = (await client.get("/asyncapi.json")).json()
    addresses = {channel["address"] for channel in served["channels"].values()}
    assert addresses == {
        "forbund-7.intake.events",
        "forbund-7.intake.access",
        "forbund-7.outcomes.changes",
    }
