"""Accounts over HTTP: users and grants (förbundsadmin), API tokens, login sessions, the
audit log. Every call but the login carries a bearer token."""

from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from services.intake.entrypoints.dependencies import AccountsDep, Caller
from services.intake.entrypoints.http import answer_response
from services.intake.service_layer.accounts import (
    LoginDetails,
    TokenDetails,
    UserDetails,
)
from shared.contract.access import USERNAME_PATTERN, NewUsername

TOKEN_ID_PATTERN = r"^[0-9a-f]{1,32}$"
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    HTTPStatus.NOT_FOUND: {"description": "No such credential of yours"}
}
router = APIRouter(prefix="/api/v1")


@router.put("/users/{username}", status_code=HTTPStatus.CREATED)
async def save_user(
    caller: Caller,
    accounts: AccountsDep,
    username: Annotated[NewUsername, Path()],
    details: UserDetails,
) -> JSONResponse:
    """Create or change a user (förbundsadmin): role, granted insatser (insatsansvarig
    only), password, active. 201 when new, else 200."""
    return answer_response(await accounts.save_user(caller, username, details))


@router.get("/users")
async def list_users(caller: Caller, accounts: AccountsDep) -> dict:
    return {"users": await accounts.users(caller)}


@router.get("/me")
async def me(caller: Caller) -> dict:
    return {
        "username": caller.name,
        "role": caller.role.value,
        "insatser": sorted(caller.insatser),
        "token_id": caller.credential_id,
    }


@router.post("/tokens", status_code=HTTPStatus.CREATED)
async def issue_token(caller: Caller, accounts: AccountsDep, details: TokenDetails) -> JSONResponse:
    """A new API token of the user, with the user's role and grants (a förbundsadmin
    for anyone, others for themselves). `token` is shown this once."""
    return answer_response(await accounts.issue_token(caller, details))


@router.get("/tokens")
async def list_tokens(
    caller: Caller,
    accounts: AccountsDep,
    username: Annotated[str | None, Query(pattern=USERNAME_PATTERN)] = None,
) -> dict:
    """Tokens and sessions, without secrets: the caller's own, or (förbundsadmin)
    anyone's or everyone's."""
    return {"tokens": await accounts.credentials(caller, username)}


@router.delete("/tokens/{token_id}", responses=_NOT_FOUND)
async def revoke_token(
    caller: Caller, accounts: AccountsDep, token_id: Annotated[str, Path(pattern=TOKEN_ID_PATTERN)]
) -> JSONResponse:
    """Revoke a token or session at once (its owner, or a förbundsadmin). Revoking
    again answers the same."""
    return answer_response(await accounts.revoke(caller, token_id))


@router.post("/sessions", status_code=HTTPStatus.CREATED)
async def log_in(request: Request, accounts: AccountsDep, details: LoginDetails) -> JSONResponse:
    """Log in with username and password: a session `token` for a few hours (401 for a
    wrong username or password alike; 429 with Retry-After after repeated failures)."""
    client = request.client.host if request.client else "unknown"
    return answer_response(await accounts.log_in(details, client))


@router.delete("/sessions/current")
async def log_out(caller: Caller, accounts: AccountsDep) -> JSONResponse:
    """Revoke the token or session this call carries."""
    return answer_response(await accounts.log_out(caller))


@router.get("/audit")
async def audit_log(
    caller: Caller, accounts: AccountsDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict:
    """The newest accepted writes (förbundsadmin): who, with which token, what, when."""
    return {"entries": await accounts.audit_log(caller, limit)}
