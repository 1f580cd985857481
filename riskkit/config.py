"""Configuration: defaults, then RISKKIT_* environment variables, then overrides
passed to create_app (tests). Nothing is read at import time."""

import logging
import os
import secrets
import tempfile
from pathlib import Path

import click

#: The checkout root: templates, seed data and exercise packs live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)

YES = {"1", "true", "yes", "on"}
NO = {"0", "false", "no", "off"}


class SettingError(click.ClickException):
    """A RISKKIT_* setting riskkit cannot use: one line naming it, at start."""


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Return the settings for one app instance."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "riskkit.sqlite")
    settings = {
        "SQLALCHEMY_DATABASE_URI": env.get("RISKKIT_DATABASE_URL", default_db),
        # Without one, a key kept in the instance folder (see _stored_secret_key).
        "SECRET_KEY": env.get("RISKKIT_SECRET_KEY", ""),
        # Sign-ins end after this long without a request, and this long after signing in.
        "SESSION_IDLE_MINUTES": _whole_number(env, "RISKKIT_SESSION_IDLE_MINUTES", 60),
        "SESSION_MAX_HOURS": _whole_number(env, "RISKKIT_SESSION_MAX_HOURS", 12),
        # Cookies only over HTTPS, and HSTS: on when the site's address is https.
        "SECURE_COOKIES": _yes_no(env, "RISKKIT_SECURE_COOKIES",
                                  env.get("RISKKIT_BASE_URL", "").startswith("https://")),
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
    }
    settings.update(overrides or {})
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _stored_secret_key(Path(instance_path))
    return settings


def _whole_number(env, name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SettingError(f"{name} must be a whole number of 1 or more, not {value!r}")
    return int(value)


def _yes_no(env, name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in YES | NO:
        raise SettingError(f"{name} must be yes or no, not {value!r}")
    return value in YES


def _stored_secret_key(folder: Path) -> str:
    """The key in FOLDER/secret_key, made on first use. It is written to a private
    temporary file and then linked into place, which fails if the file exists: so two
    processes starting together end up with one key, and none reads a half-written one."""
    path = folder / "secret_key"
    try:
        if not path.exists():
            _make_secret_key(path)
        key = path.read_text().strip()
    except OSError as error:
        raise SettingError(f"Cannot keep a secret key in {path} ({error.strerror}): set"
                           " RISKKIT_SECRET_KEY") from None
    if len(key) < 32:
        raise SettingError(f"The secret key in {path} is too short: delete the file to make a new"
                           " one, or set RISKKIT_SECRET_KEY")
    return key


def _make_secret_key(path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        os.link(temporary, path)
        log.warning("No RISKKIT_SECRET_KEY is set: generated a secret key and kept it in %s"
                    " (readable by its owner only). A production set-up names its own.", path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        os.unlink(temporary)
