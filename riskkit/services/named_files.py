"""Reading the files people name on the command line (a matrix, a scenario pack, the
response roles, a mapping, readings in CSV, the demo's seed data): one set of messages
naming the file, whether it is missing, unreadable, not text at all (a workbook or a PDF
named by mistake) or not valid YAML."""

from pathlib import Path

import yaml

from riskkit.errors import ValidationError


def read_bytes(path, field: str = "file") -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ValidationError(f"Cannot read {path}: {error.strerror}", field=field) from None


def read_text(path, field: str = "file") -> str:
    try:
        return read_bytes(path, field).decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"Cannot read {path}: it is not a text file (UTF-8)", field=field) from None


def read_yaml(path, field: str = "file"):
    """The YAML (or JSON, which YAML reads too) document in the file."""
    text = read_text(path, field)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(f"{path} is not valid YAML or JSON: {error}", field=field) from None
