"""Configuration: defaults, then RISKKIT_* environment variables, then overrides
passed to create_app (tests). Nothing is read at import time."""

import os
import secrets
from pathlib import Path

from riskkit.errors import ValidationError
from riskkit.logs import LEVELS

#: The checkout root: templates, seed data and exercise packs live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Return the settings for one app instance."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "riskkit.sqlite")
    settings = {
        "SQLALCHEMY_DATABASE_URI": env.get("RISKKIT_DATABASE_URL", default_db),
        # A random key per process is safe for the CLI; a server must set one so that
        # sessions survive restarts and are shared between workers.
        "SECRET_KEY": env.get("RISKKIT_SECRET_KEY") or secrets.token_hex(32),
        "SEED_DATA_DIR": env.get("RISKKIT_SEED_DATA", str(PROJECT_ROOT / "seed_data")),
        "EXERCISE_PACKS_DIR": env.get("RISKKIT_EXERCISES", str(PROJECT_ROOT / "exercises")),
        "ORGANISATION_NAME": env.get("RISKKIT_ORGANISATION", "Example County Council"),
        # Reminder emails (riskkit overdue --email).
        "SMTP": {
            "host": env.get("RISKKIT_SMTP_HOST", "localhost"),
            "port": env.get("RISKKIT_SMTP_PORT", "25"),
            "user": env.get("RISKKIT_SMTP_USER", ""),
            "password": env.get("RISKKIT_SMTP_PASSWORD", ""),
            "tls": env.get("RISKKIT_SMTP_TLS", "none"),  # none, starttls or ssl
            "from": env.get("RISKKIT_SMTP_FROM", "riskkit@localhost"),
            "base_url": env.get("RISKKIT_BASE_URL", "").rstrip("/"),
        },
        "ESCALATE_AFTER_DAYS": env.get("RISKKIT_ESCALATE_AFTER_DAYS", "30"),
        "LOG_LEVEL": _log_level(env.get("RISKKIT_LOG_LEVEL", "INFO")),
    }
    settings.update(overrides or {})
    return settings


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in LEVELS:
        raise ValidationError(f"RISKKIT_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {value!r}",
                              field="RISKKIT_LOG_LEVEL")
    return level
