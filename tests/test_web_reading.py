"""Reading a risk: the risk first, reviews as a timeline, the history in words and paged;
ratings in the matrix's band names; page titles that say where the reader is."""

import re
from datetime import date

from riskkit.audit import acting_as
from riskkit.extensions import db
from riskkit.services.reviews import record_review
from riskkit.services.risks import update_risk
from tests.factories import gen_register, gen_risk, gen_user
from tests.web_helpers import page_title


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&gt;", ">").strip()


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def _reviewed_risk():
    """RD0001 Market sustainability, High 16, reviewed down to Medium 12 by Jane Smith."""
    jane = gen_user("Jane Smith", role="manager")
    risk = gen_risk(gen_register("RD"), owner=jane, likelihood=4, impact=4,
                    target_likelihood=2, target_impact=2, title="Market sustainability")
    with acting_as(jane):
        record_review(risk, jane, date(2025, 3, 12), 3, 4, "Two new providers signed up.",
                      lower_confirmed=True)
    db.session.commit()
    return risk


def test_the_risk_comes_first_then_the_reviews_then_the_history(login):
    risk = _reviewed_risk()
    client = login(risk.owner)
    html = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    order = [html.index(marker) for marker in (
        'id="current-risk"', 'id="trend"', ">Owner<", 'id="next-review"', 'id="controls"',
        'id="actions"', 'id="lessons"', 'id="exercises"', 'id="reviews"', 'id="history"')]
    assert order == sorted(order)
    # The history is folded away, not open: the page leads with the risk.
    assert re.search(r'<details class="govuk-details" id="history">', html)


def test_reviews_read_as_a_timeline_and_the_history_in_words(login):
    risk = _reviewed_risk()
    client = login(risk.owner)
    html = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    timeline = _text(_between(html, 'id="review-timeline"', "</ol>"))
    assert "12 Mar 2025, Jane Smith: score High 16 → Medium 12" in timeline
    assert "Two new providers signed up." in timeline

    history = _text(_between(html, 'id="history"', "</details>"))
    assert "Likelihood changed from 4 Likely to 3 Possible" in history
    assert "Jane Smith: Changed the risk" in history
    assert "Added review: 12 Mar 2025" in history
    # No raw audit rows: no column names, no "create review 3: before likelihood".
    assert "before_likelihood" not in history and "create review" not in history


def test_the_history_is_paged(login):
    risk = _reviewed_risk()
    owner = risk.owner
    for n in range(25):
        with acting_as(owner):
            update_risk(risk, {"category": f"Category {n}"}, owner, risk.version)
        db.session.commit()
    client = login(owner)
    html = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    history = _text(_between(html, 'id="history"', "</details>"))
    assert "Category changed from Category 23 to Category 24" in history
    assert "Category 0" not in history
    assert f'href="/risks/{risk.reference}/history?page=2"' in html

    second = client.get(f"/risks/{risk.reference}/history?page=2")
    assert second.status_code == 200
    page = _text(second.get_data(as_text=True))
    assert "Category set to Category 0" in page
    assert "Category changed from Category 23 to Category 24" not in page
    assert "page 2 of 2" in page
    # Past the last page: the last page, not an error.
    assert client.get(f"/risks/{risk.reference}/history?page=9").status_code == 200


def test_a_risk_page_title_names_the_risk_and_its_register(login):
    risk = _reviewed_risk()
    risk.register.name = "Adult Social Care and Health"
    client = login(risk.owner)
    assert page_title(client.get(f"/risks/{risk.reference}")) == (
        f"{risk.reference} Market sustainability – Adult Social Care and Health register – riskkit")
    assert page_title(client.get(f"/risks/{risk.reference}/review")).startswith(
        f"Record a review – {risk.reference} Market sustainability")


def test_a_page_that_refused_what_was_sent_says_error_first(login):
    risk = _reviewed_risk()
    client = login(risk.owner)
    assert page_title(client.get("/risks?rating=Scarlet")).startswith("Error: Risk register")
    risk_form = client.post(f"/risks/{risk.reference}/review", data={"comment": "x"})
    assert page_title(risk_form).startswith(f"Error: Record a review – {risk.reference}")


def test_update_review_goes_straight_to_the_review_form(login):
    owner = gen_user("Chris Owner")
    register = gen_register("AH")
    mine = gen_risk(register, owner, title="Care home closures")
    theirs = gen_risk(register, gen_user("Sam Other"), title="Someone else's risk")
    client = login(owner)
    assert 'id="update-review"' in client.get("/risks").get_data(as_text=True)
    response = client.get(f"/risks/review?reference={mine.reference.lower()}")
    assert response.status_code == 302 and response.location == f"/risks/{mine.reference}/review"
    review = client.get(response.location).get_data(as_text=True)
    # The first thing a keyboard reaches is the skip link to the form.
    assert re.search(r'<a href="#review-form" class="govuk-skip-link"', review)
    assert 'id="review-form"' in review
    assert client.get("/risks/review?reference=").status_code == 400
    assert client.get("/risks/review?reference=ZZ9999").status_code == 404
    # An owner may not review someone else's risk, by this way or any other.
    response = client.get(f"/risks/review?reference={theirs.reference}")
    assert client.get(response.location).status_code == 403


def test_a_viewer_is_not_offered_the_update_review_box(login):
    gen_risk()
    client = login(gen_user("Val Viewer", role="viewer"))
    assert 'id="update-review"' not in client.get("/risks").get_data(as_text=True)
