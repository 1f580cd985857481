"""Docs that cannot drift: every command and option is in docs/cli.md."""

from pathlib import Path

import click

PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the checkout

REFERENCE = (PROJECT_ROOT / "docs" / "cli.md").read_text()


def _commands(group, prefix="riskkit"):
    # Through list_commands and get_command: riskkit's commands are loaded when asked for.
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        path = f"{prefix} {name}"
        yield path, command
        # `riskkit db` is Flask-Migrate's own group, documented by Flask-Migrate.
        if isinstance(command, click.Group) and path != "riskkit db":
            yield from _commands(command, path)


def test_every_command_and_option_is_documented(app):
    missing = []
    for path, command in _commands(app.cli):
        if f"### {path}\n" not in REFERENCE:
            missing.append(f"heading '### {path}'")
            continue
        section = REFERENCE.split(f"### {path}\n", 1)[1].split("\n### ", 1)[0]
        for param in [] if path == "riskkit db" else command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help" and option not in section:
                    missing.append(f"{option} under {path}")
    assert missing == []
