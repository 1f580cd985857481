"""Recording reviews: previous score, trend and next review come from the review history."""

from datetime import date

import pytest

from riskkit.errors import Conflict, ValidationError
from riskkit.services.appetite import appetites
from riskkit.services.reviews import record_review, reviews_due
from riskkit.services.risks import commit, summarise
from tests.factories import gen_person, gen_risk


def test_review_keeps_the_previous_score_and_sets_the_trend(app):
    risk = gen_risk(likelihood=3, impact=4, target_likelihood=2, target_impact=4)
    reviewer = gen_person("Rae Reviewer", role="manager")
    assert summarise(risk, {})["trend"] == "new"
    record_review(risk, reviewer, date(2026, 2, 1), 4, 4, "Raised: supplier failing")
    commit()
    row = summarise(risk, {})
    assert row["previous"]["label"] == "Medium 12 Serious (4) Possible (3)"
    assert row["current"]["label"] == "High 16 Serious (4) Likely (4)"
    assert row["trend"] == "up"
    assert row["last_review_date"] == "2026-02-01"
    assert row["next_review_date"] == "2026-05-01"  # High is reviewed quarterly
    record_review(risk, reviewer, date(2026, 3, 1), 4, 4, "")
    commit()
    assert summarise(risk, {})["trend"] == "unchanged"
    assert [r.after_score for r in risk.reviews] == [16, 16]


def test_overriding_the_next_review_needs_a_reason(app):
    risk = gen_risk()
    reviewer = risk.owner
    with pytest.raises(ValidationError) as error:
        record_review(risk, reviewer, date(2026, 2, 1), 3, 4, next_review_date=date(2026, 3, 1))
    assert error.value.field == "next_review_reason"
    review = record_review(risk, reviewer, date(2026, 2, 1), 3, 4,
                           next_review_date=date(2026, 3, 1), next_review_reason="Budget set in March")
    assert review.next_review_date == risk.next_review_date == date(2026, 3, 1)


def test_review_before_the_last_review_is_refused(app):
    risk = gen_risk()
    record_review(risk, risk.owner, date(2026, 2, 1), 3, 4)
    with pytest.raises(ValidationError, match="before the last review") as error:
        record_review(risk, risk.owner, date(2026, 1, 20), 3, 4)
    assert error.value.field == "reviewed_on"


def test_review_scores_outside_the_matrix_are_refused(app):
    risk = gen_risk()
    with pytest.raises(ValidationError, match="from 1 to 5"):
        record_review(risk, risk.owner, date(2026, 2, 1), 6, 4)


def test_review_on_a_stale_version_is_a_conflict(app):
    risk = gen_risk()
    record_review(risk, risk.owner, date(2026, 2, 1), 3, 4, expected_version=1)
    commit()
    with pytest.raises(Conflict):
        record_review(risk, risk.owner, date(2026, 2, 2), 4, 4, expected_version=1)


def test_reviews_due_uses_the_as_of_date_not_the_clock(app):
    risk = gen_risk(as_of=date(2026, 1, 5))  # Medium 12: next review 2026-04-05
    assert reviews_due(date(2026, 4, 5)) == []
    assert reviews_due(date(2026, 4, 6)) == [risk]


def test_above_appetite_is_flagged(demo):
    from riskkit.services.risks import get_risk

    row = summarise(get_risk("AH0005"), appetites())
    assert row["appetite"] == 12 and row["above_appetite"] is True
    assert summarise(get_risk("AH0038"), appetites())["above_appetite"] is False
