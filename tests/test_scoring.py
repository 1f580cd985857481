"""Scoring: matrices as data, score, rating, trend, review dates, printed form."""

from datetime import date

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from riskkit import scoring
from riskkit.errors import ValidationError
from riskkit.services.matrices import BUILTIN_DIR

COUNCIL = scoring.parse_matrix(yaml.safe_load((BUILTIN_DIR / "council-5x5.yaml").read_text()))
NHS = scoring.parse_matrix(yaml.safe_load((BUILTIN_DIR / "nhs-5x5.yaml").read_text()))


def test_describe_prints_the_papers_form():
    assert scoring.describe(COUNCIL, 5, 4) == "High 20 Serious (4) Very Likely (5)"
    assert scoring.describe(COUNCIL, 3, 4) == "Medium 12 Serious (4) Possible (3)"
    assert scoring.describe(COUNCIL, 2, 3) == "Low 6 Significant (3) Unlikely (2)"


@pytest.mark.parametrize("likelihood, impact, band", [
    (1, 1, "Low"), (2, 3, "Low"), (2, 4, "Medium"), (3, 5, "Medium"), (4, 4, "High"), (5, 5, "High"),
])
def test_council_bands(likelihood, impact, band):
    assert scoring.rating(COUNCIL, likelihood, impact).name == band


@pytest.mark.parametrize("likelihood, impact, band", [
    (1, 3, "Low"), (2, 2, "Moderate"), (3, 2, "Moderate"), (2, 4, "High"), (3, 4, "High"),
    (3, 5, "Extreme"), (5, 5, "Extreme"),
])
def test_nhs_bands(likelihood, impact, band):
    assert scoring.rating(NHS, likelihood, impact).name == band


def test_rag_summary_in_the_papers_words():
    names = ["Medium", "High", "Medium", "Medium", "High", "Medium"]
    assert scoring.format_rag_summary(scoring.rag_summary(COUNCIL, names)) == "Green 0 Amber 4 Red 2 Total 6"


@pytest.mark.parametrize("previous, current, expected", [
    (None, 12, "new"), (12, 16, "up"), (16, 12, "down"), (12, 12, "unchanged"),
])
def test_trend(previous, current, expected):
    assert scoring.trend(previous, current) == expected


def test_next_review_from_band_interval():
    # council High and Medium are quarterly, Low six-monthly
    assert scoring.next_review_date(COUNCIL, 5, 4, date(2021, 7, 7)) == date(2021, 10, 7)
    assert scoring.next_review_date(COUNCIL, 1, 2, date(2021, 7, 7)) == date(2022, 1, 7)
    # month ends clamp rather than overflow
    assert scoring.next_review_date(NHS, 5, 5, date(2021, 1, 31)) == date(2021, 2, 28)


@pytest.mark.parametrize("likelihood, impact", [(0, 3), (6, 3), (3, 0), (3, 6), ("3", 3), (True, 3)])
def test_scores_outside_the_matrix_are_refused(likelihood, impact):
    with pytest.raises(ValidationError) as error:
        scoring.rating(COUNCIL, likelihood, impact)
    assert "from 1 to 5" in str(error.value)


def _definition(**changes):
    data = COUNCIL.to_dict()
    data.update(changes)
    return data


def test_gap_in_bands_names_the_scores():
    bands = _definition()["bands"]
    bands[1]["min"] = 10  # leaves 8 and 9 in no band
    with pytest.raises(ValidationError) as error:
        scoring.parse_matrix(_definition(bands=bands))
    assert "scores in no band: 8, 9" in str(error.value)


def test_overlap_in_bands_names_the_scores():
    bands = _definition()["bands"]
    bands[2]["min"] = 15  # 15 now in Medium and High
    with pytest.raises(ValidationError) as error:
        scoring.parse_matrix(_definition(bands=bands))
    assert "15 (Medium and High)" in str(error.value)


