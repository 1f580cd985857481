"""Settings: every RISKKIT_* environment variable is read here, once, when the app or a
command starts, into one typed Settings object. Each is checked with a message that
names it; nothing else in riskkit reads the environment. Tests pass overrides (Flask
config keys) to create_app."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from riskkit import resources
from riskkit.errors import SettingError
from riskkit.models.base import control_character

log = logging.getLogger(__name__)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SMTP_TLS = ("none", "starttls", "ssl")
YES, NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Smtp:
    """The mail server reminders go through."""

    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    tls: str = "none"  # one of SMTP_TLS
    sender: str = "riskkit@localhost"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str  # empty: one is generated and kept in the data directory
    base_url: str  # "https://risk.council.example", no trailing slash; empty when not set
    secure_cookies: bool
    proxy_hops: int
    session_idle_minutes: int
    session_max_hours: int
    log_level: str
    organisation: str
    seed_data_dir: Path
    exercises_dir: Path
    escalate_after_days: int
    # A control with no assurance in this many months is listed for the DMT.
    assurance_months: int = 12
    api_rate_limit: int = 120
    # The share (per cent) of actions to complete by their target date: an NHS trust's 80.
    action_delivery_target: int = 80
    smtp: Smtp = field(default_factory=Smtp)

    @property
    def domain(self) -> str:
        """The host of RISKKIT_BASE_URL, which names this riskkit in calendar event UIDs
        whatever address a feed is fetched through; "localhost" when it is not set."""
        return urlsplit(self.base_url).hostname or "localhost"

    def flask_config(self) -> dict:
        """The Flask config keys the app reads, all from this one object."""
        return {
            "SETTINGS": self,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SECRET_KEY": self.secret_key,
            "SEED_DATA_DIR": str(self.seed_data_dir),
            "EXERCISE_PACKS_DIR": str(self.exercises_dir),
            "ORGANISATION_NAME": self.organisation,
            "ESCALATE_AFTER_DAYS": self.escalate_after_days,
            "ASSURANCE_MONTHS": self.assurance_months,
            "API_RATE_LIMIT": self.api_rate_limit,
            "ACTION_DELIVERY_TARGET": self.action_delivery_target,
            "SESSION_IDLE_MINUTES": self.session_idle_minutes,
            "SESSION_MAX_HOURS": self.session_max_hours,
            "SECURE_COOKIES": self.secure_cookies,
            "LOG_LEVEL": self.log_level,
            "SMTP": {"host": self.smtp.host, "port": self.smtp.port, "user": self.smtp.user,
                     "password": self.smtp.password, "tls": self.smtp.tls,
                     "from": self.smtp.sender, "base_url": self.base_url},
        }

    def described(self) -> list[tuple[str, str]]:
        """(setting, value in force) for `riskkit check`, with secrets masked."""
        masked = make_url(self.database_url).render_as_string(hide_password=True)
        return [
            ("RISKKIT_DATA_DIR", str(self.data_dir)),
            ("RISKKIT_DATABASE_URL", masked),
            ("RISKKIT_SECRET_KEY", "set (hidden)" if self.secret_key
             else f"not set: kept in {self.data_dir / 'secret_key'}"),
            ("RISKKIT_BASE_URL", self.base_url or "not set"),
            ("RISKKIT_SECURE_COOKIES", "yes" if self.secure_cookies else "no"),
            ("RISKKIT_PROXY_HOPS", str(self.proxy_hops)),
            ("RISKKIT_SESSION_IDLE_MINUTES", str(self.session_idle_minutes)),
            ("RISKKIT_SESSION_MAX_HOURS", str(self.session_max_hours)),
            ("RISKKIT_LOG_LEVEL", self.log_level),
            ("RISKKIT_ORGANISATION", self.organisation),
            ("RISKKIT_SEED_DATA", str(self.seed_data_dir)),
            ("RISKKIT_EXERCISES", str(self.exercises_dir)),
            ("RISKKIT_ESCALATE_AFTER_DAYS", str(self.escalate_after_days)),
            ("RISKKIT_ASSURANCE_MONTHS", f"{self.assurance_months} months"),
            ("RISKKIT_API_RATE_LIMIT", f"{self.api_rate_limit} requests a minute per token"),
            ("RISKKIT_ACTION_DELIVERY_TARGET", f"{self.action_delivery_target}%"),
            ("RISKKIT_SMTP_HOST", self.smtp.host),
            ("RISKKIT_SMTP_PORT", str(self.smtp.port)),
            ("RISKKIT_SMTP_TLS", self.smtp.tls),
            ("RISKKIT_SMTP_USER", self.smtp.user or "not set"),
            ("RISKKIT_SMTP_PASSWORD", "set (hidden)" if self.smtp.password else "not set"),
            ("RISKKIT_SMTP_FROM", self.smtp.sender),
        ]


#: Every setting riskkit reads; docs/operations.md names each (a test checks both ways).
NAMES = (
    "RISKKIT_DATA_DIR", "RISKKIT_DATABASE_URL", "RISKKIT_SECRET_KEY", "RISKKIT_BASE_URL",
    "RISKKIT_SECURE_COOKIES", "RISKKIT_PROXY_HOPS", "RISKKIT_SESSION_IDLE_MINUTES",
    "RISKKIT_SESSION_MAX_HOURS", "RISKKIT_LOG_LEVEL", "RISKKIT_ORGANISATION",
    "RISKKIT_SEED_DATA", "RISKKIT_EXERCISES", "RISKKIT_ESCALATE_AFTER_DAYS", "RISKKIT_ASSURANCE_MONTHS",
    "RISKKIT_API_RATE_LIMIT", "RISKKIT_ACTION_DELIVERY_TARGET",
    "RISKKIT_SMTP_HOST", "RISKKIT_SMTP_PORT", "RISKKIT_SMTP_TLS", "RISKKIT_SMTP_USER",
    "RISKKIT_SMTP_PASSWORD", "RISKKIT_SMTP_FROM",
)


def default_data_dir() -> Path:
    """In a source checkout (pyproject.toml beside the package) its instance/ folder;
    for an installed package the user's data folder (~/.local/share/riskkit on Linux),
    never inside the virtual environment, which an upgrade may replace."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "instance"
    import platformdirs

    return Path(platformdirs.user_data_dir("riskkit", appauthor=False))


