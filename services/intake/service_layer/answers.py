"""What a command answers, and the Idempotency-Key that lets a client retry it safely."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel

from services.intake.domain.model import Insats


@dataclass(frozen=True)
class Answer:
    """The first answer to a command is the one every retry of it gets."""

    status: HTTPStatus
    body: Mapping[str, Any]


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str
    """Identifies the request, so that a key reused for another request is refused."""

    @classmethod
    def for_request(cls, key: str, method: str, path: str, details: BaseModel) -> "IdempotencyKey":
        # The validated body, keys sorted: the same request however its JSON was written.
        body = json.dumps(details.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()
        return cls(key, digest)


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    answer: Answer


def insats_body(insats: Insats) -> dict[str, str]:
    return {
        "insats_id": insats.insats_id,
        "name": insats.name,
        "registration": insats.registration.value,
    }
