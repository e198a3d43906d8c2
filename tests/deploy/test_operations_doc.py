"""docs/operations.md's configuration reference names exactly the variables the services read."""

import re

from shared.platform.settings import Settings
from tests.deploy.conftest import REPO


def test_the_configuration_reference_lists_every_setting_and_no_other() -> None:
    operations = (REPO / "docs" / "operations.md").read_text()
    reference = operations.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(STEGVIS_[A-Z_]+)`", reference, re.MULTILINE))
    prefix = Settings.model_config["env_prefix"]
    assert documented == {f"{prefix}{name}".upper() for name in Settings.model_fields}