def from_environment(env: Mapping[str, str] | None = None) -> Settings:
    """Read and check every RISKKIT_* setting. Raises SettingError naming the first bad one."""
    read = _Reader(os.environ if env is None else env)
    data_dir = read.path("RISKKIT_DATA_DIR", default_data_dir())
    base_url = read.base_url("RISKKIT_BASE_URL")
    return Settings(
        data_dir=data_dir,
        database_url=read.database_url("RISKKIT_DATABASE_URL", f"sqlite:///{data_dir / 'riskkit.sqlite'}"),
        secret_key=read.text("RISKKIT_SECRET_KEY", ""),
        base_url=base_url,
        secure_cookies=read.yes_no("RISKKIT_SECURE_COOKIES", base_url.startswith("https://")),
        proxy_hops=read.whole("RISKKIT_PROXY_HOPS", 0, low=0, high=5),
        session_idle_minutes=read.whole("RISKKIT_SESSION_IDLE_MINUTES", 60, low=1, high=10_080),
        session_max_hours=read.whole("RISKKIT_SESSION_MAX_HOURS", 12, low=1, high=720),
        log_level=read.choice("RISKKIT_LOG_LEVEL", "INFO", LOG_LEVELS, upper=True),
        organisation=read.text("RISKKIT_ORGANISATION", "Example County Council"),
        seed_data_dir=read.folder("RISKKIT_SEED_DATA", resources.folder("seed_data")),
        exercises_dir=read.folder("RISKKIT_EXERCISES", resources.folder("exercises")),
        escalate_after_days=read.whole("RISKKIT_ESCALATE_AFTER_DAYS", 30, low=1, high=3650),
        assurance_months=read.whole("RISKKIT_ASSURANCE_MONTHS", 12, low=1, high=120),
        api_rate_limit=read.whole("RISKKIT_API_RATE_LIMIT", 120, low=1, high=100_000),
        action_delivery_target=read.whole("RISKKIT_ACTION_DELIVERY_TARGET", 80, low=1, high=100),
        smtp=Smtp(
            host=read.text("RISKKIT_SMTP_HOST", "localhost"),
            port=read.whole("RISKKIT_SMTP_PORT", 25, low=1, high=65535),
            user=read.text("RISKKIT_SMTP_USER", ""),
            password=read.text("RISKKIT_SMTP_PASSWORD", ""),
            tls=read.choice("RISKKIT_SMTP_TLS", "none", SMTP_TLS),
            sender=read.text("RISKKIT_SMTP_FROM", "riskkit@localhost"),
        ),
    )


