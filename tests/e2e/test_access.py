"""Accounts across the whole system under `stegvis up`: a user and token made at intake are
known to reporting moments later, with the same grants; a revocation, a deactivation or a
change of grants at intake applies at reporting too."""

import time

import httpx

from tests.e2e.conftest import System

PASSWORD = "ett långt lösenord 42"


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), f"{response.status_code} {response.text}"
    return response.json()


def _report_status(system: System, secret: str, insats: str | None) -> int:
    params = {"year": 2025, "period": "helar"} | ({"insats": insats} if insats else {})
    headers = {"Authorization": f"Bearer {secret}"}
    return system.reporting.get("/api/v1/reports", params=params, headers=headers).status_code


def _eventually(read, expected, seconds: float = 30):
    """Poll `read()` until it returns `expected` (the access stream takes a moment)."""
    deadline = time.monotonic() + seconds
    while (found := read()) != expected:
        assert time.monotonic() < deadline, f"still {found}, expected {expected}"
        time.sleep(0.1)


def test_reporting_knows_intakes_users_and_follows_every_change(system: System) -> None:
    intake = system.intake
    for insats in ("a", "b"):
        _ok(
            intake.put(
                f"/api/v1/insatser/{insats}",
                json={"name": insats.upper(), "registration": "individ"},
            )
        )
    _ok(
        intake.put(
            "/api/v1/users/ivan",
            json={"role": "insatsansvarig", "insatser": ["a"], "password": PASSWORD},
        )
    )
    _ok(intake.put("/api/v1/users/lisa", json={"role": "lasare"}))
    ivan = _ok(intake.post("/api/v1/tokens", json={"username": "ivan"}))
    lisa = _ok(intake.post("/api/v1/tokens", json={"username": "lisa"}))

    def ivans() -> tuple[int, int, int]:
        return tuple(_report_status(system, ivan["token"], insats) for insats in ("a", "b", None))

    _eventually(ivans, (200, 403, 403))
    _eventually(lambda: _report_status(system, lisa["token"], None), 200)

    # A login at intake is a session reporting accepts too.
    login = {"username": "ivan", "password": PASSWORD}
    session = _ok(intake.post("/api/v1/sessions", json=login))
    _eventually(lambda: _report_status(system, session["token"], "a"), 200)

    _ok(intake.put("/api/v1/users/ivan", json={"role": "insatsansvarig", "insatser": ["b"]}))
    _eventually(ivans, (403, 200, 403))

    _ok(intake.delete(f"/api/v1/tokens/{ivan['token_id']}"))
    _eventually(ivans, (401, 401, 401))
    assert _report_status(system, session["token"], "b") == 200  # only that token was revoked

    _ok(intake.put("/api/v1/users/ivan", json={"role": "insatsansvarig", "active": False}))
    _eventually(lambda: _report_status(system, session["token"], "b"), 401)
    assert _report_status(system, lisa["token"], "a") == 200
