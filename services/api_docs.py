"""The API documents committed under docs/api/: intake's and reporting's OpenAPI, and the
event streams' AsyncAPI. `python -m services.api_docs` writes them anew after a change."""

import json
import secrets
from pathlib import Path

from services.intake import bootstrap as intake
from services.reporting import bootstrap as reporting
from shared.platform.asyncapi import stream_specification
from shared.platform.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api"


def documents() -> dict[str, dict]:
    """File name → document, as the running services serve them."""
    # Building an app reads its settings but connects to nothing.
    settings = Settings(admin_token=secrets.token_hex(24), redis_url="redis://unused")
    return {
        "intake.openapi.json": intake.create_app(settings).openapi(),
        "reporting.openapi.json": reporting.create_app(settings).openapi(),
        "streams.asyncapi.json": stream_specification(),
    }


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        (DOCS / name).write_text(render(document))
        print(f"wrote {DOCS / name}")
