"""Grafana's provisioning finds the dashboard and the data source its panels name."""

import json
from pathlib import Path

from tests.deploy.conftest import DEPLOY, compose, load_yaml

PROVISIONING = DEPLOY / "grafana" / "provisioning"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "stegvis.json"


def _mount_target(source: Path) -> str:
    relative = "./" + str(source.relative_to(DEPLOY.parent))
    for volume in compose()["services"]["grafana"]["volumes"]:
        host, target, *_ = volume.split(":")
        if host == relative:
            return target
    raise AssertionError(f"{relative} is not mounted into grafana")


def test_the_dashboard_provider_reads_where_the_dashboard_is_mounted() -> None:
    [provider] = load_yaml(PROVISIONING / "dashboards" / "stegvis.yml")["providers"]
    assert str(Path(_mount_target(DASHBOARD)).parent) == provider["options"]["path"]


def test_every_panel_queries_the_provisioned_data_source() -> None:
    [source] = load_yaml(PROVISIONING / "datasources" / "prometheus.yml")["datasources"]
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for query in [panel, *panel["targets"]]:
            assert query["datasource"] == {"type": "prometheus", "uid": source["uid"]}
