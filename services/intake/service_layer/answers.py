"""What a command answers, and the Idempotency-Key that lets a client retry it safely."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel

from services.intake.domain.accounts import Credential, User
from services.intake.domain.import_rows import PARTICIPANTS
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


def user_body(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role.value,
        "insatser": sorted(user.insatser),
        "active": user.active,
        "has_password": user.password_hash is not None,
    }


def credential_body(credential: Credential) -> dict:
    return {
        "token_id": credential.credential_id,
        "username": credential.username,
        "kind": credential.kind.value,
        "created_at": credential.created_at.isoformat(),
        "expires_at": credential.expires_at.isoformat(),
        "revoked_at": credential.revoked_at.isoformat() if credential.revoked_at else None,
    }


@dataclass(frozen=True)
class ImportedParticipant:
    row: int
    insats_id: str
    participant_id: str


@dataclass(frozen=True)
class Imported:
    """What an import stored: the answer every later import of the same file gets."""

    import_id: str
    """Tells this run's answer from one stored by an earlier import of the file."""
    file: str
    imported_at: datetime
    participants: list[ImportedParticipant]
    """The codes given (none for a sheet of activities)."""
    kind: str
    """What the rows registered (`import_rows.KINDS`)."""
    rows: int

    def body(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "file": self.file,
            "imported_at": self.imported_at.isoformat(),
            "participants": [[p.row, p.insats_id, p.participant_id] for p in self.participants],
            "kind": self.kind,
            "rows": self.rows,
        }

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> "Imported":
        participants = [ImportedParticipant(*participant) for participant in body["participants"]]
        return cls(
            body["import_id"],
            body["file"],
            datetime.fromisoformat(body["imported_at"]),
            participants,
            # Stored before activities were imported: a sheet of participants.
            body.get("kind", PARTICIPANTS.name),
            body.get("rows", len(participants)),
        )
