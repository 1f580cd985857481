"""The general guard against hostile input: every form and every filter of the web app,
filled with generated hostile values (huge and negative numbers, NUL and control
characters, 10,000-character strings, SQL and HTML metacharacters, impossible dates,
missing fields), as each role, answers without a 5xx.

The routes come from the app's URL map, the query parameters from the views' source,
and each form's fields from the form as the page renders it, so a new page or field is
covered without editing this file. Generation is derandomized: the same values every
run. How many values each route was sent is printed at the end of the run. The records
the routes open (one of each kind) are made by the factories: see `furnished_site`."""

import re
from collections import Counter, defaultdict
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import (
    CadenceRule,
    ContinuityPlan,
    Debrief,
    Event,
    Lesson,
    MatrixDefinition,
    Observation,
    Register,
    Risk,
    Theme,
    User,
)
from riskkit.services.events import set_status
from riskkit.services.lifecycle import save_action
from tests.factories import (
    PASSWORD,
    gen_control,
    gen_debrief,
    gen_event,
    gen_lesson,
    gen_observation,
    gen_plan,
    gen_register,
    gen_risk,
    gen_user,
)
from tests.web_helpers import error_messages

NAMES = {"admin": "Ada Admin", "manager": "Mo Manager", "resilience": "Wayne Gough",
         "owner": "Chris McKenzie", "viewer": "Val Viewer"}
EMAILS = {role: f"{name.lower().replace(' ', '.')}@example.gov.uk" for role, name in NAMES.items()}

#: Values sent per route as an administrator (who reaches every page), and per route
#: as each other role (mostly refused before any input is read, so one value shows the
#: refusal holds). The values are the same every run (derandomized), on both databases.
ADMIN_EXAMPLES = 10
ROLE_EXAMPLES = 1
WEB = Path(__file__).resolve().parents[1] / "riskkit" / "web"
#: Posting these would end the session or replace the calendar address mid-run.
SKIPPED_POSTS = {"auth.logout", "auth.login", "exports.new_calendar"}
#: The query a page needs to show its form: planning an exercise from scratch.
FORM_QUERY = {"exercises.new": "?pack=scratch"}
ROLE_ORDER = ("anonymous", "admin", "manager", "resilience", "owner", "viewer")
#: What the run tried, for the summary: (role, method, rule) -> statuses.
TRIED: dict[tuple[str, str, str], Counter] = defaultdict(Counter)

HOSTILE_TEXT = [
    "\x00", "AH0033\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "line\nbreak", "\r\n", "tab\there",
    "\u202egnp.exe", "\ufeff", "x" * 10_000, "é\x00" * 5_000, "9" * 30, "-1", "0", "1e9", "NaN",
    "inf", "None", "null", "true", "", " ", "' OR 1=1 --", "'; DROP TABLE risks; --",
    '"><script>alert(1)</script>', "{{7*7}}", "%s%n%x", "../../etc/passwd", "%00", "\\",
    "31 02 2021", "2021-02-31", "99999-01-01", "9999-12-31", "0001-01-01", "0000-00-00",
]
#: Day, month, year as the GOV.UK date input posts them, none of them a usable date.
IMPOSSIBLE_DATES = [["31", "02", "2021"], ["1", "1", "99999"], ["31", "12", "9999"],
                    ["1", "1", "1"], ["0", "0", "0"], ["1", "13", "2021"], ["-1", "1", "2021"],
                    ["1", "1", "1899"], ["1", "1", "2201"], ["1", "1"], ["1", "1", "2021", "4"]]
scalars = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=2**31 - 1).map(str),
    st.integers(max_value=-1).map(str),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
)
hostile = st.one_of(
    st.none(),  # the field left out
    scalars,
    st.lists(scalars, min_size=2, max_size=4),  # the field sent several times
    st.sampled_from(IMPOSSIBLE_DATES),
)
SETTINGS = dict(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=list(HealthCheck))


# --- what the app offers ------------------------------------------------------------------


