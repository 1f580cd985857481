"""A person makes an API token on their account page, a program uses it, and the person
revokes it; axe on the account page and the API reference (screenshots as in conftest.py)."""

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_owner_makes_uses_and_revokes_a_token(signed_in, snap, base_url):
    page = signed_in("owner")
    page.locator("a[href='/account']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    page.get_by_label("Token name").fill("Power BI dashboard")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Make token").click()
    expect(page.locator("#new-token")).to_contain_text("Token made")
    secret = page.locator("#token-secret").input_value()
    assert_no_serious_violations(page, "account with a new token")
    snap(page, "account-token")

    headers = {"Authorization": f"Bearer {secret}"}
    answer = requests.get(f"{base_url}/api/v1/risks?owner=Chris McKenzie", headers=headers, timeout=30)
    assert answer.status_code == 200
    assert [r["reference"] for r in answer.json()["items"]] == ["AH0033"]

    page.get_by_role("button", name="Revoke Power BI dashboard").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("no longer works")
    expect(page.locator("#tokens-table")).to_contain_text("Revoked")
    assert requests.get(f"{base_url}/api/v1/risks", headers=headers, timeout=30).status_code == 401

    page.goto("/api/v1/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("riskkit API")
    assert_no_serious_violations(page, "API reference")
    snap(page, "api-reference")
