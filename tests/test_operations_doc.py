"""docs/operations.md cannot drift: every riskkit command it names exists, and it names
exactly the settings riskkit reads."""

import re
from pathlib import Path

from riskkit.config import NAMES

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "operations.md").read_text()


def test_every_command_the_guide_names_exists(app):
    named = set(re.findall(r"(?:bin/|`)riskkit ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", GUIDE))
    assert named, "the guide names no command"
    for command, sub in named:
        found = app.cli.get_command(None, command)
        assert found is not None, f"docs/operations.md names `riskkit {command}`, which does not exist"
        if sub and hasattr(found, "commands") and sub not in ("FILE",):
            assert sub in found.commands, f"`riskkit {command} {sub}` does not exist"


def test_the_guide_names_every_setting_and_no_other():
    assert set(re.findall(r"RISKKIT_[A-Z_]+[A-Z]", GUIDE)) == set(NAMES)
