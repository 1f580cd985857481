"""One logging set-up for the web app and the CLI: riskkit's own lines (and waitress's)
go to stderr, one line each (a traceback follows its line), at RISKKIT_LOG_LEVEL."""

import logging
import sys
import time

#: The loggers configured here; others (alembic's, Python's last resort) keep their own.
LOGGERS = ("riskkit", "waitress")


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, not the one there when riskkit started
    (test runners swap it), so one handler serves every app a process builds."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass  # StreamHandler sets it in __init__; the property always reads sys.stderr


class _Formatter(logging.Formatter):
    converter = time.gmtime  # UTC, so lines from servers in different places sort together

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + \
            f".{int(record.msecs):03d}Z"


_handler = _Stderr()
_handler.setFormatter(_Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def configure(level: str) -> None:
    """Send riskkit's and waitress's log lines to stderr at `level` (idempotent: every
    create_app calls it)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
        # Not also through the root logger, where migrations install a handler of their own.
        logger.propagate = False
