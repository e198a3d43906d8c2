"""What the services' server-rendered Swedish pages have in common: the headers
every page carries, the template environment, and the redirect after a login that never
leaves the site."""

from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

PAGE_HEADERS = {
    # Participants' data and exact counts: never cached on a shared computer.
    "Cache-Control": "no-store",
    # No scripts at all, no framing (the login forms), forms post only to us.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


_SHARED_TEMPLATES = Path(__file__).with_name("templates")
"""What every service's pages include (the navigation)."""


def template_environment(directory: Path) -> Environment:
    """The pages' templates, each compiled once a process (`auto_reload` off: no `stat` of
    every template and include on every page; a changed template takes a restart)."""
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(directory), FileSystemLoader(_SHARED_TEMPLATES)]),
        auto_reload=False,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def safe_next(target: str | None, home: str) -> str:
    """`target` when it is a path on this site, else `home` (no open redirect: `//host`,
    `/\\host` and a scheme all lead elsewhere)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not urlsplit(target).netloc
    ):
        return target
    return home
