"""The navigation every page shows, by role, across the services: where each service's
pages are as the browser reaches them, and which of them a role is offered."""

from dataclasses import dataclass

from fastapi import Request

from shared.contract.access import Principal, Role
from shared.platform.settings import Settings


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Sites:
    """The base address of each service's pages. A configured one is used as it is (behind
    a proxy it may be a path, `/rapporter`); unset, the page's own host on the service's
    port, so the browser sends the same host's cookies (the people's login) to both."""

    intake_url: str | None
    intake_port: int
    reporting_url: str | None
    reporting_port: int

    @classmethod
    def of(cls, settings: Settings) -> "Sites":
        return cls(
            settings.intake_url,
            settings.intake_port,
            settings.reporting_url,
            settings.reporting_port,
        )

    def intake(self, request: Request) -> str:
        return self._base(request, self.intake_url, self.intake_port)

    def reporting(self, request: Request) -> str:
        return self._base(request, self.reporting_url, self.reporting_port)

    @staticmethod
    def _base(request: Request, configured: str | None, port: int) -> str:
        if configured is not None:
            return configured.rstrip("/")
        host = request.url.hostname or "127.0.0.1"
        if ":" in host:  # an IPv6 address, bracketed in a URL
            host = f"[{host}]"
        return f"{request.url.scheme}://{host}:{port}"

    def logout(self, request: Request) -> str:
        """Intake's logout page, which ends the people's login everywhere."""
        return f"{self.intake(request)}/logga-ut"

    def links(self, request: Request, principal: Principal) -> tuple[Link, ...]:
        """What the role is offered, in the order the navigation shows it."""
        intake, reporting = self.intake(request), self.reporting(request)
        offered = [Link("Start", f"{intake}/")]
        if principal.role is not Role.LASARE:
            offered.append(Link("Mina insatser", f"{intake}/insatser"))
        offered.append(Link("Rapporter", f"{reporting}/rapport"))
        offered.append(Link("Överblick", f"{reporting}/rapport/oversikt"))
        if principal.is_admin:
            offered.append(Link("Administration", f"{intake}/admin"))
            offered.append(Link("Felmeddelanden", f"{reporting}/rapport/felmeddelanden"))
        return tuple(offered)
