"""The exercise programme in a real Chromium, with axe: the partner-led pandemic workshop
awaiting its partner's report (not years overdue), and a resilience lead letting a real
evacuation meet the live exercise rule, which the Programme page then shows as the
credit ("Met by incident Care home evacuation 2023 on 19/07/2023")."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser


def test_programme_shows_partner_reports_awaited_and_incident_credit(signed_in, snap):
    page = signed_in("resilience")
    page.get_by_role("navigation").get_by_role("link", name="Programme", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercise programme")
    awaiting = page.locator("#awaiting + p + ul")
    expect(awaiting).to_contain_text("KCC pandemic exercise, led by KCC Resilience and"
                                     " Emergency Planning Service")
    expect(page.locator("#due")).not_to_contain_text("KCC pandemic exercise")
    snap(page, "programme-awaiting")

    page.get_by_role("link", name="Change the rule Live exercise").click()
    page.get_by_role("group", name="Incidents that meet it").get_by_label("Evacuation").check()
    snap(page, "rule-form")
    assert_no_serious_violations(page, "cadence rule form")
    page.get_by_role("button", name="Save rule").click()

    credits = page.get_by_role("table", name="Rules met by incidents")
    expect(credits).to_contain_text("Live exercise")
    expect(credits).to_contain_text("Met by incident Care home evacuation 2023 on 19/07/2023")
    expect(page.locator("body")).to_contain_text("also met by an incident (evacuation)")
    snap(page, "programme-credit")
    assert_no_serious_violations(page, "programme with incident credit")

    page.get_by_role("link", name="KCC pandemic exercise").click()
    expect(page.locator("#summary")).to_contain_text("Awaiting partner report")
    assert_no_serious_violations(page, "partner-led exercise")
