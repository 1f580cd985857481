"""Signing in and staying signed in: password checks slowed down by account and by
client address, and the rule for when a session ends. The policy is in docs/security.md."""

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from riskkit.clock import aware
from riskkit.errors import ValidationError
from riskkit.extensions import db
from riskkit.models import SignInThrottle, User
from riskkit.models.people import verify_nobody

#: Tries checked at once for one account from one address, and from one address in all.
ACCOUNT_FREE_TRIES = 5
ADDRESS_FREE_TRIES = 30
#: After the free tries each try waits before it is checked: 30 s, 1, 2, 4, 8 then 15 minutes.
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(minutes=15)
#: A key with no try for this long starts again with its free tries.
FORGET_AFTER = timedelta(hours=1)
#: Requests racing for the same key retry this often before giving up.
RACE_RETRIES = 50

WRONG = "The email address or password is not right"


def sign_in(email: str, password: str, address: str, now: datetime) -> User:
    """The user with this email and password, or ValidationError (on "email"). Each try
    is counted before the password is checked, so requests racing each other cannot get
    more tries than allowed; a wrong password, an unknown email and an account that
    cannot sign in take the same time and get the same answer."""
    email = (email or "").strip().lower()
    account, client = _key("account", address, email), _key("address", address)
    # Counters forgotten anyway are removed, so typing made-up emails cannot fill the table.
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.last_try_at < now - FORGET_AFTER))
    _take_try(account, ACCOUNT_FREE_TRIES, now)
    _take_try(client, ADDRESS_FREE_TRIES, now)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_nobody(password)
        raise ValidationError(WRONG, "email")
    if not user.check_password(password):
        raise ValidationError(WRONG, "email")
    # Success clears the account's count here, and gives the address its try back (so
    # an office behind one address is not slowed by its own sign-ins).
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == account))
    db.session.execute(update(SignInThrottle).where(
        SignInThrottle.key == client, SignInThrottle.tries > 0).values(
        tries=SignInThrottle.tries - 1, version=SignInThrottle.version + 1))
    db.session.commit()
    return user


def user_for_session(session_id: str) -> User | None:
    """The user a session cookie names ("id:token"), if the token is still theirs and
    they may sign in."""
    user_id, _, token = (session_id or "").partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def session_expired(signed_in_at: float | None, seen_at: float | None, now: float,
                    idle_minutes: int, max_hours: int) -> bool:
    """Whether a session (times in seconds since the epoch) has been idle too long or
    has reached its absolute lifetime. A session without times predates them: ended."""
    if signed_in_at is None or seen_at is None:
        return True
    return now - seen_at > idle_minutes * 60 or now - signed_in_at > max_hours * 3600


def _key(kind: str, *parts: str) -> str:
    # Hashed: a fixed length whatever is typed, and no email addresses kept at rest.
    return f"{kind} " + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _take_try(key: str, free: int, now: datetime) -> None:
    """Count one try for KEY, or refuse it with how long to wait. Compare-and-set on the
    row's version: of requests that read the same count only one writes the next."""
    table = SignInThrottle.__table__
    for _ in range(RACE_RETRIES):
        row = db.session.execute(select(
            table.c.tries, table.c.last_try_at, table.c.next_try_at, table.c.version,
        ).where(table.c.key == key)).one_or_none()
        if row is None:
            values = dict(key=key, tries=1, last_try_at=now, next_try_at=now + _delay(1, free),
                          version=1)
            # Each database's own upsert; its dialect module is imported here, on first
            # use, rather than by every command that starts the app.
            from sqlalchemy.dialects import postgresql, sqlite

            insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert
            # RETURNING, not rowcount: psycopg reports no rowcount for an INSERT here.
            if db.session.execute(insert(table).values(**values).on_conflict_do_nothing()
                                  .returning(table.c.key)).first():
                db.session.commit()
                return
            db.session.rollback()
            continue
        tries, last_try_at, next_try_at = row.tries, aware(row.last_try_at), aware(row.next_try_at)
        if now - last_try_at >= FORGET_AFTER:
            tries = 0
        elif tries >= free and now < next_try_at:  # (requests overlap: `now`s are not in order)
            raise ValidationError("Too many failed attempts to sign in from here. Wait"
                                  f" {_wait_words(next_try_at - now)} and try again.", "email")
        taken = db.session.execute(update(table).where(
            table.c.key == key, table.c.version == row.version).values(
            tries=tries + 1, last_try_at=now, next_try_at=now + _delay(tries + 1, free),
            version=row.version + 1))
        if taken.rowcount:
            db.session.commit()
            return
        db.session.rollback()
    raise ValidationError("Too many people are signing in at once: try again.", "email")


def _delay(tries: int, free: int) -> timedelta:
    """How long the try after the TRIES-th waits."""
    if tries < free:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(tries - free, 16), LONGEST_DELAY)


def _wait_words(wait: timedelta) -> str:
    seconds = math.ceil(wait.total_seconds())
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
