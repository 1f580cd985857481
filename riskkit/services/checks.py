"""What `riskkit check` reports: the settings in force, and whether the database and
the mail server answer. Each problem is one line an operator can act on."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field

from riskkit.config import Settings
from riskkit.services.health import health


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
    smtp = settings.smtp
    try:
        if smtp.tls == "ssl":
            connection = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=10,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(smtp.host, smtp.port, timeout=10)
        with connection:
            if smtp.tls == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if smtp.user:
                connection.login(smtp.user, smtp.password)
            connection.noop()
    except (OSError, smtplib.SMTPException) as error:
        return str(error) or type(error).__name__
    return None
