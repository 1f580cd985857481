"""The resilience journey in a real Chromium: from a scenario pack to a validated lesson.

A resilience lead plans an exercise from the power-outage pack, marks it held by
recording its outcome, records a cold debrief with two observations, turns one into a
lesson that raises an action on AH0011, sees the action on the risk page, sees the
lesson and action in `riskkit overdue` once their date has passed, then records a later
exercise as the evidence and validates the lesson.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import assert_no_serious_violations

pytestmark = pytest.mark.browser


def fill_date(page: Page, name: str, when: date) -> None:
    """A GOV.UK date input: day, month and year boxes sharing the field's name."""
    boxes = page.locator(f"input[name='{name}']")
    expect(boxes).to_have_count(3)
    for box, value in zip(boxes.all(), (when.day, when.month, when.year), strict=True):
        box.fill(str(value))


def banner(page: Page):
    return page.locator(".govuk-notification-banner")


def test_from_a_scenario_pack_to_a_validated_lesson(signed_in, snap, riskkit_cli):
    today = date.today()
    held_on = today - timedelta(days=30)
    page = signed_in("resilience")

    # Plan an exercise from the power-outage pack.
    page.get_by_role("navigation").get_by_role("link", name="Exercises", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercises and incidents")
    snap(page, "exercises")
    page.get_by_role("link", name="Plan an exercise").click()
    page.get_by_label("Power outage at a residential service").check()
    snap(page, "choose-pack")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Type of exercise")).to_have_value("tabletop")
    expect(page.get_by_label("Objectives")).to_contain_text("To ")
    page.get_by_label("Name of the exercise").fill("Exercise Oakfield")
    fill_date(page, "start_date", held_on)
    page.get_by_label("Lead", exact=True).select_option(label="Wayne Gough")
    page.get_by_role("group", name="Risks tested").get_by_label(re.compile(r"AH0011 Business")).check()
    snap(page, "exercise-form")
    assert_no_serious_violations(page, "plan an exercise")
    page.get_by_role("button", name="Save exercise").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exercise Oakfield")
    expect(page.locator("body")).to_contain_text("Planned")
    exercise_url = page.url
    snap(page, "exercise-planned")

    # Mark it held by recording its outcome: rate every objective.
    page.get_by_role("link", name="Record outcome").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the outcome")
    ratings = page.locator("fieldset").filter(has=page.get_by_label("Partly met"))
    count = ratings.count()
    assert count >= 2
    for n in range(count):
        choice = "Met" if n % 2 == 0 else "Partly met"
        ratings.nth(n).get_by_label(choice, exact=True).check()
    page.get_by_label("Note on objective 1 (optional)").fill("The generator started within the hour.")
    snap(page, "outcome-form")
    page.get_by_role("button", name="Record outcome").click()
    expect(page).to_have_url(exercise_url)
    expect(page.locator("body")).to_contain_text("Held")
    expect(page.locator("body")).to_contain_text("The generator started within the hour.")

    # A cold debrief with two observations.
    page.get_by_role("link", name="Record debrief").click()
    page.get_by_label(re.compile(r"Cold: some weeks later")).check()
    fill_date(page, "held_on", held_on + timedelta(days=20))
    page.get_by_label("Facilitator").fill("Wayne Gough")
    page.get_by_role("button", name="Record debrief").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cold debrief")

    def observe(prompt: str, kind: str, text: str, theme: str) -> None:
        page.get_by_label(prompt, exact=True).check()
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("Observation", exact=True).fill(text)
        page.get_by_role("group", name=re.compile("Themes")).get_by_label(theme, exact=True).check()
        page.get_by_role("button", name="Add observation").click()
        expect(page.locator("body")).to_contain_text(text)

    observe("What went well", "Strength",
            "Staff moved residents to the warm lounge quickly.", "Vulnerable people")
    observe("What did not go well", "Area for improvement",
            "Nobody knew where the generator fuel was kept.", "Power and utilities")
    expect(page.locator("body")).to_contain_text("Earlier observations")
    snap(page, "debrief")
    assert_no_serious_violations(page, "debrief")

    # Turn the area for improvement into a lesson, and raise an action on AH0011.
    page.locator("li, tr, div.rk-observation, .govuk-summary-card").filter(
        has_text="Nobody knew where the generator fuel was kept.").get_by_role(
        "link", name=re.compile("Turn into a lesson")).first.click()
    expect(page.get_by_label("Lesson identified")).to_contain_text("generator fuel")
    page.get_by_label("Recommendation").fill("Label the fuel store and add it to the site plan.")
    page.get_by_label("Owner").select_option(label="Wayne Gough")
    fill_date(page, "due_date", today + timedelta(days=14))
    page.get_by_label("High").check()
    page.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"L\d{4}"))
    lesson_ref = re.search(r"L\d{4}", page.get_by_role("heading", level=1).inner_text()).group(0)
    lesson_url = page.url
    snap(page, "lesson")

    page.get_by_role("link", name=re.compile("Raise an action")).click()
    page.get_by_label("Risk", exact=True).select_option(label="AH0011 Business disruption")
    page.get_by_label("Action", exact=True).fill("Label the generator fuel store at Oakfield House.")
    page.get_by_label("Action owner").select_option(label="Wayne Gough")
    fill_date(page, "target_date", today + timedelta(days=7))
    page.get_by_role("button", name="Raise action").click()
    expect(page).to_have_url(lesson_url)
    expect(banner(page)).to_be_visible()
    expect(page.locator("body")).to_contain_text("Action planned")

    # The action is on the risk page, saying which lesson it answers.
    page.goto("/risks/AH0011")
    row = page.locator("#actions-table tr").filter(has_text="Label the generator fuel store")
    expect(row).to_contain_text(f"From lesson {lesson_ref} (Exercise Oakfield)")
    expect(page.locator("#lessons-list")).to_contain_text(lesson_ref)
    expect(page.locator("#events-list")).to_contain_text("Exercise Oakfield")
    snap(page, "risk-with-action")

    # Past their dates, the action and the lesson are in the nightly overdue report.
    later = (today + timedelta(days=15)).isoformat()
    report = riskkit_cli("overdue", "--as-of", later, "--owner", "Wayne Gough")
    assert report.returncode == 0, report.stderr
    assert "Label the generator fuel store at Oakfield House." in report.stdout
    assert f"lesson    {lesson_ref}  Exercise Oakfield" in report.stdout
    before = riskkit_cli("overdue", "--as-of", today.isoformat(), "--owner", "Wayne Gough")
    assert lesson_ref not in before.stdout

    # Validation is refused while the action is open and with no evidence.
    page.goto(lesson_url)
    for status in ("In progress", "Implemented"):
        page.get_by_label(status, exact=True).check()
        page.get_by_role("button", name="Move lesson").click()
        expect(page.locator("body")).to_contain_text(status)
    page.get_by_label("Validated", exact=True).check()
    page.get_by_role("button", name="Move lesson").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("of its actions")
    snap(page, "validation-refused")

    # The lead finishes the action: his own, on a risk that is not (he may not remove it),
    # then holds a later exercise.
    page.goto("/risks/AH0011")
    own = page.locator("#actions-table tr").filter(has_text="Label the generator fuel store")
    expect(own.get_by_role("button", name=re.compile("Remove"))).to_have_count(0)
    own.get_by_role("button", name=re.compile("Mark done")).click()
    page.get_by_label("Completion note: what was done").fill("Labels fitted on 3 March")
    page.get_by_role("button", name="Mark done").click()
    expect(page.locator("#actions-table tr").filter(has_text="Label the generator fuel store")) \
        .to_contain_text("Done")

    page.goto("/exercises/new?pack=comms-cascade&chosen=1")
    page.get_by_label("Name of the exercise").fill("Oakfield cascade test")
    fill_date(page, "start_date", today - timedelta(days=1))
    page.get_by_role("button", name="Save exercise").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oakfield cascade test")
    page.get_by_role("link", name="Record outcome").click()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.locator("body")).to_contain_text("Held")

    page.goto(lesson_url)
    page.get_by_label("Validated", exact=True).check()
    page.get_by_label(re.compile("Evidence: the later exercise")).select_option(
        label=f"Oakfield cascade test ({today - timedelta(days=1):%d/%m/%Y})")
    page.get_by_label("Evidence note").fill("Fuel store found in two minutes.")
    page.get_by_role("button", name="Move lesson").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("Validated")
    expect(page.locator("body")).to_contain_text("Oakfield cascade test")
    snap(page, "lesson-validated")
    assert_no_serious_violations(page, "lesson")

    gone = riskkit_cli("overdue", "--as-of", later, "--owner", "Wayne Gough")
    assert lesson_ref not in gone.stdout
