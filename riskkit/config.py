"""Configuration: defaults, then RISKKIT_* environment variables, then overrides
passed to create_app (tests). Nothing is read at import time."""

import os
import secrets
from pathlib import Path

from riskkit import resources


def data_dir() -> Path:
    """Where the SQLite database and other instance files live: RISKKIT_DATA_DIR if set;
    in a source checkout (pyproject.toml beside the package) its instance/ folder, as
    before; for an installed package the user's data folder (~/.local/share/riskkit on
    Linux), never inside the virtual environment."""
    if os.environ.get("RISKKIT_DATA_DIR"):
        return Path(os.environ["RISKKIT_DATA_DIR"]).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "instance"
    import platformdirs

    return Path(platformdirs.user_data_dir("riskkit", appauthor=False))


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Return the settings for one app instance."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "riskkit.sqlite")
    settings = {
        "SQLALCHEMY_DATABASE_URI": env.get("RISKKIT_DATABASE_URL", default_db),
        # A random key per process is safe for the CLI; a server must set one so that
        # sessions survive restarts and are shared between workers.
        "SECRET_KEY": env.get("RISKKIT_SECRET_KEY") or secrets.token_hex(32),
        "SEED_DATA_DIR": env.get("RISKKIT_SEED_DATA", str(resources.folder("seed_data"))),
        "EXERCISE_PACKS_DIR": env.get("RISKKIT_EXERCISES", str(resources.folder("exercises"))),
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
    }
    settings.update(overrides or {})
    return settings
