"""What `riskkit check` reports: the settings in force, and whether the database and
the mail server answer. Each problem is one line an operator can act on."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field

from riskkit.config import Settings
from riskkit.services.health import health
from riskkit.services.reminders import connect


@dataclass
class Report:
    settings: list[tuple[str, str]]
    findings: list[str] = field(default_factory=list)  # what was checked and answered
    problems: list[str] = field(default_factory=list)


def check(settings: Settings, smtp: bool = True) -> Report:
    report = Report(settings.described())
    state = health()
    if state.ok:
        report.findings.append(f"Database answers, schema {state.schema} is current")
    else:
        report.problems.append(f"Database: {state.problem}")
    if not settings.base_url:
        report.problems.append("RISKKIT_BASE_URL is not set: reminder emails cannot link to riskkit")
    if smtp:
        problem = _smtp_problem(settings)
        where = f"{settings.smtp.host}:{settings.smtp.port}"
        if problem:
            report.problems.append(f"Mail server {where} (RISKKIT_SMTP_HOST, RISKKIT_SMTP_PORT): {problem}")
        else:
            report.findings.append(f"Mail server {where} answers")
    return report


def _smtp_problem(settings: Settings) -> str | None:
    """None when the server answers (and accepts the sign-in, if one is set)."""
    try:
        with connect(settings.flask_config()["SMTP"], timeout=10) as connection:
            connection.noop()
    except (OSError, smtplib.SMTPException) as error:
        return str(error) or type(error).__name__
    return None