def query_parameters() -> list[str]:
    """Every query parameter a view reads, found in the views' source."""
    names = set()
    for path in WEB.glob("*.py"):
        source = path.read_text()
        names.update(re.findall(r'args\.get(?:list)?\(\s*"(\w+)"', source))
        names.update(re.findall(r'args\[\s*"(\w+)"\s*\]', source))
        names.update(re.findall(r'(?:int|date)_arg\(\s*[\w.]+,\s*"(\w+)"', source))
        names.update(re.findall(r'"(\w+)" in request\.args', source))
    return sorted(names)


@pytest.fixture
def furnished_site(site):
    """One person of each role; CORP above AH above OPS; the owner's risk on AH with a
    control and an action; a held exercise testing it, with a debrief, an observation
    and a lesson; and a continuity plan. The rules, themes and matrices are riskkit's own."""
    people = {role: gen_user(name, role, EMAILS[role]) for role, name in NAMES.items()}
    corp = gen_register("CORP", level="corporate")
    ah = gen_register("AH", parent=corp, owner=people["manager"])
    gen_register("OPS", parent=ah)
    risk = gen_risk(ah, people["owner"], title="Care market failure")
    gen_control(risk, "Provider failure plan")
    save_action(risk, people["owner"], None, description="Commission two new providers",
                owner=people["owner"], target_date=None, status="planned", as_of=date(2026, 1, 5))
    event = gen_event("Exercise Lemur", risks=[risk], start_date=date(2026, 2, 10))
    set_status(event, None, "held", as_of=date(2026, 2, 10))
    gen_observation(gen_debrief(event, held_on=date(2026, 2, 11)))
    gen_lesson(event, owner=people["resilience"], risks=[risk])
    gen_plan(owner=people["resilience"])
    return site


def sign_in(client, role: str):
    response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD})
    assert response.status_code == 302, response.data[:500]
    return client


def path_values() -> dict[str, str]:
    """A real value for each URL argument: records the owner may edit (see `furnished_site`)."""
    risk = db.session.scalar(select(Risk).order_by(Risk.id).limit(1))

    def first(model, *where):
        return str(db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1)))

    return {
        "reference": risk.reference, "control": str(risk.controls[0].id),
        "action": str(risk.actions[0].id), "event_id": first(Event),
        "debrief_id": first(Debrief), "lesson_id": first(Lesson),
        "observation_id": first(Observation), "plan_id": first(ContinuityPlan),
        "rule_id": first(CadenceRule), "theme_id": first(Theme),
        "matrix_id": first(MatrixDefinition), "register_id": first(Register, Register.code == "OPS"),
        # Not the signed-in administrator, who would otherwise lock themself out.
        "user_id": first(User, User.email == EMAILS["viewer"]),
    }


def routes(app) -> list:
    """Every route, destructive ones (remove, done, status changes) last so the others
    see the records whole."""
    found = list(app.url_map.iter_rules())
    return sorted(found, key=lambda r: (r.rule.endswith(("/remove", "/done", "/status"))
                                        or "<any(close" in r.rule, r.rule))


ARGUMENT = r"<(?:([^:>]+):)?(\w+)>"  # <converter:name> in a rule


def fill(rule, values: dict[str, str], hostile_path: dict[str, str] | None = None) -> str:
    """The rule's path with real values (or hostile ones) in place of its arguments."""
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if hostile_path and name in hostile_path:
            return quote(hostile_path[name], safe="")
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        if name == "item_id":
            return values["action" if "/actions" in rule.rule else "control"]
        if name == "kind":
            return "controls"
        return values.get(name, "1")

    return re.sub(ARGUMENT, value, rule.rule)


