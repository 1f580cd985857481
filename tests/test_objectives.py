"""Objectives: a register holds them (managers add and change them), a risk is linked to
those it threatens on its edit form, each has a page with its risks, their ratings and a
heat map, and the register, its Excel download and the API filter by one."""

import io
import re

import openpyxl
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import HistoryEntry, RegisterObjective
from tests.factories import gen_objective, gen_register, gen_risk, gen_token, gen_user
from tests.web_helpers import error_messages


def _listed(html: str) -> list[str]:
    table = html.split('class="govuk-table rk-register"', 1)[-1]
    return list(dict.fromkeys(re.findall(r'href="/risks/([A-Z]+\d+)"', table)))


def test_a_manager_adds_an_objective_and_changes_its_words(login):
    manager = gen_user("Mo Manager", role="manager")
    gen_register("AH")
    client = login(manager)
    response = client.post("/objectives/new?register=AH",
                           data={"name": "Keep people safe and well at home"})
    assert response.status_code == 302
    objective = db.session.scalar(select(RegisterObjective))
    assert objective.register.code == "AH"
    page = client.get(f"/objectives/{objective.id}/edit").get_data(as_text=True)
    assert "Keep people safe and well at home" in page
    read = objective.version
    assert client.post(f"/objectives/{objective.id}/edit", data={
        "version": read, "name": "Keep people safe and well in their own home"}).status_code == 302
    stale = client.post(f"/objectives/{objective.id}/edit", data={
        "version": read, "name": "Something else"})
    assert stale.status_code == 409
    assert db.session.scalars(select(HistoryEntry.new_value).where(
        HistoryEntry.entity == "register objective", HistoryEntry.field == "name")
        .order_by(HistoryEntry.id)).all() == [
        "Keep people safe and well at home", "Keep people safe and well in their own home"]


def test_an_owner_may_not_add_an_objective_and_a_blank_one_is_refused(login):
    gen_register("AH")
    owner = gen_user("Rita Owner")
    assert login(owner).post("/objectives/new?register=AH", data={"name": "Mine"}).status_code == 403
    manager = login(gen_user("Mo Manager", role="manager"))
    blank = manager.post("/objectives/new?register=AH", data={"name": "  "})
    assert blank.status_code == 400
    assert "Enter the objective" in error_messages(blank)
    assert db.session.scalar(select(RegisterObjective)) is None


def test_the_risk_owner_links_a_risk_to_the_objectives_it_threatens(login):
    corp = gen_register("CORP", level="corporate")
    ah = gen_register("AH", parent=corp)
    other = gen_register("PH", parent=corp)
    owner = gen_user("Rita Owner")
    risk = gen_risk(ah, owner, title="Care market failure")
    own = gen_objective(ah, "Keep people safe and well at home")
    priority = gen_objective(corp, "A well-run council")
    elsewhere = gen_objective(other, "Healthy lives")
    client = login(owner)
    form = client.get(f"/risks/{risk.reference}/edit").get_data(as_text=True)
    assert "Keep people safe and well at home" in form and "A well-run council" in form
    assert "Healthy lives" not in form  # a sibling register's objective is not offered
    data = {"version": risk.version, "title": risk.title, "owner": owner.id,
            "target_likelihood": risk.target_likelihood, "target_impact": risk.target_impact,
            "response": "treat"}
    refused = client.post(f"/risks/{risk.reference}/edit",
                          data=data | {"objectives": [own.id, elsewhere.id]})
    assert refused.status_code == 400
    assert any("can only threaten the objectives of its register and those above it" in m
               for m in error_messages(refused))
    saved = client.post(f"/risks/{risk.reference}/edit",
                        data=data | {"objectives": [own.id, priority.id]})
    assert saved.status_code == 302
    db.session.rollback()
    assert [o.name for o in risk.objectives] == ["Keep people safe and well at home",
                                                 "A well-run council"]
    assert db.session.scalar(select(HistoryEntry.new_value).where(
        HistoryEntry.field == "objectives")) == "Keep people safe and well at home, A well-run council"
    page = client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    assert f'href="/objectives/{own.id}"' in page


def test_the_objective_page_shows_its_risks_ratings_and_heat_map(login):
    ah = gen_register("AH")
    owner = gen_user("Rita Owner")
    high = gen_risk(ah, owner, likelihood=5, impact=4, title="Care market failure")
    medium = gen_risk(ah, owner, likelihood=3, impact=3, title="Workforce")
    gen_risk(ah, owner, likelihood=2, impact=2, title="Not linked")
    objective = gen_objective(ah, "Keep people safe and well at home", risks=[medium, high])
    html = login(owner).get(f"/objectives/{objective.id}").get_data(as_text=True)
    table = html.split('id="objective-risks"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'href="/risks/([A-Z]+\d+)"', table) == [high.reference, medium.reference]
    assert "High 20" in table and "Medium 9" in table
    assert "Not linked" not in html
    heat_map = html.split('class="govuk-table rk-heatmap"', 1)[1]
    assert f"objective={objective.id}" in heat_map  # each cell lists this objective's risks
    assert re.search(r"1 risk<span[^>]*> rated High, likelihood 5, impact 4", heat_map)


def test_the_register_its_download_and_the_api_filter_by_objective(login):
    ah = gen_register("AH")
    owner = gen_user("Rita Owner")
    linked = gen_risk(ah, owner, title="Care market failure")
    gen_risk(ah, owner, title="Not linked")
    objective = gen_objective(ah, risks=[linked])
    client = login(owner)
    html = client.get(f"/risks?objective={objective.id}").get_data(as_text=True)
    assert _listed(html) == [linked.reference]
    download = re.search(r'id="download-excel" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"objective={objective.id}" in download
    book = openpyxl.load_workbook(io.BytesIO(client.get(download).data))
    assert [r[0] for r in book["Risks"].iter_rows(min_row=2, values_only=True)] == [linked.reference]
    unknown = client.get("/risks?objective=999").get_data(as_text=True)
    assert "There is no objective 999" in unknown
    secret = gen_token(owner)
    found = client.get(f"/api/v1/risks?objective={objective.id}",
                       headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert [r["reference"] for r in found["items"]] == [linked.reference]
