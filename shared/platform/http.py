"""HTTP plumbing every service shares: bearer auth, the 422, 415 and 413 bodies, /health,
/metrics, request metrics, a request body limit, and running an app under uvicorn."""

import gc
import hmac
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import AfterValidator, ValidationError
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from shared.contract.access import ADMIN, SECRET_PREFIX, Principal
from shared.contract.identity import IdentityFree
from shared.platform.asyncapi import stream_specification

HTTP_REQUESTS = Counter(
    "stegvis_http_requests_total", "HTTP requests answered.", ["route", "method", "status"]
)
HTTP_SECONDS = Histogram(
    "stegvis_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["route", "method"],
)


def _printable_ascii(value: str) -> str:
    # A header arrives as Latin-1: an en dash or an å typed in a key arrives garbled.
    if not (value.isascii() and value.isprintable()):
        raise PydanticCustomError(
            "header_characters",
            "must be printable ASCII characters only: a header is read as Latin-1, so a "
            "character such as an en dash or å would arrive garbled",
        )
    return value


IdempotencyHeader = Annotated[
    Annotated[IdentityFree, AfterValidator(_printable_ascii)] | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200),
]
"""A command's Idempotency-Key (stored with its answer, so never an identity number)."""

NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""`FastAPI(telemetry=…)`: FastAPI's own OpenTelemetry off. Without an SDK (only the API is
installed) it never emits, yet it asked the global providers whether one was set up on every
request (~6 µs of CPU each); our metrics are Prometheus's (`RequestMetrics`)."""

_bearer = HTTPBearer(auto_error=False)
MAX_SECRET_LENGTH = 100
"""Longer than any secret of ours (`new_secret`) or sensible admin token."""

PrincipalLookup = Callable[[str], Awaitable[Principal | None]]
"""The principal a secret stands for (None: unknown, expired, revoked or deactivated)."""


def authenticator(admin_token: str, lookup: PrincipalLookup) -> PrincipalLookup:
    """The admin token, else a credential the service's access tables know."""

    async def principal_of(secret: str) -> Principal | None:
        if hmac.compare_digest(secret.encode(), admin_token.encode()):
            return ADMIN
        if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
            return None  # not one of ours: spare the database
        return await lookup(secret)

    return principal_of