def test_grid_rates_cells_not_scores():
    # ISO 27005 style: likelihood 5 x impact 1 is Medium, likelihood 1 x impact 5 is High.
    grid = [["Low"] * 4 + ["High"] for _ in range(4)] + [["Medium"] * 4 + ["High"]]
    matrix = scoring.parse_matrix(_definition(grid=grid))
    assert scoring.rating(matrix, 5, 1).name == "Medium"
    assert scoring.rating(matrix, 1, 5).name == "High"
    assert scoring.score(5, 1) == scoring.score(1, 5) == 5


def test_grid_must_give_every_cell_a_known_band():
    grid = [["Low"] * 5 for _ in range(4)] + [["Low"] * 4 + ["Severe"]]
    with pytest.raises(ValidationError, match="likelihood 5 x impact 5 names unknown band 'Severe'"):
        scoring.parse_matrix(_definition(grid=grid))
    with pytest.raises(ValidationError, match="one row per likelihood"):
        scoring.parse_matrix(_definition(grid=[["Low"] * 5]))


def test_review_interval_must_be_positive():
    bands = _definition()["bands"]
    bands[0]["review_months"] = 0
    with pytest.raises(ValidationError, match="review_months"):
        scoring.parse_matrix(_definition(bands=bands))


# --- properties -------------------------------------------------------------------


@st.composite
def banded_matrices(draw):
    """Random N x M matrices with random contiguous bands covering every reachable score."""
    n = draw(st.integers(2, 7))
    m = draw(st.integers(2, 7))
    scores = sorted({a * b for a in range(1, n + 1) for b in range(1, m + 1)})
    cut_count = draw(st.integers(0, min(4, len(scores) - 1)))
    cuts = sorted(draw(st.lists(st.sampled_from(scores[1:]), min_size=cut_count,
                                max_size=cut_count, unique=True))) if cut_count else []
    edges = [1] + cuts + [n * m + 1]
    bands = [{"name": f"B{i}", "colour": "#123456", "min": edges[i], "max": edges[i + 1] - 1,
              "review_months": draw(st.integers(1, 24))} for i in range(len(edges) - 1)]
    return scoring.parse_matrix({
        "slug": "prop", "name": "Property", "likelihood": [f"L{i}" for i in range(n)],
        "impact": [f"I{i}" for i in range(m)], "bands": bands,
    })


@given(banded_matrices())
def test_every_cell_has_exactly_one_band_and_ratings_rise_with_score(matrix):
    cells = [(lk, im) for lk in matrix.levels("likelihood") for im in matrix.levels("impact")]
    ranks = {}
    for lk, im in cells:
        band = scoring.rating(matrix, lk, im)
        assert sum(b.covers(scoring.score(lk, im)) for b in matrix.bands) == 1
        ranks[scoring.score(lk, im)] = scoring.band_rank(matrix, band)
    ordered = [ranks[s] for s in sorted(ranks)]
    assert ordered == sorted(ordered)


@given(banded_matrices())
def test_matrix_round_trips_through_its_file_format(matrix):
    assert scoring.parse_matrix(matrix.to_dict()) == matrix


@given(banded_matrices(), st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.data())
def test_next_review_is_after_the_review_and_within_its_interval(matrix, as_of, data):
    lk = data.draw(st.integers(1, len(matrix.likelihood)))
    im = data.draw(st.integers(1, len(matrix.impact)))
    due = scoring.next_review_date(matrix, lk, im, as_of)
    months = scoring.rating(matrix, lk, im).review_months
    assert as_of < due <= date.fromordinal(as_of.toordinal() + 31 * months)


@given(st.one_of(st.none(), st.integers(1, 25)), st.integers(1, 25))
def test_trend_agrees_with_the_scores(previous, current):
    result = scoring.trend(previous, current)
    if previous is None:
        assert result == "new"
    else:
        assert result == {1: "up", -1: "down", 0: "unchanged"}[(current > previous) - (current < previous)]