class Forms(HTMLParser):
    """The POST forms of a page, each with its action, the values a browser would send
    for each field as the page fills it, every field's name, and its submit buttons."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": defaultdict(list),
                          "names": set(), "submits": []}
            self.forms.append(self._form)
        if tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["selected"] = a.get("value", "")
        if self._form is None or not a.get("name"):
            return
        name, kind = a["name"], (a.get("type") or "text").lower()
        self._form["names"].add(name)
        if tag == "input" and kind == "submit":
            self._form["submits"].append(name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            # Ticked checkboxes; of radios, the checked one (else the first).
            if "checked" in a or (kind == "radio" and name not in self._form["fields"]):
                self._form["fields"][name] = ([] if kind == "radio" else self._form["fields"][name])
                self._form["fields"][name].append(a.get("value", "y"))
        elif tag == "input":
            self._form["fields"][name].append(a.get("value") or "")
        elif tag == "button":
            self._form["submits"].append(name)
        elif tag == "select":
            self._select = {"name": name, "options": [], "selected": None}
        elif tag == "textarea":
            self._textarea = name
            self._form["fields"][name].append("")

    def handle_data(self, data):
        if self._textarea is not None:
            self._form["fields"][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] or next(
                (o for o in self._select["options"] if o), "")
            self._form["fields"][self._select["name"]] = [chosen]
            self._select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


#: What a person might type in a blank box, tried in turn until the form saves.
FILLERS = ["Hostile input test", "", "7", "HIT", "hostile.input@example.gov.uk"]


def usable(client, url: str, form: dict) -> dict[str, list[str]]:
    """The form as a person would fill it: blank dates given a date, blank boxes the
    filler that leaves the fewest errors (so generated values reach the services)."""
    data, blanks = {}, []
    for name, values in form["fields"].items():
        if len(values) == 3 and not any(values):
            data[name] = ["1", "2", "2030"]
        elif values == [""] and name not in ("version", "opened_at", "csrf_token"):
            data[name], blanks = [FILLERS[0]], blanks + [name]
        else:
            data[name] = values
    submits = form["submits"]
    for extra in submits:  # "Show the controls", "No change": sent only as hostile values
        data.pop(extra, None)
    if submits:
        data["submit" if "submit" in submits else submits[0]] = ["y"]
    best = _errors(client, url, data)
    for name in blanks:
        for filler in FILLERS[1:]:
            if best == 0:
                return data
            trial = {**data, name: [filler]}
            errors = _errors(client, url, trial)
            if errors < best:
                data, best = trial, errors
    return data


def _errors(client, url, data) -> int:
    try:
        response = client.post(url, data=data)
    except Exception:  # noqa: BLE001 - reported when the generated values are sent
        return 99
    return len(error_messages(response)) or 1 if response.status_code == 400 else 0


def forms_on(client, url: str) -> list[dict]:
    response = client.get(url)
    parser = Forms()
    parser.feed(response.get_data(as_text=True))
    for form in parser.forms:
        form["action"] = urlsplit(form["action"]).path or urlsplit(url).path
    return parser.forms


# --- sending ------------------------------------------------------------------------------


def send(client, role, method, rule, url, failures, **kwargs):
    """One request; a 5xx, or an exception the app let escape, is a failure."""
    try:
        response = client.open(url, method=method, **kwargs)
        status, what = response.status_code, str(response.status_code)
    except Exception as error:  # noqa: BLE001 - any escape is what this test is for
        status, response = 500, None
        what = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    if status >= 500:
        failures[(role, method, rule.rule, what)].append(f"{url} {kwargs}"[:400])
    TRIED[(role, method, rule.rule)][status // 100 * 100] += 1
    if response is not None and status == 302 and "/login" in response.location \
            and rule.endpoint != "auth.login":
        sign_in(client, role)  # a hostile post that signed us out: carry on signed in


def hostile_query(names):
    return st.dictionaries(st.sampled_from(names), hostile.filter(lambda v: v is not None),
                           min_size=1, max_size=4)


def check_get(client, role, rule, values, params, examples, failures):
    hostile_paths = {name: st.one_of(st.sampled_from(HOSTILE_TEXT[:12] + ["9" * 30]),
                                     st.integers(min_value=2**31 - 1).map(str))
                     for converter, name in re.findall(ARGUMENT, rule.rule)
                     if not converter.startswith("any(")}

    @settings(max_examples=examples, **SETTINGS)
    @given(query=hostile_query(params),
           path=st.one_of(st.none(), st.fixed_dictionaries(hostile_paths))
           if hostile_paths else st.none())
    def run(query, path):
        send(client, role, "GET", rule, fill(rule, values, path), failures,
             query_string=[(k, v) for k, vs in query.items()
                           for v in (vs if isinstance(vs, list) else [vs])])

    run()


def check_post(client, role, rule, url, form, examples, failures):
    base = usable(client, url, form)
    names = sorted(form["names"] - {"csrf_token"})

    @settings(max_examples=examples, **SETTINGS)
    @given(changes=st.dictionaries(st.sampled_from(names), hostile, min_size=1) if names
           else st.just({}))
    def run(changes):
        data = dict(base)
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value if isinstance(value, list) else [value]
        send(client, role, "POST", rule, url, failures, data=data)

    run()


def post_forms(client, url: str, rule) -> list[dict]:
    """The forms that post to this rule's URL, from the page itself or, for a POST-only
    route, from the page it hangs off (a risk's, an event's, a lesson's, a debrief's)."""
    pages = [url] if "GET" in rule.methods else [url.rsplit("/", 1)[0], url.rsplit("/", 2)[0],
                                                 url.rsplit("/", 3)[0]]
    for page in pages:
        matching = [f for f in forms_on(client, page) if f["action"] == urlsplit(url).path]
        if matching:
            return matching
    return [{"action": url, "fields": {}, "names": {"version", "submit"}, "submits": []}]


def hostile_run(web, role, examples):
    client = sign_in(web.test_client(), role)
    values, params, failures = path_values(), query_parameters(), defaultdict(list)
    for rule in routes(web):
        url = fill(rule, values)
        if "GET" in rule.methods:
            check_get(client, role, rule, values, params, examples, failures)
        if "POST" in rule.methods and rule.endpoint not in SKIPPED_POSTS:
            url += FORM_QUERY.get(rule.endpoint, "")
            for form in post_forms(client, url, rule):
                check_post(client, role, rule, url, form, examples, failures)
    return failures


@pytest.fixture(autouse=True)
def _summary(request):
    """Print what was tried once the run ends (pytest -rA or not, it is in the output)."""
    config = request.config
    if not config.pluginmanager.has_plugin("hostile-input-summary"):
        config.pluginmanager.register(_Summary(), "hostile-input-summary")


class _Summary:
    def pytest_terminal_summary(self, terminalreporter):
        """One line per route and method: values tried as each role, and the statuses
        they got (all roles together)."""
        if not TRIED:
            return
        write = terminalreporter.write_line
        terminalreporter.section("hostile input: values tried per route")
        roles = sorted({role for role, _, _ in TRIED}, key=list(ROLE_ORDER).index)
        routes_tried = sorted({(rule, method) for _, method, rule in TRIED})
        width = max(len(f"{method} {rule}") for rule, method in routes_tried) + 2
        write(f"{'route':<{width}}" + "".join(f"{role:>11}" for role in roles) + "  statuses")
        for rule, method in routes_tried:
            statuses = sum((TRIED.get((role, method, rule), Counter()) for role in roles),
                           Counter())
            tried = "".join(f"{sum(TRIED.get((role, method, rule), Counter()).values()):>11}"
                            for role in roles)
            write(f"{method + ' ' + rule:<{width}}{tried}  " + ", ".join(
                f"{code // 100}xx {n}" for code, n in sorted(statuses.items())))
        total = sum(sum(s.values()) for s in TRIED.values())
        fives = sum(s[500] for s in TRIED.values())
        write(f"{total} requests with hostile values, {fives} answered 5xx")


def described(failures) -> str:
    """Each kind of 5xx once: where, what, how often, and the first request that got it."""
    return "\n".join(f"{len(seen)} x {role} {method} {rule}: {what}\n    e.g. {seen[0]}"
                     for (role, method, rule, what), seen in sorted(failures.items()))


def test_hostile_input_as_an_administrator(furnished_site):
    failures = hostile_run(furnished_site, "admin", ADMIN_EXAMPLES)
    assert not failures, described(failures)


@pytest.mark.parametrize("role", ["viewer", "owner", "resilience", "manager"])
def test_hostile_input_as_each_other_role(furnished_site, role):
    failures = hostile_run(furnished_site, role, ROLE_EXAMPLES)
    assert not failures, described(failures)


def test_hostile_sign_in(furnished_site):
    """The one form outside the login wall."""
    client, failures = furnished_site.test_client(), defaultdict(list)
    rule = next(r for r in furnished_site.url_map.iter_rules() if r.endpoint == "auth.login")
    form = forms_on(client, "/login")[0]
    check_post(client, "anonymous", rule, "/login", form, ADMIN_EXAMPLES, failures)
    check_get(client, "anonymous", rule, {}, query_parameters(), ADMIN_EXAMPLES, failures)
    assert not failures, described(failures)
