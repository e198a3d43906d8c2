"""The navigation's addresses: the page's own host on each service's port unless configured
(behind a proxy, a path or nothing), and the links a role is offered."""

from starlette.requests import Request

from shared.contract.access import Principal, Role
from shared.web.navigation import Sites


def _request(host: str, scheme: str = "http") -> Request:
    return Request(
        {
            "type": "http",
            "scheme": scheme,
            "server": (host, 8000),
            "path": "/",
            "headers": [(b"host", host.encode())],
            "query_string": b"",
        }
    )


def test_unset_addresses_are_the_pages_host_on_each_port() -> None:
    sites = Sites(None, 8000, None, 8001)
    assert sites.reporting(_request("stegvis.local:8000")) == "http://stegvis.local:8001"
    assert sites.intake(_request("[::1]:8001")) == "http://[::1]:8000"
    assert sites.logout(_request("localhost:8001")) == "http://localhost:8000/logga-ut"


def test_configured_addresses_are_used_as_they_are() -> None:
    behind_a_proxy = Sites("", 8000, "/", 8001)
    request = _request("stegvis.example", "https")
    assert behind_a_proxy.intake(request) == ""
    assert behind_a_proxy.reporting(request) == ""
    assert [link.href for link in behind_a_proxy.links(request, Principal("l", Role.LASARE))] == [
        "/",
        "/rapport",
        "/rapport/oversikt",
    ]


def test_each_role_is_offered_what_it_may_use() -> None:
    sites, request = Sites("", 8000, "", 8001), _request("x")
    offered = {
        role: [link.label for link in sites.links(request, Principal("p", role))] for role in Role
    }
    assert offered == {
        Role.FORBUNDSADMIN: [
            "Start",
            "Mina insatser",
            "Rapporter",
            "Överblick",
            "Administration",
            "Felmeddelanden",
        ],
        Role.INSATSANSVARIG: ["Start", "Mina insatser", "Rapporter", "Överblick"],
        Role.LASARE: ["Start", "Rapporter", "Överblick"],
    }
