"""Action cards read from data: the demo's Role / Response table, and the mistakes a
cards file can hold, each named."""

import pytest
import yaml

from riskkit import resources
from riskkit.errors import ValidationError
from riskkit.services.card_data import read_cards


def demo_cards():
    data = yaml.safe_load((resources.folder("seed_data") / "action_cards.yaml").read_text(encoding="utf-8"))
    return read_cards(data, 4)


def test_the_demo_table_has_each_role_of_the_plan_with_a_card_per_level():
    scheme, roles = demo_cards()
    assert scheme == "opel"
    assert [r.name for r in roles] == [
        "Registered Managers / Team Leaders In-house Provision",
        "Kent Enablement at Home Locality Organisers",
        "Short Term Pathways Senior Practitioner / Social Care Discharge Co-ordinator",
        "Short Term Pathway Team Manager",
        "Service Manager (Short Term Pathway)",
        "Service Manager (Promoting Independence, Supporting Independence)",
        "Assistant Director / Capacity Manager on Call",
        "Director of Adult Social Care (East / West)",
    ]
    assert all(r.steps[1] == ["Business as usual"] for r in roles)
    director = roles[-1]
    assert sorted(director.steps) == [1, 2, 3]  # the plan gives the Director nothing at OPEL 4


def test_continuing_puts_the_earlier_levels_steps_first_and_each_step_once():
    _, roles = demo_cards()
    practitioner = roles[2].steps
    assert practitioner[4][:5] == practitioner[2]
    assert practitioner[4][5:8] == practitioner[3][5:]
    assert practitioner[4][-1] == "Represent KCC at Multi-Agency conference calls."
    on_call = roles[6].steps[4]
    assert on_call.count("Represent KCC at Multi-Agency conference calls.") == 1
    assert roles[0].steps[4] == roles[0].steps[3]


@pytest.mark.parametrize("levels, message", [
    ({5: ["Go home"]}, "Night manager: 5 is not a level from 1 to 4"),
    ({"two": ["Go home"]}, "Night manager: 'two' is not a level from 1 to 4"),
    ({2: {"continue": [3]}}, "Night manager, level 2: can only continue the steps of lower levels"),
    ({2: {"steps": ["a"], "then": ["b"]}}, "Night manager, level 2: give a list of steps"),
    ({2: ["   "]}, "Enter a Night manager, level 2 step"),
    ({2: ["line\x00"]}, "Night manager, level 2 step must not contain the control character U.0000"),
    ([1, 2], "Night manager: give the steps for each level, 1 to 4"),
])
def test_a_mistake_names_the_role_and_level(levels, message):
    with pytest.raises(ValidationError, match=message):
        read_cards({"scheme": "opel", "roles": [{"name": "Night manager", "levels": levels}]}, 4)


def test_a_role_twice_or_no_roles_is_refused():
    twice = {"scheme": "opel", "roles": [{"name": "A", "levels": {1: ["x"]}}, {"name": "a", "levels": {}}]}
    with pytest.raises(ValidationError, match="Role 'a' is listed twice"):
        read_cards(twice, 4)
    with pytest.raises(ValidationError, match="needs a list of roles"):
        read_cards({"scheme": "opel", "roles": []}, 4)
