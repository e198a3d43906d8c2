"""Users and credentials as intake publishes them, for reporting's access tests."""

from datetime import UTC, datetime, timedelta

from shared.contract.access import CredentialChanged, CredentialKind, Role, UserChanged, secret_hash


def user(
    username: str, role: Role, *insatser: str, version: int = 1, active: bool = True
) -> UserChanged:
    return UserChanged(
        version=version, username=username, role=role, insatser=insatser, active=active
    )


def credential(username: str, secret: str, version: int = 1, **state) -> CredentialChanged:
    """The user's one token (`cred-<username>`), valid for an hour unless `state` says else
    (a `kind` of session: their login's)."""
    defaults = {"kind": CredentialKind.TOKEN, "expires_at": datetime.now(UTC) + timedelta(hours=1)}
    return CredentialChanged(
        version=version,
        credential_id=f"cred-{username}",
        username=username,
        secret_hash=secret_hash(secret),
        **(defaults | state),
    )


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
