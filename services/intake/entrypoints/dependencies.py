"""What intake's JSON API routes depend on, as `Annotated` dependencies: the composition
root (`bootstrap`) puts an `IntakeApi` on `app.state.intake`, the routes read it here.

Every dependency is `async def`, even one that awaits nothing: FastAPI runs a plain `def`
dependency in a worker thread, a thread hand-off per dependency and request."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.intake.domain.errors import NotFound
from services.intake.domain.participant_codes import participant_code
from services.intake.service_layer.accounts import Accounts
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract import events
from shared.contract.access import Principal
from shared.contract.events import EVENT_ID_PATTERN

_NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""Text no database stores is refused as such (422); any other unknown code is 404."""

Authenticate = Callable[[HTTPAuthorizationCredentials | None], Awaitable[Principal]]


@dataclass(frozen=True)
class IntakeApi:
    authenticate: Authenticate
    """`shared.platform.http.bearer_auth`'s dependency, called with the bearer credentials."""
    new_uow: Callable[[], UnitOfWork]
    accounts: Accounts


def intake_api(request: Request) -> IntakeApi:
    """The app's `IntakeApi`, read by a dependency that reads the request anyway: every
    dependency FastAPI solves costs CPU on every request (a start's were a seventh of it)."""
    api: IntakeApi = request.app.state.intake
    return api


async def _api(request: Request) -> IntakeApi:
    return intake_api(request)


Api = Annotated[IntakeApi, Depends(_api)]


class _BearerCaller(HTTPBearer):
    """The caller the request's bearer token stands for: the security scheme authenticates
    itself, one dependency for FastAPI to solve where a dependency on the scheme was two (a
    level of `solve_dependencies` cost ~10 µs of CPU a request). The OpenAPI document names
    the same scheme."""

    def __init__(self) -> None:
        super().__init__(scheme_name=HTTPBearer.__name__, auto_error=False)

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        credentials = await super().__call__(request)
        return await intake_api(request).authenticate(credentials)


async def _new_uow(api: Api) -> Callable[[], UnitOfWork]:
    return api.new_uow


async def _accounts(api: Api) -> Accounts:
    return api.accounts


async def _participant_id(
    participant_id: Annotated[
        str, Path(pattern=_NO_CONTROL_CHARACTERS, description="The participant's code, any case")
    ],
) -> str:
    code = participant_code(participant_id)
    if code is None:  # an unknown code, like any other (contract v1.1)
        raise NotFound(f"no participant {participant_id}")
    return code


def fingerprinted_path(request: Request) -> str:
    """The request's path as its command reads it, for the Idempotency-Key's fingerprint:
    the participant's code as stored, so a retry writing the code in another case is the
    same request and gets the first answer."""
    params = dict(request.path_params)
    if (code := participant_code(params.get("participant_id", ""))) is not None:
        params["participant_id"] = code
    path_format: str = request.scope["route"].path_format
    return path_format.format(**params)


Caller = Annotated[Principal, Depends(_BearerCaller())]
NewUow = Annotated[Callable[[], UnitOfWork], Depends(_new_uow)]
AccountsDep = Annotated[Accounts, Depends(_accounts)]
InsatsId = Annotated[events.InsatsId, Path()]
ParticipantId = Annotated[str, Depends(_participant_id)]
"""As stored: upper case."""
EventId = Annotated[str, Path(pattern=EVENT_ID_PATTERN)]