class _Reader:
    """Typed reads of the environment; an empty value counts as not set."""

    def __init__(self, env: Mapping[str, str]):
        self.env = env

    def _raw(self, name: str) -> str:
        return (self.env.get(name) or "").strip()

    def text(self, name: str, default: str) -> str:
        value = self._raw(name)
        if control_character(value) is not None:
            raise SettingError(f"{name} must not hold control characters or line breaks", name)
        return value or default

    def whole(self, name: str, default: int, low: int, high: int) -> int:
        value = self._raw(name)
        if not value:
            return default
        if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
            raise SettingError(f"{name} must be a whole number from {low} to {high}, not {value!r}", name)
        return int(value)

    def yes_no(self, name: str, default: bool) -> bool:
        value = self._raw(name).lower()
        if not value:
            return default
        if value not in YES | NO:
            raise SettingError(f"{name} must be yes or no, not {value!r}", name)
        return value in YES

    def choice(self, name: str, default: str, choices: tuple[str, ...], upper: bool = False) -> str:
        value = self._raw(name)
        value = value.upper() if upper else value.lower()
        if not value:
            return default
        if value not in choices:
            raise SettingError(f"{name} must be one of {', '.join(choices)}, not {value!r}", name)
        return value

    def path(self, name: str, default: Path) -> Path:
        value = self._raw(name)
        return Path(value).expanduser().resolve() if value else default

    def folder(self, name: str, default: Path) -> Path:
        folder = self.path(name, default)
        if not folder.is_dir():
            raise SettingError(f"{name} is {str(folder)!r}, which is not a folder", name)
        return folder

    def database_url(self, name: str, default: str) -> str:
        value = self._raw(name) or default
        try:
            url = make_url(value)
        except ArgumentError:
            raise SettingError(f"{name} is not a database URL (like postgresql://user:password@host/"
                               "name or sqlite:////path/riskkit.sqlite)", name) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise SettingError(f"{name} must be a sqlite:// or postgresql:// URL, not"
                               f" {url.get_backend_name()}://", name)
        return value

    def base_url(self, name: str) -> str:
        value = self._raw(name).rstrip("/")
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.hostname
                      or parts.query or parts.fragment):
            raise SettingError(f"{name} must be the address people open riskkit at, like"
                               f" https://risk.council.example, not {value!r}", name)
        return value


def secret_key(settings: Settings) -> str:
    """RISKKIT_SECRET_KEY, or the key kept in the data directory (made on first use), so
    sign-ins survive restarts and every process on one data directory shares it."""
    return settings.secret_key or stored_secret_key(settings.data_dir)


def stored_secret_key(folder: Path) -> str:
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
                           " RISKKIT_SECRET_KEY", "RISKKIT_SECRET_KEY") from None
    if len(key) < 32:
        raise SettingError(f"The secret key in {path} is too short: delete the file to make a new"
                           " one, or set RISKKIT_SECRET_KEY", "RISKKIT_SECRET_KEY")
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
