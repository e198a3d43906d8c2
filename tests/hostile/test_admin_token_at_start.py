"""A service started through the CLI refuses a missing, short or placeholder admin token:
it exits non-zero with a message naming the variable, before it serves or connects to
anything. (`stegvis up` generates one when none is given, but checks one that is.)
Outcomes serves no authenticated route and reads no token."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.platform.settings import Settings

REPO = Path(__file__).resolve().parents[2]

MISSING, SHORT, PLACEHOLDER = None, "0123456789abcde", "change-me-to-a-long-secret"
TOO_SHORT = "STEGVIS_ADMIN_TOKEN must be set to a secret of at least 16 characters"
NOT_A_SECRET = "STEGVIS_ADMIN_TOKEN looks like a placeholder, not a secret"


def _start(command: str, token: str | None, data_dir: Path) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("STEGVIS_")
    }
    environment |= {
        "STEGVIS_DATA_DIR": str(data_dir),
        # Never reached: the token is checked first.
        "STEGVIS_REDIS_URL": "redis://127.0.0.1:1/0",
        "STEGVIS_INTAKE_PORT": "1",
        "STEGVIS_REPORTING_PORT": "1",
        "STEGVIS_OUTCOMES_PORT": "1",
    }
    if token is not None:
        environment["STEGVIS_ADMIN_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "services.cli", command],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (MISSING, TOO_SHORT),
        (SHORT, TOO_SHORT),
        (PLACEHOLDER, NOT_A_SECRET),
        ("EXAMPLE-token-0123456789", NOT_A_SECRET),
        ("abcabcabcabcabcabc", NOT_A_SECRET),  # fewer than 8 distinct characters
    ],
    ids=["missing", "short", "placeholder", "example", "repetitive"],
)
def test_the_admin_token_must_look_like_a_secret(token: str | None, message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        Settings(admin_token=token).required_admin_token()
    assert Settings(admin_token="k3Jx9-generated-secret").required_admin_token()


@pytest.mark.parametrize(
    ("command", "token", "message"),
    [
        ("intake", MISSING, TOO_SHORT),
        ("reporting", PLACEHOLDER, NOT_A_SECRET),
        ("up", SHORT, TOO_SHORT),
    ],
    ids=["intake-missing", "reporting-placeholder", "up-short"],
)
def test_start_up_through_the_cli_refuses_it(
    command: str, token: str | None, message: str, tmp_path: Path
) -> None:
    started = _start(command, token, tmp_path)
    assert started.returncode != 0
    assert message in started.stderr, started.stderr
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "intake.db").exists() and not (tmp_path / "reporting.db").exists()