def bearer_auth(principal_of: PrincipalLookup) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits a caller whose bearer token stands for a principal."""

    async def authenticate(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing bearer token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = await principal_of(credentials.credentials)
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "unknown, expired or revoked token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return principal

    return authenticate


def forbid_unless(allowed: bool, why: str) -> None:
    """403 with the reason, unless the caller is `allowed`."""
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, why)


class FieldError(Exception):
    """Input that is well-formed but wrong given stored state (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def field_errors_body(errors: list[tuple[str, str, str]]) -> dict:
    """The 422 body: every offending field with the reason, as `(field, message, type)`."""
    return {
        "detail": [
            {"field": field, "loc": field.split("."), "msg": message, "type": type_}
            for field, message, type_ in errors
        ]
    }


def _field_name(loc: tuple) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    # A refused mapping key is named `mapping.[key]`: the key is input, never echoed.
    parts = [part for part, after in zip(parts, [*parts[1:], ""]) if after != "[key]"]
    return ".".join(parts) or "body"


def _error(item: Mapping[str, Any]) -> tuple[str, str, str]:
    if item["type"] == "json_invalid":  # its loc is ("body", offset): no field to name
        reason = f"not valid JSON at character {item['loc'][-1]}: {item['ctx']['error']}"
        return "body", reason, item["type"]
    return _field_name(tuple(item["loc"])), item["msg"], item["type"]


def validation_errors(
    error: RequestValidationError | ValidationError,
) -> list[tuple[str, str, str]]:
    return [_error(item) for item in error.errors()]


def _number_too_long(error: BaseException | None) -> bool:
    # Python refuses to read an integer of more digits than its limit (a ValueError).
    return isinstance(error, ValueError) and "integer string conversion" in str(error)


class BodyLimit:
    """Pure ASGI middleware: a request body over `max_bytes` is answered 413, unread when its
    Content-Length says so, else as soon as what arrived passes the limit.

    (Starlette's own limit answers plain text; this one answers the JSON every error has.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"the request body is larger than {self.max_bytes} bytes"
        declared, chunked = _body_framing(scope)
        if declared.isdigit():
            if int(declared) > self.max_bytes:
                await JSONResponse({"detail": too_large}, 413)(scope, receive, send)
                return
            if not chunked:
                # The server delivers no more than the declared length (HTTP/1.1's framing):
                # nothing to count (a wrapper around every receive cost ~5 µs a request).
                await self.app(scope, receive, send)
                return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # Raised where the app reads the body; its exception handler answers it.
                raise HTTPException(413, too_large)
            return message

        await self.app(scope, receive_within_limit, send)


def _body_framing(scope: Scope) -> tuple[str, bool]:
    """The request's Content-Length ("" without one) and whether a Transfer-Encoding is
    declared too, which then frames the body instead (read from the raw headers: `Headers`
    decodes every header to find one)."""
    declared, chunked = "", False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = value.decode("latin-1")
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


ResponseObserver = Callable[["Answered"], None]


@dataclass(frozen=True)
class Answered:
    """One answered HTTP request, as request observers see it."""

    method: str
    path: str
    """The raw path requested."""
    route: str
    """The matched route's template (`/api/v1/insatser/{insats_id}`), or "unmatched"."""
    status: int
    seconds: float


class RequestMetrics:
    """Pure ASGI middleware: counts and times every HTTP request by route template, method
    and status, then tells the app's other observers (`observe_responses`).

    Unlike `@app.middleware("http")` (Starlette's BaseHTTPMiddleware) it runs no task and no
    memory streams per request: it only wraps `send` to see the status.
    """

    def __init__(self, app: ASGIApp, observers: list[ResponseObserver] | None = None) -> None:
        self.app = app
        self._observers = observers if observers is not None else []
        self._series: dict[tuple[str, str, int], tuple[Histogram, Counter]] = {}
        """The histogram's and the counter's series of each (route, method, status):
        prometheus_client's `labels` checks and locks on every call (~5 µs a request)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before a response starts

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        except Exception:
            self._answered(scope, status, started)  # the server answers 500 if nothing was sent
            raise
        self._answered(scope, status, started)

    def _answered(self, scope: Scope, status: int, started: float) -> None:
        # The router stored the matched route in the scope, which it shares with us.
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        answered = Answered(
            scope["method"], scope["path"], route, status, time.perf_counter() - started
        )
        key = (route, answered.method, status)
        if (series := self._series.get(key)) is None:
            series = self._series[key] = (
                HTTP_SECONDS.labels(route, answered.method),
                HTTP_REQUESTS.labels(route, answered.method, str(status)),
            )
        seconds, requests = series
        seconds.observe(answered.seconds)
        requests.inc()
        for observer in self._observers:
            observer(answered)


def response_observers(app: FastAPI) -> list[ResponseObserver]:
    """The app's list of request observers, which `RequestMetrics` calls after each answer."""
    observers = getattr(app.state, "stegvis_response_observers", None)
    if observers is None:
        observers = app.state.stegvis_response_observers = []
    return observers


def observe_responses(app: FastAPI, observer: ResponseObserver) -> None:
    """Call `observer` after every HTTP request the app answers (installed before it starts;
    `install_common_routes` installs the middleware that calls it)."""
    response_observers(app).append(observer)


def install_common_routes(
    app: FastAPI,
    ready: Callable[[], Awaitable[bool]],
    dependencies: Callable[[], Awaitable[dict[str, bool]]],
    stream_prefix: str,
    max_request_bytes: int,
    trusted_proxies: list[str] | None = None,
) -> None:
    """422 and 415 bodies, the body limit, request metrics, the client address behind
    `trusted_proxies` (`STEGVIS_TRUSTED_PROXIES`), `GET /health`, `GET /ready`,
    `GET /metrics` and `GET /asyncapi.json`.

    `/health`: the service started and its workers run (what `stegvis up` and compose wait
    for). `/ready`: what it depends on answers right now (each check by name).
    `/asyncapi.json`: the event streams, as named with this system's `stream_prefix`.
    """

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI hands a body it did not parse as JSON (not declared JSON) on as bytes.
        if isinstance(error.body, bytes):
            declared = request.headers.get("content-type") or "none"
            return JSONResponse(
                {
                    "detail": f"the body must be JSON, sent as Content-Type: application/json "
                    f"(got {declared})"
                },
                status_code=415,
            )
        return JSONResponse(field_errors_body(validation_errors(error)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _number_too_long(error.__cause__):  # FastAPI answers its JSON parser's error 400
            reason = f"a number in the body has more than {sys.get_int_max_str_digits()} digits"
            return JSONResponse(field_errors_body([("body", reason, "value_error")]), 422)
        return await http_exception_handler(request, error)

    @app.exception_handler(FieldError)
    async def _invalid_field(_request: Request, error: FieldError) -> JSONResponse:
        return JSONResponse(
            field_errors_body([(error.field, error.message, "value_error")]), status_code=422
        )

    app.add_middleware(BodyLimit, max_bytes=max_request_bytes)
    if trusted_proxies:
        # The client and scheme a trusted proxy forwarded; from anyone else, the headers
        # are ignored (so a login's address is the peer's, not one it made up).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted_proxies)
    app.add_middleware(RequestMetrics, observers=response_observers(app))  # outermost: sees 413s

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        if await ready():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "starting"}, status_code=503)

    @app.get("/ready", include_in_schema=False)
    async def readiness() -> JSONResponse:
        checks = await dependencies()
        return JSONResponse(checks, status_code=200 if all(checks.values()) else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        return JSONResponse(stream_specification(stream_prefix))


def _freeze_the_loaded_heap() -> None:
    """Everything loaded by now (modules, the app, pydantic's and SQLAlchemy's compiled
    schemas) lives as long as the process: the cyclic collector never walks it again.

    Its older generations' collections walked those hundreds of thousands of objects again
    and again (in process, a change parsed in 52 µs with it so, 38 µs with the heap frozen,
    14 µs with no collector; a higher first threshold saved a little more in the services
    but raised reporting's peak memory past the flat bound)."""
    gc.collect()
    gc.freeze()


def serve(app: FastAPI, host: str, port: int) -> None:
    """Run until SIGINT/SIGTERM; uvicorn runs the app's lifespan shutdown on either."""
    _freeze_the_loaded_heap()
    # No proxy headers here: uvicorn would believe them from 127.0.0.1 by default; the app
    # believes them from `STEGVIS_TRUSTED_PROXIES` only (`install_common_routes`).
    uvicorn.run(
        app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False
    )
