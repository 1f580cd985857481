"""Administration pages: users, registers, matrices."""

from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import User
from riskkit.services.matrices import get_matrix
from riskkit.services.registers import get_register
from tests.web_helpers import error_messages, sign_in


def test_admin_adds_a_user_who_can_then_sign_in(client, web):
    sign_in(client, "admin")
    response = client.post("/admin/users/new", data={
        "name": "Dana Director", "email": "dana@example.gov.uk", "role": "owner",
        "active": "y", "password": "a long enough password"})
    assert response.status_code == 302
    dana = db.session.scalar(select(User).where(User.name == "Dana Director"))
    assert dana.role == "owner" and dana.is_active
    fresh = web.test_client()
    assert fresh.post("/login", data={"email": "dana@example.gov.uk",
                                      "password": "a long enough password"}).status_code == 302


def test_duplicate_email_and_short_password_are_named(client):
    sign_in(client, "admin")
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


def test_register_code_cannot_change_once_it_has_risks(client):
    sign_in(client, "admin")
    ah = get_register("AH")
    response = client.post(f"/admin/registers/{ah.id}", data={
        "code": "ASC", "name": ah.name, "level": "directorate", "parent": str(ah.parent_id),
        "matrix": str(ah.matrix_id), "owner": str(ah.owner_id)})
    assert response.status_code == 400
    assert any("code cannot change" in m for m in error_messages(response))
    assert get_register("AH").code == "AH"


def test_matrix_intervals_edit_and_a_gap_is_refused(client):
    sign_in(client, "admin")
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
