"""Prometheus's configuration and rules, checked by promtool itself, and against the compose
file and docs/operations.md they refer to."""

import re
import subprocess
from pathlib import Path

from tests.deploy.conftest import (
    DEPLOY,
    REPO,
    compose,
    load_yaml,
    port_variable,
    required_tool,
    stegvis_services,
)

PROMETHEUS = DEPLOY / "prometheus"
INSTALL = "apt-get install prometheus"


def _promtool(*args: str | Path, cwd: Path = REPO) -> None:
    result = subprocess.run(
        [required_tool("promtool", INSTALL), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_configuration() -> None:
    _promtool("check", "config", PROMETHEUS / "prometheus.yml")


def test_promtool_accepts_the_rules() -> None:
    _promtool("check", "rules", PROMETHEUS / "alerts.yml")


def test_the_rules_fire_when_they_should_and_only_then() -> None:
    """The cases of alerts_test.yml: freshness, lag, dead letters, service down, outbox, 5xx."""
    here = Path(__file__).parent
    _promtool("test", "rules", "alerts_test.yml", cwd=here)


def test_every_compose_service_is_scraped_at_its_port() -> None:
    config = compose()
    targets = {
        target
        for job in load_yaml(PROMETHEUS / "prometheus.yml")["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    expected = {
        f"{name}:{service['environment'][port_variable(service)]}"
        for name, service in stegvis_services(config).items()
    }
    assert expected <= targets


def _github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_alert_explains_itself_and_links_to_its_runbook() -> None:
    operations = (REPO / "docs" / "operations.md").read_text()
    anchors = {
        _github_anchor(line.lstrip("#")) for line in operations.splitlines() if line.startswith("#")
    }
    alerts = [
        rule
        for group in load_yaml(PROMETHEUS / "alerts.yml")["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]
    assert len(alerts) >= 5
    for alert in alerts:
        annotations = alert["annotations"]
        assert annotations["summary"] and annotations["description"], alert["alert"]
        document, _, anchor = annotations["runbook"].partition("#")
        assert document == "docs/operations.md", alert["alert"]
        assert anchor in anchors, f"{alert['alert']}: no section #{anchor} in {document}"
