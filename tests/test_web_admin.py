"""Administration pages: users, registers, matrices, teams and risk appetite, on data
built with the factories."""

from html import unescape

from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import User
from riskkit.services.matrices import get_matrix
from riskkit.services.registers import get_register
from tests.factories import gen_person, gen_register, gen_risk, gen_user
from tests.web_helpers import error_messages


def _admin(login):
    return login(gen_user("Ada Admin", role="admin"))


def test_admin_adds_a_user_who_can_then_sign_in(login, site):
    client = _admin(login)
    response = client.post("/admin/users/new", data={
        "name": "Dana Director", "email": "dana@example.gov.uk", "role": "owner",
        "active": "y", "password": "a long enough password"})
    assert response.status_code == 302
    dana = db.session.scalar(select(User).where(User.name == "Dana Director"))
    assert dana.role == "owner" and dana.is_active
    fresh = site.test_client()
    assert fresh.post("/login", data={"email": "dana@example.gov.uk",
                                      "password": "a long enough password"}).status_code == 302


def test_duplicate_email_and_short_password_are_named(login):
    gen_person("Clerk", role="viewer", email="clerk@example.gov.uk")
    client = _admin(login)
    clash = client.post("/admin/users/new", data={
        "name": "Another", "email": "clerk@example.gov.uk", "role": "viewer", "active": "y",
        "password": "a long enough password"})
    assert clash.status_code == 400
    assert "There is already a person with that email" in error_messages(clash)
    short = client.post("/admin/users/new", data={
        "name": "Shorty", "email": "shorty@example.gov.uk", "role": "viewer", "active": "y",
        "password": "short"})
    assert "Passwords must be at least 10 characters" in error_messages(short)
    assert db.session.scalar(select(User).where(User.name == "Shorty")) is None


def test_register_code_cannot_change_once_it_has_risks(login):
    corp = gen_register("CORP", level="corporate")
    ah = gen_register("AH", parent=corp, owner=gen_person("Mo Manager", role="manager"))
    gen_risk(ah)
    client = _admin(login)
    response = client.post(f"/admin/registers/{ah.id}", data={
        "code": "ASC", "name": ah.name, "level": "directorate", "parent": str(ah.parent_id),
        "matrix": str(ah.matrix_id), "owner": str(ah.owner_id)})
    assert response.status_code == 400
    assert any("code cannot change" in m for m in error_messages(response))
    assert get_register("AH").code == "AH"


def test_matrix_intervals_edit_and_a_gap_is_refused(login):
    client = _admin(login)
    matrix = get_matrix("council-5x5")
    bands = matrix.matrix.bands
    data = {"name": matrix.name}
    for n, band in enumerate(bands):
        data.update({f"bands-{n}-name": band.name, f"bands-{n}-colour": band.colour,
                     f"bands-{n}-colour_name": band.colour_name, f"bands-{n}-min": band.min_score,
                     f"bands-{n}-max": band.max_score, f"bands-{n}-review_months": band.review_months})
    data["bands-2-review_months"] = 1  # High reviewed monthly
    assert client.post(f"/admin/matrices/{matrix.id}", data=data).status_code == 302
    assert get_matrix("council-5x5").matrix.band("High").review_months == 1
    data["bands-1-max"] = 12  # leaves 15 without a band
    refused = client.post(f"/admin/matrices/{matrix.id}", data=data)
    assert refused.status_code == 400
    assert any("scores in no band: 15" in m for m in error_messages(refused))
    assert get_matrix("council-5x5").matrix.band("Medium").max_score == 15


# --- teams and risk appetite -------------------------------------------------------------


def test_admin_adds_a_team_and_chooses_its_members_and_a_stale_page_is_a_409(login):
    from riskkit.services.teams import get_team

    client = _admin(login)
    jo, sam = gen_person("Jo Bloggs", email="jo@x.gov.uk"), gen_person("Sam Lee")
    db.session.commit()
    added = client.post("/admin/teams/new", data={"name": "Public Health", "members": [jo.id]})
    assert added.status_code == 302
    team = get_team("Public Health")
    assert [m.name for m in team.members] == ["Jo Bloggs"]
    page = client.get("/admin/teams").get_data(as_text=True)
    assert "Public Health" in page and "1 member with an email address" in page
    opened = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert f'name="members_were" type="hidden" value="{jo.id}"' in opened
    # someone else adds Sam; a save from the page opened before is refused, and says so
    saved = client.post(f"/admin/teams/{team.id}", data={"members": [jo.id, sam.id],
                                                        "members_were": str(jo.id)})
    assert saved.status_code == 302
    stale = client.post(f"/admin/teams/{team.id}", data={"members": [], "members_were": str(jo.id)})
    assert stale.status_code == 409
    assert "were changed by someone else" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert [m.name for m in get_team("Public Health").members] == ["Jo Bloggs", "Sam Lee"]
    unknown = client.post("/admin/teams/new", data={"name": "Other", "members": [99999]})
    assert unknown.status_code == 400 and error_messages(unknown) == ["Choose members from the list"]
    itself = client.post(f"/admin/teams/{team.id}", data={
        "members": [jo.id, sam.id, team.id], "members_were": f"{jo.id},{sam.id}"})
    assert [unescape(m) for m in error_messages(itself)] == [
        "Public Health is a team: a team's members are people"]
    nameless = client.post("/admin/teams/new", data={"name": " "})
    assert nameless.status_code == 400 and error_messages(nameless) == ["A team needs a name"]


def test_admin_edits_a_risk_appetite_with_history_and_the_flag_follows(login):
    from riskkit.models import HistoryEntry
    from riskkit.services.appetite import list_appetites, save_appetite

    client = _admin(login)
    save_appetite(None, None, category="Financial", max_score=15)
    risk = gen_risk(category="Financial", likelihood=3, impact=4)  # 12: within appetite
    appetite = list_appetites()[0]
    opened = appetite.version
    assert "Above appetite" not in client.get(f"/risks/{risk.reference}").get_data(as_text=True)
    response = client.post(f"/admin/appetite/{appetite.id}", data={
        "version": opened, "category": "Financial", "max_score": "10",
        "statement": "Low appetite for financial loss."})
    assert response.status_code == 302
    assert "Above appetite: the Financial appetite is a score of 10 or less" in client.get(
        f"/risks/{risk.reference}").get_data(as_text=True)
    changes = {(h.field, h.old_value, h.new_value, h.actor) for h in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.entity == "appetite", HistoryEntry.change == "update"))}
    assert changes == {("max_score", "15", "10", "Ada Admin"),
                       ("statement", "", "Low appetite for financial loss.", "Ada Admin")}
    listed = client.get("/admin/appetite").get_data(as_text=True)
    assert "Low appetite for financial loss." in listed
    stale = client.post(f"/admin/appetite/{appetite.id}", data={
        "version": opened, "opened_at": "2000-01-01T00:00:00+00:00", "category": "Financial",
        "max_score": "20"})
    assert stale.status_code == 409 and "max score" in stale.get_data(as_text=True)
    for score, message in (("0", "Enter a score of 1 or more"),
                           ("26", "a whole number from 1 to 25"), ("", "Enter the highest")):
        db.session.expire_all()
        bad = client.post(f"/admin/appetite/{appetite.id}", data={
            "version": list_appetites()[0].version, "category": "Financial", "max_score": score})
        assert bad.status_code == 400 and any(message in m for m in error_messages(bad)), score
    db.session.expire_all()
    assert list_appetites()[0].max_score == 10
    clash = client.post("/admin/appetite/new", data={"category": "financial", "max_score": "9"})
    assert "There is already an appetite for financial" in error_messages(clash)
