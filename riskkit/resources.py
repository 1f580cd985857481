"""Files that ship with riskkit: page templates, the demo's seed data, the exercise
scenario packs and the fonts the reports embed. In the source tree they sit beside the package (templates/, seed_data/,
exercises/) and pyproject.toml maps them into it, so a checkout, an editable install and
an installed wheel all find them the same way: through importlib.resources."""

from importlib.resources import files
from pathlib import Path


def folder(name: str) -> Path:
    """The folder of riskkit.<name> (templates, seed_data, exercises or fonts) on disk."""
    return Path(str(files(f"riskkit.{name}")))
