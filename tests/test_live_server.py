"""The live-server fixture itself: a real `riskkit serve` on the test's database."""

from tests.factories import gen_person, gen_risk


def test_a_signed_in_client_reads_a_risk_from_the_running_server(app, live_server):
    owner = gen_person(email="pat@example.gov.uk", password="a-long-password")
    risk = gen_risk(owner=owner)
    client = live_server.session("pat@example.gov.uk", "a-long-password")
    page = client.get(f"{live_server.url}/risks/{risk.reference}", timeout=10)
    assert page.status_code == 200
    assert risk.title in page.text
