"""Signing in through the real login form, for the test-client tests."""

import re

PASSWORD = "riskkit-demo"
EMAILS = {
    "admin": "admin@example.gov.uk",
    "manager": "richard.smith@example.gov.uk",
    "resilience": "wayne.gough@example.gov.uk",  # resilience lead; owns no demo risk
    "owner": "chris.mckenzie@example.gov.uk",  # owns AH0033
    "viewer": "clerk@example.gov.uk",
}


def sign_in(client, role: str):
    response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD})
    assert response.status_code == 302, response.data[:500]
    return client


def error_messages(response) -> list[str]:
    """The GOV.UK error summary's messages."""
    html = response.get_data(as_text=True)
    body = html.split('govuk-error-summary__list', 1)[-1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="#[^"]*">(.*?)</a>', body, re.S)
    return [re.sub(r"\s+", " ", m).strip() for m in links]


def page_title(response) -> str:
    return re.search(r"<title[^>]*>(.*?)</title>", response.get_data(as_text=True), re.S)[1]
