"""The committee appendix's operational pressure indicators summary for the quarter,
written by `riskkit report appendix` and read back: the PDF with pdftotext, its HTML
version as a document, both saying the same."""

from collections import Counter
from datetime import date

import pytest

from tests.factories import gen_area, gen_indicator, gen_reading, gen_register, gen_risk
from tests.html_reading import missing_from_html, pdf_text, read

AS_OF = date(2026, 12, 6)  # the quarter so far: 1 October to 6 December, 67 days
ARGS = ["--register", "AH", "--as-of", AS_OF.isoformat(), "--since", "2026-09-30"]
TITLE = "Operational pressure indicators"


@pytest.fixture
def register():
    """A register with the workforce risk, which the staffing indicators warn about."""
    found = gen_register("AH")
    workforce = gen_risk(found, title="Workforce capacity", as_of=date(2026, 9, 1))
    staffing = gen_indicator(risks=[workforce])
    # Green from before the quarter, Red from 1 November, Amber from 11 November.
    for on, value in ((date(2026, 9, 20), 80), (date(2026, 11, 1), 45), (date(2026, 11, 11), 60)):
        gen_reading(staffing, value, on=on, today=AS_OF)
    dover = gen_area("Dover patch")
    beds = gen_indicator("Assessment beds available", unit="beds", areas=[dover], risks=[workforce],
                         bands=((20, None), (10, 20), (5, 10), (None, 5)), max_value=200)
    gen_reading(beds, 3, on=date(2026, 12, 1), area=dover, today=AS_OF)
    gen_indicator("Referrals", unit="referrals")  # linked to no risk: not in the summary
    return workforce


def _write(runner, tmp_path, *extra) -> tuple[str, object]:
    result = runner.invoke(args=["report", "appendix", str(tmp_path / "q3.pdf"), *ARGS, *extra,
                                 "--format", "both"])
    assert result.exit_code == 0, result.output
    return pdf_text(tmp_path / "q3.pdf"), read((tmp_path / "q3.html").read_bytes())


def test_the_summary_gives_each_linked_indicators_quarter_in_the_pdf_and_html(
        app, runner, tmp_path, register):
    printed, document = _write(runner, tmp_path)
    section = " ".join(printed.split(TITLE, 2)[-1].split())
    assert "1 October 2026 to 6 December 2026 (67 days)" in section
    table = next(t for t in document.tables if t.caption == TITLE)
    assert table.column_headers == ["Indicator", "Risks", "Level on 06/12/2026",
                                    "Highest this quarter", "Days at each level"]
    rows = [[cell.text for cell in row] for row in table.rows[1:]]
    ref = register.reference
    assert rows == [
        ["Assessment beds available, Dover patch", ref, "OPEL 4 (Black)", "OPEL 4 (Black)",
         "OPEL 4 (Black) 6, No level 61"],
        ["Short-term Pathway Team staffing", ref, "OPEL 2 (Amber)", "OPEL 3 (Red)",
         "OPEL 1 (Green) 31, OPEL 2 (Amber) 26, OPEL 3 (Red) 10"]]
    for row in rows:  # the PDF prints the same rows (a long cell wraps onto lines below)
        assert all(word in section for cell in row for word in cell.split())
    assert "Referrals" not in section
    assert missing_from_html(tmp_path / "q3.pdf", document) == Counter()


def test_the_summary_is_left_out_when_asked_or_when_no_indicator_is_linked(
        app, runner, tmp_path, register):
    printed, document = _write(runner, tmp_path, "--no-indicators")
    assert TITLE not in printed and TITLE not in document.text

    gen_register("OPS")
    result = runner.invoke(args=["report", "appendix", str(tmp_path / "ops.pdf"), "--register",
                                 "OPS", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert TITLE not in pdf_text(tmp_path / "ops.pdf")

    result = runner.invoke(args=["report", "appendix", str(tmp_path / "ops.pdf"), "--register",
                                 "OPS", "--as-of", AS_OF.isoformat(), "--indicators"])
    assert result.exit_code == 0, result.output
    assert "No indicator is linked to a risk on these registers." in " ".join(
        pdf_text(tmp_path / "ops.pdf").split())
