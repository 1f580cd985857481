"""Fill an empty riskkit database with a large, realistic, synthetic risk register.

    python benchmarks/generate.py --risks 100000 --database-url sqlite:///big.sqlite
    python benchmarks/generate.py --risks 10000 \
        --database-url postgresql+psycopg://user:pass@localhost/riskkit_bench

The schema is created with the real migrations and the built-in matrices are
added through the matrix service; everything else goes in with SQLAlchemy Core
bulk inserts. That bypasses the ORM, so the history hook (riskkit.audit) writes
nothing and scores are not re-checked on the way in: fine for synthetic data,
which is built to be consistent by construction (target score <= current,
each review's "before" equal to the previous review's "after", the risk's
previous score equal to its latest review's "before", next review dates
scheduled from the matrix band's review interval).

One person can sign in: the first manager of the AH register (who also owns that
register) has the email address BENCH_EMAIL and the password BENCH_PASSWORD, so
that benchmarks/run.py can request the web pages as a manager. Everyone else has
no password, as teams and people who only own risks would not.

The resilience half is made in proportion to the risks: one business continuity
plan per 200 risks (at least 3) and one exercise or incident per 100 risks (at least
5), spread over the six years up to REFERENCE_DATE, with exercises planned for the
six months after it. Each event tests or concerns 1-3 risks, 0-3 of their controls
and 0-2 plans; each one held has 1-2 debriefs of 2-6 observations, each tagged with
1-3 of the default themes, and about a third of the observations become lessons,
some answered by an action raised on one of the lesson's risks. The themes and the
cadence rules are the defaults that `riskkit init` adds (themes.ensure_defaults(),
programme.ensure_defaults()).

The same --risks and --seed always give the same database.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import bindparam, event, func, insert, select, text, update

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from riskkit import create_app, scoring, vocab  # noqa: E402
from riskkit.database import refresh_statistics, upgrade_database  # noqa: E402
from riskkit.extensions import db  # noqa: E402
from riskkit.models import (  # noqa: E402
    Action,
    Appetite,
    ContinuityPlan,
    Control,
    Debrief,
    Event,
    Lesson,
    MatrixDefinition,
    Objective,
    Observation,
    Register,
    Review,
    Risk,
    Theme,
    User,
)
from riskkit.models.events import event_controls, event_plans, event_risks  # noqa: E402
from riskkit.models.lessons import (  # noqa: E402
    lesson_actions,
    lesson_controls,
    lesson_risks,
    observation_themes,
)
from riskkit.services import matrices, programme, themes  # noqa: E402

#: Bump when the data generated for a given size and seed changes, so that
#: benchmarks/run.py does not reuse a database cached by an older generator.
GENERATOR_VERSION = 4
#: The one person who can sign in (a manager), for timing the web pages.
BENCH_EMAIL = "bench.manager@example.gov.uk"
BENCH_PASSWORD = "bench-manager-password"
BENCH_REGISTER = "AH"
#: Review dates are spread around this day; benchmarks ask what is due on it.
REFERENCE_DATE = date(2026, 6, 1)
BATCH = 5000

# code, name, level, parent, matrix, share of the risks whose reference it issues
REGISTERS = [
    ("CORP", "Corporate Risk Register", "corporate", None, "council-5x5", 3),
    ("AH", "Adult Social Care and Health", "directorate", "CORP", "council-5x5", 12),
    ("CYP", "Children, Young People and Education", "directorate", "CORP", "council-5x5", 12),
    ("RES", "Resources", "directorate", "CORP", "council-5x5", 10),
    ("OPS", "Adult Social Care and Health Operations", "operational", "AH", "council-5x5", 20),
    ("PH", "Public Health", "operational", "AH", "nhs-5x5", 10),
    ("CSC", "Children's Social Care", "operational", "CYP", "council-5x5", 18),
    ("ICT", "ICT and Digital Services", "operational", "RES", "council-5x5", 15),
]

# category, highest tolerated score (None: no appetite set for that category)
SERVICE_AREAS = (
    "Community Services", "Highways", "Waste Management", "Libraries", "Trading Standards",
    "Registration", "Coroners", "Fire Safety", "Emergency Planning", "Property", "Finance",
    "Procurement", "Human Resources", "Legal Services", "Democratic Services", "Customer Contact",
    "Public Protection", "Transport", "Planning", "Economic Development", "Skills",
)


def council_registers(count: int) -> list[tuple]:
    """REGISTERS, then operational registers for service areas under the directorates
    (round robin) until there are `count` registers in all."""
    registers = list(REGISTERS[:count])
    directorates = [code for code, _, level, *_ in REGISTERS if level == "directorate"]
    for n in range(count - len(registers)):
        area = SERVICE_AREAS[n % len(SERVICE_AREAS)]
        suffix = f" {n // len(SERVICE_AREAS) + 1}" if n >= len(SERVICE_AREAS) else ""
        registers.append((f"S{n + 1:02d}", f"{area}{suffix}", "operational",
                          directorates[n % len(directorates)], "council-5x5", 4))
    return registers


CATEGORIES = [
    ("Financial", 12), ("Workforce", 15), ("Information governance", 12),
    ("Service delivery", 15), ("Safeguarding", 8), ("Business continuity", 12),
    ("Market and providers", 15), ("Partnerships", 15), ("Legal and regulatory", 12),
    ("Health and safety", None), ("Reputation", None), ("Climate and environment", None),
]
CATEGORY_WEIGHTS = [14, 12, 8, 16, 9, 8, 8, 5, 7, 6, 4, 3]

FIRST_NAMES = (
    "Aisha Alan Alison Amir Andrew Angela Anna Ben Bethany Carl Caroline Chloe Chris Claire "
    "Daniel David Deborah Dylan Eleanor Emma Fatima Fiona Gareth Grace Hannah Harry Helen Ian "
    "Imran Jack James Jane Jasmine Joanne John Julie Karen Kate Kevin Laura Leanne Liam Lucy "
    "Mark Martin Mary Matthew Michael Mohammed Natalie Neil Nicola Oliver Olivia Paul Peter "
    "Priya Rachel Rebecca Richard Robert Ruth Sam Sarah Simon Sophie Stephen Susan Thomas "
    "Tom Victoria William Yusuf Zoe"
).split()
LAST_NAMES = (
    "Adams Ahmed Ali Allen Bailey Baker Bell Bennett Brown Campbell Carter Clark Clarke Collins "
    "Cook Cooper Davies Davis Edwards Evans Fisher Foster Green Griffiths Hall Harris Harrison "
    "Hill Hughes Hussain Jackson James Johnson Jones Kaur Kelly Khan King Knight Lee Lewis "
    "Marshall Martin Mason Mills Mitchell Moore Morgan Morris Murphy Murray Owen Palmer Parker "
    "Patel Phillips Price Richards Roberts Robinson Rogers Russell Scott Shaw Simpson Singh "
    "Smith Stevens Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson "
    "Wood Wright Young"
).split()
INITIALS = "ABCDEFGHJKLMNPRSTW"

EVENTS = [
    "Failure of", "Loss of", "Insufficient capacity in", "Delay to", "Overspend on",
    "Cyber attack on", "Non-compliance with statutory duties for", "Disruption to",
    "Poor data quality in", "Inability to sustain", "Market failure affecting",
    "Breach of confidentiality in", "Reduced funding for", "Rising demand on",
    "Recruitment and retention difficulties in", "Contract failure in",
]
SUBJECTS = [
    "the home care market", "the payroll system", "children's placements",
    "the SEND transport service", "hospital discharge arrangements",
    "the social care case management system", "the capital programme",
    "the waste disposal contract", "the public health grant programme",
    "the highways maintenance contract", "safeguarding referrals", "the corporate network",
    "the Deprivation of Liberty Safeguards process", "residential and nursing care providers",
    "the council's data centre", "supplier payments",
    "the approved mental health professional rota", "the early help service",
    "the local government pension fund", "domestic abuse support services",
    "the school admissions process", "the youth offending service", "reablement services",
    "the telephony contact centre", "the adult learning disability service",
    "the sexual health service", "the drug and alcohol treatment service", "the ICT service desk",
    "the Medium Term Financial Strategy", "the county's flood defences", "the coroner's service",
    "fostering recruitment", "the occupational therapy waiting list", "the electoral register",
]
SETTINGS = [
    "", "", "", " during winter pressures", " following the restructure", " across the county",
    " in the northern locality", " in the southern locality", " over the next two years",
    " after the new national framework", " while the new system is implemented",
]
DESCRIPTION = [
    "There is a risk that {s} cannot be maintained at the level required by statute and by the"
    " council's own commissioning strategy.",
    "Demand has risen by {pct}% over the last {n} months while the budget has remained flat in cash"
    " terms, and the service is now carrying a waiting list.",
    "The position is monitored monthly by the directorate management team and reported quarterly"
    " to the Governance and Audit Committee.",
    "Benchmarking against comparable authorities shows the council is an outlier on unit cost and"
    " on the time taken to complete assessments.",
    "A recovery plan has been agreed but depends on partners delivering their share of the actions"
    " on time.",
    "External inspection in {year} identified this area as requiring improvement and the"
    " inspectorate will revisit within {n} months.",
    "The service relies on a small number of specialist staff and on one main supplier whose"
    " contract ends in {year}.",
    "Recent incidents have been reviewed and the lessons learned shared with managers, but the"
    " underlying pressures remain.",
]
CAUSES = [
    "National shortage of qualified staff and competition from neighbouring authorities and the"
    " private sector.",
    "Inflation running above the level assumed when the budget was set, particularly on energy,"
    " fuel and provider fees.",
    "Ageing systems that are no longer supported by the supplier and depend on manual"
    " workarounds.",
    "Increasing complexity of need among the people referred, with more requiring two carers or"
    " specialist support.",
    "Uncertainty over the level and timing of government funding beyond the current settlement.",
    "Dependence on partners whose own capacity is stretched, including the NHS and the voluntary"
    " sector.",
    "Changes in legislation and guidance that add duties without matching funding.",
    "Phishing and ransomware campaigns targeting local government, and gaps in staff awareness.",
    "Provider exits from the local market and a shrinking pool of providers willing to tender.",
]
CONSEQUENCES = [
    "People may wait longer for assessment and support, with a risk of harm to vulnerable adults"
    " and children.",
    "The council may overspend its budget by up to \u00a3{m}m, requiring use of reserves or"
    " in-year savings.",
    "Legal challenge, ombudsman findings or regulatory intervention, with damage to the council's"
    " reputation.",
    "Services could be unavailable for several days, with data loss and the cost of recovery.",
    "Increased reliance on agency staff at higher cost and with less continuity for the people we"
    " support.",
    "Delayed hospital discharges and pressure on the local health and care system.",
    "Failure to meet statutory deadlines and performance targets reported to government.",
    "Loss of public confidence and of partners' willingness to work with the council.",
]
CONTROLS = [
    "Monthly budget monitoring with the finance business partner and variance reports to DMT.",
    "Workforce strategy including a recruitment and retention premium for hard-to-fill posts.",
    "Business continuity plan, tested annually, with a documented manual fallback.",
    "Quality assurance framework with regular audits of {s}.",
    "Weekly performance dashboard reviewed by the service leadership team.",
    "Contract management meetings with the main supplier every {n} weeks.",
    "Mandatory training for all staff, with completion rates reported to the board.",
    "Multi-agency escalation protocol agreed with partners.",
    "Backups taken nightly, held off site and restore-tested quarterly.",
    "Scheme of delegation and approval limits for expenditure over \u00a3{k}k.",
    "Risk-based prioritisation of the waiting list, reviewed by a senior practitioner.",
    "Market sustainability plan and regular provider forums.",
]
ACTIONS = [
    "Complete the review of {s} and report options to the Cabinet Member.",
    "Recruit {n} additional staff through the international recruitment programme.",
    "Procure a replacement system and migrate the data before the current contract ends.",
    "Agree a joint funding arrangement with the Integrated Care Board.",
    "Run a business continuity exercise and update the plan with the lessons learned.",
    "Deliver the savings plan of \u00a3{m}m agreed in the budget.",
    "Commission an independent audit of {s}.",
    "Roll out phishing simulation and refresher training to all staff.",
    "Develop a market position statement and share it with providers.",
    "Implement the new triage process for incoming referrals.",
]
COMMENTS = [
    "Reviewed at DMT. No change to the controls; actions progressing to plan.",
    "Position has improved following the recruitment campaign; likelihood reviewed.",
    "Pressures have increased this quarter and the budget forecast has worsened.",
    "Discussed with the Cabinet Member. Actions re-profiled to reflect the new timetable.",
    "New control added following the internal audit report.",
    "No material change since the last review.",
    "Risk owner changed after the restructure; scores confirmed by the new owner.",
    "Score reduced as the mitigating actions have been completed.",
    "",
]
REVIEW_REASONS = [
    "Committee asked for an earlier review", "Aligned with the quarterly performance cycle",
    "Review brought forward pending the inspection", "Owner on leave on the scheduled date",
]
LIKELIHOOD_WEIGHTS = [8, 22, 35, 25, 10]
IMPACT_WEIGHTS = [5, 15, 30, 32, 18]

# --- the resilience half -------------------------------------------------------------
# Illustrative wording in the style of a directorate's exercise and debrief reports.

PLAN_SERVICES = [
    "Home care", "Reablement", "In-house residential care", "Day services",
    "Shared lives", "Supported living", "Adult safeguarding", "Hospital discharge team",
    "Occupational therapy", "Sensory services", "Approved mental health professionals",
    "Children's social work", "Fostering", "Adoption", "Children's residential homes",
    "Early help", "Youth justice", "SEND transport", "School admissions",
    "Education psychology", "Public health commissioning", "Sexual health",
    "Drug and alcohol treatment", "Health protection", "Payroll", "Supplier payments",
    "Revenues and benefits", "Contact centre", "ICT service desk", "Data centre",
    "Highways maintenance", "Waste disposal", "Registration service", "Coroner's service",
    "Libraries", "Trading standards", "Emergency planning", "Facilities management",
    "Legal services", "Procurement",
]
PLAN_AREAS = [
    "", " (north)", " (south)", " (east)", " (west)", " (central)", " (coastal)",
    " (rural)", " (out of hours)", " (county-wide)", " (city)", " (urban fringe)",
    " (Ashford)", " (Canterbury)", " (Dartford)", " (Dover)", " (Folkestone)",
    " (Maidstone)", " (Sevenoaks)", " (Swale)", " (Thanet)", " (Tonbridge)",
    " (Tunbridge Wells)", " (Gravesham)",
]
EXERCISE_TYPE_WEIGHTS = {"seminar": 4, "workshop": 8, "tabletop": 30, "game": 3, "drill": 8,
                         "command_post": 6, "full_scale": 3, "comms_cascade": 38}
INCIDENT_TYPE_WEIGHTS = {"ict_outage": 28, "power": 14, "fuel": 5, "weather": 20,
                         "infection_outbreak": 12, "evacuation": 6, "staffing": 10, "other": 5}
CODE_WORDS_FIRST = (
    "Mighty Amber Silver Northern Iron Quiet Swift Golden Steady Crimson Broad Winter Summer "
    "Bright Hidden Stone Coastal Distant Misty Rolling Scarlet Ancient Frozen Hollow Royal "
    "Sable Copper Evening Morning Gentle"
).split()
CODE_WORDS_SECOND = (
    "Oak Lemur Heron Falcon Badger Otter Harbour Beacon Meadow Kestrel Willow Bridge Lantern "
    "Anchor Ember Orchard Sparrow Thistle Fox Hawthorn Pike Raven Gannet Marten Bramble Curlew "
    "Elm Osprey Plover Weald Downs Medway Stour Saxon Hare Wren Alder"
).split()
PLACES = [
    "County Hall", "Invicta House", "Kroner House", "the Oakwood day centre",
    "the Broadmeadow care home", "the Westview care home", "the Northfleet depot",
    "the Canterbury area office", "the Ashford gateway", "the Maidstone data centre",
    "the Dover area office", "the Thanet area office", "Sessions House", "Brook House",
]
INCIDENT_NAMES = {
    "ict_outage": ["Network outage", "Case management system outage", "Telephony failure",
                   "Email outage", "Cyber incident"],
    "power": ["Power cut", "Power outage"],
    "fuel": ["Fuel supply disruption"],
    "weather": ["Snow and ice", "Storm damage", "Flooding", "Heatwave"],
    "infection_outbreak": ["Norovirus outbreak", "Influenza outbreak", "COVID-19 outbreak"],
    "evacuation": ["Care home evacuation", "Building evacuation"],
    "staffing": ["Staff shortage", "Industrial action"],
    "other": ["Water supply failure", "Major road closure"],
}
SCENARIOS = [
    "A prolonged loss of {s} during a period of high demand, with staff working from home"
    " and partners asking for a daily position report.",
    "Severe weather closes roads across the county for three days; home care rounds cannot"
    " be completed and people with the highest needs must be identified.",
    "A cyber attack takes the case management system and email off line without warning;"
    " the service must run on paper for at least a week.",
    "A regional power outage lasting more than 24 hours affects {s} and several care homes"
    " without standby generation.",
    "Fuel supplies are restricted and essential users must be prioritised; the service has"
    " to decide which visits go ahead.",
    "An infection outbreak leads to the closure of a care home to admissions and high staff"
    " absence across {s}.",
    "A care home must be evacuated at night and its residents placed the same day.",
    "Out-of-hours call-out: the on-call manager starts the emergency contact cascade and each"
    " tier confirms receipt within 30 minutes.",
]
INCIDENT_DESCRIPTIONS = [
    "The incident affected {s} for {n} days. Staff followed the business continuity plan and"
    " the service was restored without harm to the people we support, but the response"
    " depended on a few experienced managers.",
    "The service lost access to its usual systems and premises for {n} days and ran on its"
    " manual fallback. Partners were kept informed through the daily calls.",
    "A number of visits were rescheduled and people with the highest needs were prioritised."
    " The incident was stood down after {n} days.",
]
PARTICIPANTS = [
    "Directorate Management Team; service managers; on-call managers",
    "Resilience and Emergency Planning Service; area teams; commissioning",
    "Service managers; care home managers; NHS partners; the Local Resilience Forum",
    "ICT; business support; service managers",
    "Provider representatives; commissioning; brokerage",
]
OBJECTIVES = [
    "To test the emergency contact arrangements and cascade",
    "To provide an opportunity for rehearsal",
    "To validate the business continuity plan for {s}",
    "To test the identification of people with the highest needs",
    "To test communications with providers and partners",
    "To test the manual fallback when the case management system is unavailable",
    "To confirm roles and responsibilities in the command structure",
    "To test the arrangements for information sharing with the NHS",
    "To check that staff know where to find the response plans",
]
OBSERVATIONS = {
    "Communications": (
        "The cascade started within minutes and most managers confirmed receipt in time.",
        "Some contact details were out of date and several managers were not reached."),
    "Command and control": (
        "The incident management team was stood up quickly and roles were clear.",
        "It was not clear who held decision-making authority once the on-call manager handed over."),
    "Staffing": (
        "Staff volunteered to cover additional shifts and rotas were agreed quickly.",
        "The response relied on a few experienced staff, with no cover for absence."),
    "ICT and data": (
        "The overnight emergency report let teams see who had visits due.",
        "Response plans held only on the network could not be opened during the outage."),
    "Power and utilities": (
        "Standby generation started automatically and was checked within the hour.",
        "Not all sites knew whether they had standby generation or how long it would run."),
    "Fuel and transport": (
        "Essential user status was confirmed with the fuel supplier in good time.",
        "There was no list of which staff would need fuel priority for essential visits."),
    "Premises": (
        "The alternative site was opened and staff relocated the same day.",
        "Keys and access codes for the alternative site were not held by the on-call manager."),
    "Supply chain": (
        "The main providers gave regular updates on their capacity.",
        "Providers' own continuity plans had not been checked and some were out of date."),
    "Partners and multi-agency": (
        "Joint calls with the NHS and the district councils kept partners aligned.",
        "Partners received different information from different teams in the council."),
    "Information sharing": (
        "Data sharing agreements were in place and information reached partners quickly.",
        "Staff were unsure what personal information they could share with partners."),
    "Vulnerable people": (
        "People with the highest needs were identified and contacted early.",
        "The list of vulnerable people took too long to compile and had gaps."),
}
LESSONS = {
    "Communications": ("The emergency contact directory is not kept up to date as staff move"
                       " teams.",
                       "Refresh the emergency contact directory every quarter and after any"
                       " restructure."),
    "Command and control": ("Decision-making authority is unclear after a handover.",
                            "Add a handover checklist and decision log to the incident"
                            " management plan."),
    "Staffing": ("The response depends on a small number of experienced staff.",
                 "Train a second tier of managers in the response role and rehearse it."),
    "ICT and data": ("Plans and contact lists held only electronically are lost in an ICT"
                     " outage.",
                     "Provide paper copies of response plans to key personnel ('grab-bags')."),
    "Power and utilities": ("Sites do not know their standby power arrangements.",
                            "Record each site's standby generation and run time in the plan."),
    "Fuel and transport": ("There is no agreed list of staff needing fuel priority.",
                           "Keep an up-to-date essential user list for fuel and review it"
                           " every six months."),
    "Premises": ("Access to the alternative site depends on one person.",
                 "Hold keys and access codes for alternative sites with the on-call manager."),
    "Supply chain": ("Providers' continuity plans are not checked.",
                     "Ask key providers for their continuity plans at each contract review."),
    "Partners and multi-agency": ("Partners hear different messages from different teams.",
                                  "Agree a single point of contact for partners in an incident."),
    "Information sharing": ("Staff are unsure what they may share with partners in an"
                            " emergency.",
                            "Issue a short guide to sharing information in an emergency."),
    "Vulnerable people": ("The list of vulnerable people takes too long to compile.",
                          "Produce the vulnerable people list from the case management system"
                          " each night."),
}
LESSON_ACTION = "Lesson from {event}: {recommendation}"
FACILITATORS = ["Resilience and Emergency Planning Service", "Directorate resilience lead",
                "Independent facilitator", "Service manager"]


def _fill(rng: random.Random, template: str, subject: str) -> str:
    if "{" not in template:
        return template
    return template.format(s=subject, pct=rng.randint(5, 40), n=rng.randint(2, 18),
                           year=rng.randint(2024, 2028), m=rng.randint(1, 25),
                           k=rng.choice((10, 25, 50, 100)))


def _paragraph(rng: random.Random, pool: list[str], subject: str, low: int, high: int) -> str:
    return " ".join(_fill(rng, t, subject) for t in rng.sample(pool, rng.randint(low, high)))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


class _Generator:
    def __init__(self, n_risks: int, seed: int, n_registers: int = len(REGISTERS),
                 n_people: int | None = None):
        self.n = n_risks
        self.registers_made = council_registers(n_registers)
        self.n_people = n_people
        self.rng = random.Random(seed)
        self.counts = dict.fromkeys(
            ("registers", "people", "risks", "controls", "actions", "reviews", "appetites"), 0)
        self.next_ids = {"control": 1, "action": 1, "review": 1}

    # --- reference data ---------------------------------------------------------

    def people(self) -> None:
        rng = self.rng
        total = self.n_people or max(len(self.registers_made) * 3, self.n // 40)
        names = [(f, "", s) for f in FIRST_NAMES for s in LAST_NAMES]
        rng.shuffle(names)
        if total > len(names):
            extra = [(f, i, s) for i in INITIALS for f in FIRST_NAMES for s in LAST_NAMES]
            rng.shuffle(extra)
            names += extra
        if total > len(names):
            raise SystemExit(f"Cannot make {total} unique names; use fewer risks")
        weights = [share for *_, share in self.registers_made]
        self.pool = {code: [] for code, *_ in self.registers_made}
        self.managers = {code: [] for code, *_ in self.registers_made}
        rows = []
        day = _at(REFERENCE_DATE - timedelta(days=900))
        for person_id, (first, initial, last) in enumerate(names[:total], 1):
            name = f"{first} {initial + ' ' if initial else ''}{last}"
            email = f"{first}.{initial + '.' if initial else ''}{last}@example.gov.uk".lower()
            # Every register gets some people first; the rest go where the risks are.
            if person_id <= len(self.registers_made) * 3:
                home = self.registers_made[(person_id - 1) % len(self.registers_made)][0]
            else:
                home = rng.choices(self.registers_made, weights)[0][0]
            manager = person_id <= len(self.registers_made) or rng.random() < 0.1
            self.pool[home].append(person_id)
            if manager:
                self.managers[home].append(person_id)
            rows.append({"id": person_id, "name": name, "email": email,
                         "role": "manager" if manager else "owner", "password_hash": None,
                         "active": True, "created_at": day, "updated_at": day})
        self.people_ids = list(range(1, total + 1))
        # One manager can sign in. The password is hashed once (scrypt takes a while)
        # through the model, so that it is stored exactly as the app stores passwords.
        bench = rows[self.managers[BENCH_REGISTER][0] - 1]
        signer = User()
        signer.set_password(BENCH_PASSWORD)
        bench["email"], bench["password_hash"] = BENCH_EMAIL, signer.password_hash
        _insert(User.__table__, rows)
        self.counts["people"] = total

    def registers(self) -> None:
        slugs = dict(db.session.execute(select(MatrixDefinition.slug, MatrixDefinition.id)).all())
        self.register_ids, self.matrix_of, self.parent_of = {}, {}, {}
        rows = []
        day = _at(REFERENCE_DATE - timedelta(days=900))
        for register_id, (code, name, level, parent, slug, _) in enumerate(self.registers_made, 1):
            self.register_ids[code] = register_id
            self.parent_of[code] = parent
            self.matrix_of[code] = scoring.parse_matrix(
                db.session.scalar(select(MatrixDefinition.definition)
                                  .where(MatrixDefinition.slug == slug)))
            rows.append({"id": register_id, "code": code, "name": name, "level": level,
                         "parent_id": self.register_ids[parent] if parent else None,
                         "matrix_id": slugs[slug], "owner_id": self.managers[code][0],
                         "next_number": 1, "created_at": day, "updated_at": day})
        _insert(Register.__table__, rows)
        self.counts["registers"] = len(rows)
        # Review interval in months for each matrix cell, looked up per review.
        self.months = {
            code: {(lk, im): scoring.rating(m, lk, im).review_months
                   for lk in m.levels("likelihood") for im in m.levels("impact")}
            for code, m in self.matrix_of.items()
        }

    def appetites(self) -> None:
        rows = [{"id": n, "category": category, "max_score": limit}
                for n, (category, limit) in enumerate(
                    [(c, m) for c, m in CATEGORIES if m is not None], 1)]
        _insert(Appetite.__table__, rows)
        self.counts["appetites"] = len(rows)

    # --- risks and what hangs off them -------------------------------------------

    def risks(self, log) -> None:
        rng = self.rng
        codes = [code for code, *_ in self.registers_made]
        weights = [share for *_, share in self.registers_made]
        numbers = dict.fromkeys(codes, 0)
        started = time.perf_counter()
        for first in range(1, self.n + 1, BATCH):
            risks, controls, actions, reviews = [], [], [], []
            for risk_id in range(first, min(first + BATCH, self.n + 1)):
                origin = rng.choices(codes, weights)[0]
                numbers[origin] += 1
                self._risk(risk_id, origin, numbers[origin], risks, controls, actions, reviews)
            _insert(Risk.__table__, risks)
            _insert(Control.__table__, controls)
            _insert(Action.__table__, actions)
            _insert(Review.__table__, reviews)
            db.session.commit()
            for key, rows in (("risks", risks), ("controls", controls), ("actions", actions),
                              ("reviews", reviews)):
                self.counts[key] += len(rows)
            log(f"  {self.counts['risks']:,} risks ({time.perf_counter() - started:.0f} s)")
        for code, last in numbers.items():
            db.session.execute(update(Register.__table__)
                               .where(Register.__table__.c.id == self.register_ids[code])
                               .values(next_number=last + 1))

    def _owner(self, code: str) -> int:
        pool = self.pool[code] if self.rng.random() < 0.9 else self.people_ids
        return self.rng.choice(pool)

    def _risk(self, risk_id, origin, number, risks, controls, actions, reviews) -> None:
        rng = self.rng
        status = rng.choices(("open", "escalated", "closed"), (85, 5, 10))[0]
        register = origin
        if status == "escalated":
            if self.parent_of[origin] is None:
                status = "open"  # nowhere above the corporate register to escalate to
            else:
                register = self.parent_of[origin]
        owner = self._owner(origin)
        likelihood = rng.choices(range(1, 6), LIKELIHOOD_WEIGHTS)[0]
        impact = rng.choices(range(1, 6), IMPACT_WEIGHTS)[0]
        months = self.months[register]

        # Scores through the reviews, worked backwards from the current one.
        n_reviews = rng.choices(range(0, 8), (2, 5, 12, 20, 24, 18, 12, 7))[0]
        scores = [(likelihood, impact)]
        for _ in range(n_reviews):
            lk, im = scores[-1]
            roll = rng.random()
            if roll < 0.35:  # scores usually fall over time, so earlier ones were higher
                lk = min(5, lk + 1) if rng.random() < 0.7 else max(1, lk - 1)
            elif roll < 0.5:
                im = min(5, im + 1) if rng.random() < 0.7 else max(1, im - 1)
            scores.append((lk, im))
        scores.reverse()  # scores[0] at creation, scores[-1] now

        # The next review: live risks mostly scheduled ahead, some overdue; closed ones
        # stopped being reviewed a while ago.
        if status == "closed":
            next_review = REFERENCE_DATE - timedelta(days=rng.randint(30, 720))
        elif rng.random() < 0.12:
            overdue_days = min(365, int(rng.expovariate(1 / 45)) + 1)
            next_review = REFERENCE_DATE - timedelta(days=overdue_days)
        else:
            next_review = REFERENCE_DATE + timedelta(
                days=rng.randint(0, months[(likelihood, impact)] * 30))

        # Reviews, last first: each reviewed on its scheduled date give or take a few days.
        review_rows = []
        due = next_review
        for j in range(n_reviews, 0, -1):
            after = scores[j]
            interval = relativedelta(months=months[after])
            reason = ""
            if rng.random() < 0.05:
                reason = rng.choice(REVIEW_REASONS)
                reviewed_on = due + timedelta(days=rng.randint(7, 14)) - interval
            else:
                reviewed_on = due - interval
                due = reviewed_on + interval  # not always the same day: 31 March - 1 month
            review_rows.append({
                "risk_id": risk_id, "reviewed_on": reviewed_on,
                "reviewer_id": owner if rng.random() < 0.8 else self._owner(register),
                "comment": rng.choice(COMMENTS),
                "before_likelihood": scores[j - 1][0], "before_impact": scores[j - 1][1],
                "after_likelihood": after[0], "after_impact": after[1],
                "next_review_date": due, "next_review_reason": reason,
                "created_at": _at(reviewed_on), "updated_at": _at(reviewed_on),
            })
            due = reviewed_on - timedelta(days=rng.randint(-10, 20))
        review_rows.reverse()
        if review_rows:
            next_review = review_rows[-1]["next_review_date"]
        for row in review_rows:
            row["id"] = self.next_ids["review"]
            self.next_ids["review"] += 1
        reviews.extend(review_rows)
        last_review = review_rows[-1]["reviewed_on"] if review_rows else None
        created = (review_rows[0]["reviewed_on"] if review_rows
                   else next_review - relativedelta(months=months[(likelihood, impact)]))
        created -= timedelta(days=rng.randint(0, 30))

        target_l = max(1, likelihood - rng.choice((0, 1, 1, 2)))
        target_i = max(1, impact - rng.choice((0, 0, 1)))
        inherent = rng.random() < 0.7
        subject = rng.choice(SUBJECTS)
        title = f"{rng.choice(EVENTS)} {subject}{rng.choice(SETTINGS)}"
        risks.append({
            "id": risk_id, "register_id": self.register_ids[register],
            "origin_register_id": self.register_ids[origin] if register != origin else None,
            "reference": f"{origin}{number:04d}", "title": title[0].upper() + title[1:],
            "description": _paragraph(rng, DESCRIPTION, subject, 2, 3),
            "cause": _paragraph(rng, CAUSES, subject, 2, 3),
            "consequence": _paragraph(rng, CONSEQUENCES, subject, 2, 3),
            "category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0][0],
            "owner_id": owner, "status": status,
            "response": rng.choices(("treat", "tolerate", "transfer", "terminate"),
                                    (70, 20, 5, 5))[0],
            "exempt": rng.random() < 0.02,
            "likelihood": likelihood, "impact": impact, "current_score": likelihood * impact,
            "previous_likelihood": scores[-2][0] if n_reviews else None,
            "previous_impact": scores[-2][1] if n_reviews else None,
            "target_likelihood": target_l, "target_impact": target_i,
            "target_date": (REFERENCE_DATE + timedelta(days=rng.randint(60, 720))
                            if rng.random() < 0.9 else None),
            "inherent_likelihood": min(5, scores[0][0] + rng.randint(0, 1)) if inherent else None,
            "inherent_impact": min(5, scores[0][1] + rng.randint(0, 1)) if inherent else None,
            "last_review_date": last_review, "next_review_date": next_review,
            "version": 1, "created_at": _at(created), "updated_at": _at(last_review or created),
        })

        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            effectiveness = rng.choices(
                ("effective", "partly_effective", "not_effective", "not_tested"),
                (40, 30, 8, 22))[0]
            controls.append({
                "id": self.next_ids["control"], "risk_id": risk_id,
                "description": _fill(rng, rng.choice(CONTROLS), subject),
                "owner_id": owner if rng.random() < 0.5 else self._owner(origin),
                "effectiveness": effectiveness,
                "last_tested": (None if effectiveness == "not_tested"
                                else REFERENCE_DATE - timedelta(days=rng.randint(1, 400))),
                "version": 1, "created_at": _at(created), "updated_at": _at(created),
            })
            self.next_ids["control"] += 1

        for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
            target = REFERENCE_DATE + timedelta(days=rng.randint(-180, 365))
            if status == "closed" or target < REFERENCE_DATE:
                state = rng.choices(("done", "in_progress", "cancelled", "planned"),
                                    (60, 25, 5, 10))[0]
            else:
                state = rng.choices(("planned", "in_progress", "done"), (40, 55, 5))[0]
            completed = None
            if state == "done":
                completed = min(REFERENCE_DATE, target - timedelta(days=rng.randint(0, 60)))
            actions.append({
                "id": self.next_ids["action"], "risk_id": risk_id,
                "description": _fill(rng, rng.choice(ACTIONS), subject),
                "owner_id": owner if rng.random() < 0.6 else self._owner(origin),
                "target_date": target, "status": state, "completed_date": completed,
                "version": 1, "created_at": _at(created), "updated_at": _at(created),
            })
            self.next_ids["action"] += 1

    # --- the resilience half ----------------------------------------------------------

    def resilience(self, log) -> None:
        """Plans, exercises and incidents, their debriefs, observations and lessons."""
        started = time.perf_counter()
        # The defaults `riskkit init` adds, through the same services.
        self.counts["themes"] = len(themes.ensure_defaults())
        self.counts["cadence_rules"] = len(programme.ensure_defaults())
        db.session.commit()
        self.theme_ids = dict(db.session.execute(select(Theme.name, Theme.id)).all())
        self._plans()
        self._events()
        db.session.commit()
        log(f"  {self.counts['events']:,} exercises and incidents, {self.counts['lessons']:,}"
            f" lessons ({time.perf_counter() - started:.1f} s)")

    def _plans(self) -> None:
        rng = self.rng
        total = max(3, self.n // 200)
        names = [f"{service}{area}" for area in PLAN_AREAS for service in PLAN_SERVICES]
        names = names[:len(PLAN_SERVICES)] + rng.sample(names[len(PLAN_SERVICES):],
                                                         len(names) - len(PLAN_SERVICES))
        names += [f"Service area {n}" for n in range(1, total - len(names) + 1)]
        rows = []
        for plan_id, service in enumerate(names[:total], 1):
            reviewed = REFERENCE_DATE - timedelta(days=rng.randint(0, 500))
            rows.append({"id": plan_id, "service": service,
                         "owner_id": rng.choice(self.people_ids),
                         "last_reviewed": reviewed,
                         "next_review": reviewed + relativedelta(months=12),
                         "version": 1, "created_at": _at(reviewed), "updated_at": _at(reviewed)})
        _insert(ContinuityPlan.__table__, rows)
        self.plan_ids = [row["id"] for row in rows]
        self.counts["plans"] = total

    def _event_risks(self, rows) -> list[int]:
        """Risks that exercises and incidents test: mostly live continuity-related ones."""
        liked = {"Business continuity", "Service delivery", "Information governance",
                 "Workforce", "Safeguarding", "Market and providers", "Health and safety"}
        preferred = [risk_id for risk_id, category, status in rows
                     if category in liked and status != "closed"]
        return preferred or [risk_id for risk_id, *_ in rows]

    def _events(self) -> None:
        rng = self.rng
        total = max(5, self.n // 100)
        risk_rows = db.session.execute(select(Risk.id, Risk.category, Risk.status)).all()
        preferred = self._event_risks(risk_rows)
        all_risks = [risk_id for risk_id, *_ in risk_rows]
        leads = [p for code in self.managers for p in self.managers[code]] or self.people_ids

        # When and what: ids are given in date order.
        specs = []
        for _ in range(total):
            if rng.random() < 0.65:
                kind = "exercise"
                event_type = rng.choices(list(EXERCISE_TYPE_WEIGHTS),
                                         list(EXERCISE_TYPE_WEIGHTS.values()))[0]
            else:
                kind = "incident"
                event_type = rng.choices(list(INCIDENT_TYPE_WEIGHTS),
                                         list(INCIDENT_TYPE_WEIGHTS.values()))[0]
            if kind == "exercise" and rng.random() < 0.11:
                start = REFERENCE_DATE + timedelta(days=rng.randint(1, 182))
            else:
                start = REFERENCE_DATE - timedelta(days=rng.randint(1, 2008))
            if kind == "incident":
                length = min(21, int(rng.expovariate(1 / 3)))
            else:
                length = rng.choice((0, 1)) if event_type in ("full_scale", "command_post") else 0
            end = start + timedelta(days=length)
            if start <= REFERENCE_DATE:
                end = min(end, REFERENCE_DATE)
            specs.append((start, end, kind, event_type))
        specs.sort()

        events, objectives, debriefs, observations, tags = [], [], [], [], []
        lessons, l_risks, l_controls, l_actions, actions = [], [], [], [], []
        e_risks, e_plans = [], []
        names: set[str] = set()
        links = []  # (event row, its risk ids) until the controls are read
        for event_id, (start, end, kind, event_type) in enumerate(specs, 1):
            subject = rng.choice(SUBJECTS)
            status = self._event_status(start, end)
            name = self._event_name(kind, event_type, start, names)
            lead = rng.choice(leads) if rng.random() < 0.9 else None
            created = start - timedelta(days=rng.randint(20, 90)) if kind == "exercise" else end
            row = {
                "id": event_id, "kind": kind, "name": name, "event_type": event_type,
                "start_date": start, "end_date": end, "lead_id": lead, "status": status,
                "scenario": _fill(rng, rng.choice(SCENARIOS), subject)
                if kind == "exercise" else "",
                "description": _fill(rng, rng.choice(INCIDENT_DESCRIPTIONS), subject)
                if kind == "incident" else "",
                "services_affected": rng.choice(PLAN_SERVICES) if kind == "incident" else "",
                "participants": rng.choice(PARTICIPANTS), "multi_agency": rng.random() < 0.3,
                "pack": "", "improvement_plan_agreed": None, "version": 1,
                "created_at": _at(created), "updated_at": _at(min(end, REFERENCE_DATE)),
            }
            events.append(row)
            pool = preferred if rng.random() < 0.8 else all_risks
            risk_ids = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 2, 3))))
            e_risks += [{"event_id": event_id, "risk_id": r} for r in risk_ids]
            links.append((row, risk_ids))
            e_plans += [{"event_id": event_id, "plan_id": p} for p in rng.sample(
                self.plan_ids, min(len(self.plan_ids), rng.choice((0, 1, 1, 1, 2))))]
            if kind == "exercise":
                for position, text_ in enumerate(rng.sample(OBJECTIVES, rng.randint(2, 4))):
                    rating = (None if status == "planned" else
                              rng.choices(("met", "partly_met", "not_met"), (50, 35, 15))[0])
                    objectives.append({"event_id": event_id, "position": position,
                                       "text": _fill(rng, text_, subject), "rating": rating,
                                       "note": ""})

        # The controls each event tests: some of those on its risks.
        wanted = sorted({r for _, risk_ids in links for r in risk_ids})
        controls_of: dict[int, list[tuple[int, date | None]]] = {}
        for first in range(0, len(wanted), BATCH):
            for control_id, risk_id, tested in db.session.execute(
                    select(Control.id, Control.risk_id, Control.last_tested)
                    .where(Control.risk_id.in_(wanted[first:first + BATCH]))
                    .order_by(Control.id)):
                controls_of.setdefault(risk_id, []).append((control_id, tested))
        e_controls, tested_by = [], {}  # control id -> (date, event id) of its latest test
        event_controls_of = {}
        for row, risk_ids in links:
            choices = [c for r in risk_ids for c in controls_of.get(r, [])]
            chosen = rng.sample(choices, min(len(choices), rng.choice((0, 1, 1, 2, 2, 3))))
            event_controls_of[row["id"]] = [c for c, _ in chosen]
            for control_id, last in chosen:
                e_controls.append({"event_id": row["id"], "control_id": control_id})
                if row["status"] != "planned" and (last is None or last <= row["end_date"]):
                    if control_id not in tested_by or tested_by[control_id][0] <= row["end_date"]:
                        tested_by[control_id] = (row["end_date"], row["id"])

        # Debriefs, observations and lessons of each event that has happened.
        held = [row for row in events if row["status"] != "planned"]
        held_starts = [row["start_date"] for row in held]
        theme_ids = list(self.theme_ids.values())
        theme_weights = [3 if n in ("Communications", "Command and control", "Staffing")
                         else 1 for n in self.theme_ids]
        theme_names = {v: k for k, v in self.theme_ids.items()}
        debrief_id = observation_id = lesson_id = 0
        for row, risk_ids in links:
            if row["status"] == "planned":
                continue
            last_debrief = None
            for kind, held_on in self._debrief_days(row):
                debrief_id += 1
                last_debrief = held_on
                debriefs.append({
                    "id": debrief_id, "event_id": row["id"], "kind": kind,
                    "multi_agency": row["multi_agency"] and rng.random() < 0.7,
                    "held_on": held_on, "facilitator": rng.choice(FACILITATORS),
                    "attendees": row["participants"], "version": 1,
                    "created_at": _at(held_on), "updated_at": _at(held_on)})
                for _ in range(rng.randint(2, 6)):
                    observation_id += 1
                    prompt = rng.choices(("went_well", "did_not_go_well", "do_differently"),
                                         (35, 40, 25))[0]
                    strength = prompt == "went_well"
                    tagged = []
                    while len(tagged) < rng.choice((1, 1, 2, 2, 3)):
                        theme = rng.choices(theme_ids, theme_weights)[0]
                        if theme not in tagged:
                            tagged.append(theme)
                    main = theme_names[tagged[0]]
                    observations.append({
                        "id": observation_id, "debrief_id": debrief_id, "prompt": prompt,
                        "kind": "strength" if strength else "improvement",
                        "text": OBSERVATIONS[main][0 if strength else 1], "version": 1,
                        "created_at": _at(held_on), "updated_at": _at(held_on)})
                    tags += [{"observation_id": observation_id, "theme_id": t} for t in tagged]
                    if rng.random() >= (0.05 if strength else 0.45):
                        continue
                    lesson_id += 1
                    self._lesson(lesson_id, row, observation_id, main, held_on, risk_ids,
                                 event_controls_of[row["id"]], held, held_starts, lessons,
                                 l_risks, l_controls, l_actions, actions)
            if last_debrief is not None and (
                    row["status"] == "closed"
                    or (row["status"] == "debriefed" and rng.random() < 0.5)):
                row["improvement_plan_agreed"] = min(
                    REFERENCE_DATE, last_debrief + timedelta(days=rng.randint(7, 30)))

        _insert(Event.__table__, events)
        _insert(Objective.__table__, objectives)
        _insert(event_risks, e_risks)
        _insert(event_plans, e_plans)
        _insert(event_controls, e_controls)
        _insert(Debrief.__table__, debriefs)
        _insert(Observation.__table__, observations)
        _insert(observation_themes, tags)
        _insert(Action.__table__, actions)
        _insert(Lesson.__table__, lessons)
        _insert(lesson_risks, l_risks)
        _insert(lesson_controls, l_controls)
        _insert(lesson_actions, l_actions)
        # Controls tested by an event that has happened: last tested on its end date.
        controls = Control.__table__
        tested = [{"control": c, "last_tested": day, "tested_by_event_id": e}
                  for c, (day, e) in sorted(tested_by.items())]
        for first in range(0, len(tested), BATCH):
            db.session.execute(
                update(controls).where(controls.c.id == bindparam("control"))
                .values(last_tested=bindparam("last_tested"),
                        tested_by_event_id=bindparam("tested_by_event_id")),
                tested[first:first + BATCH])
        # Not yet tested controls that an event tested have an effectiveness now.
        for effectiveness, share in (("effective", 0.55), ("partly_effective", 0.9),
                                     ("not_effective", 1.0)):
            db.session.execute(
                update(controls).where(controls.c.tested_by_event_id.is_not(None),
                                       controls.c.effectiveness == "not_tested",
                                       (controls.c.id % 20) < int(share * 20))
                .values(effectiveness=effectiveness))
        self.counts.update(events=len(events), objectives=len(objectives),
                           debriefs=len(debriefs), observations=len(observations),
                           lessons=len(lessons), lesson_actions=len(actions))
        self.counts["actions"] += len(actions)

    def _event_status(self, start: date, end: date) -> str:
        if start > REFERENCE_DATE:
            return "planned"
        age = (REFERENCE_DATE - end).days
        weights = ((50, 40, 10) if age < 60 else (10, 50, 40) if age < 365 else (3, 22, 75))
        return self.rng.choices(("held", "debriefed", "closed"), weights)[0]

    def _event_name(self, kind: str, event_type: str, start: date, taken: set[str]) -> str:
        rng = self.rng
        if kind == "exercise":
            name = f"Exercise {rng.choice(CODE_WORDS_FIRST)} {rng.choice(CODE_WORDS_SECOND)}"
        else:
            name = (f"{rng.choice(INCIDENT_NAMES[event_type])}, {rng.choice(PLACES)},"
                    f" {start:%B %Y}")
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name} ({n})"
        taken.add(candidate)
        return candidate

    def _debrief_days(self, row: dict) -> list[tuple[str, date]]:
        """Held: a hot debrief. Debriefed or closed: a cold one, often after a hot one."""
        rng, end = self.rng, row["end_date"]
        hot = ("hot", min(REFERENCE_DATE, end + timedelta(days=rng.choice((0, 0, 1)))))
        if row["status"] == "held":
            return [hot]
        cold = ("cold", end + timedelta(days=rng.randint(14, 42)))
        roll = rng.random()
        days = [hot, cold] if roll < 0.6 else [cold] if roll < 0.85 else [hot]
        days = [d for d in days if d[1] <= REFERENCE_DATE]
        return days or [hot]

    def _lesson(self, lesson_id, row, observation_id, theme, held_on, risk_ids, control_ids,
                held, held_starts, lessons, l_risks, l_controls, l_actions, actions) -> None:
        rng = self.rng
        age = (REFERENCE_DATE - held_on).days
        statuses = [value for value, _ in vocab.LESSON_STATUSES]
        if row["status"] == "held":
            weights = (60, 30, 10, 0, 0, 0)
        elif age > 730:
            weights = (3, 5, 12, 25, 15, 40)
        elif age > 365:
            weights = (5, 10, 25, 35, 10, 15)
        else:
            weights = (25, 30, 30, 15, 0, 0)
        status = rng.choices(statuses, weights)[0]
        evidence, note = None, ""
        if status in ("validated", "closed"):
            # A later event that has happened shows the change worked.
            later = bisect.bisect_right(held_starts, row["end_date"])
            if later < len(held):
                evidence = held[rng.randint(later, min(len(held) - 1, later + 20))]
                note = f"Tested again at {evidence['name']}."
            else:
                status = "implemented"
        statement, recommendation = LESSONS[theme]
        owner = row["lead_id"] if row["lead_id"] and rng.random() < 0.4 else \
            rng.choice(self.people_ids)
        due = held_on + timedelta(days=rng.randint(30, 180))
        lessons.append({
            "id": lesson_id, "event_id": row["id"], "observation_id": observation_id,
            "statement": statement, "recommendation": recommendation, "owner_id": owner,
            "due_date": due, "priority": rng.choices(("high", "medium", "low"), (30, 50, 20))[0],
            "status": status, "evidence_event_id": evidence["id"] if evidence else None,
            "evidence_note": note, "version": 1, "created_at": _at(held_on),
            "updated_at": _at(min(REFERENCE_DATE, due))})
        named = rng.sample(risk_ids, min(len(risk_ids), rng.choice((0, 1, 1, 1, 2))))
        if control_ids and rng.random() < 0.3:
            l_controls.append({"lesson_id": lesson_id, "control_id": rng.choice(control_ids)})
        if status != "identified" and rng.random() < 0.6:
            # An action raised on one of the lesson's risks (services.lessons.raise_action).
            risk_id = named[0] if named else rng.choice(risk_ids)
            if risk_id not in named:
                named.append(risk_id)
            state = {"action_planned": "planned", "in_progress": "in_progress"}.get(status, "done")
            completed = None
            if state == "done":
                completed = max(held_on, min(REFERENCE_DATE, due - timedelta(
                    days=rng.randint(0, 30))))
            actions.append({
                "id": self.next_ids["action"], "risk_id": risk_id,
                "description": LESSON_ACTION.format(event=row["name"],
                                                    recommendation=recommendation),
                "owner_id": owner, "target_date": due, "status": state,
                "completed_date": completed, "version": 1, "created_at": _at(held_on),
                "updated_at": _at(completed or held_on)})
            l_actions.append({"lesson_id": lesson_id, "action_id": self.next_ids["action"]})
            self.next_ids["action"] += 1
        l_risks += [{"lesson_id": lesson_id, "risk_id": r} for r in named]


def _unsynchronised(dbapi_connection, connection_record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def generate(n_risks: int, seed: int = 1, log=print, registers: int = len(REGISTERS),
             people: int | None = None) -> dict:
    """Fill the (migrated, empty) database of the current app; return row counts."""
    if db.session.scalar(select(func.count()).select_from(Risk)) or \
            db.session.scalar(select(func.count()).select_from(Register)) or \
            db.session.scalar(select(func.count()).select_from(User)):
        raise SystemExit("The database already has people, registers or risks: give an empty one")
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        # Safe for a throwaway benchmark database: a crash mid-way means generate again.
        event.listen(db.engine, "connect", _unsynchronised)
        db.session.execute(text("PRAGMA synchronous=OFF"))
    matrices.ensure_builtin()
    db.session.commit()
    generator = _Generator(n_risks, seed, registers, people)
    generator.people()
    generator.registers()
    generator.appetites()
    db.session.commit()
    generator.risks(log)
    db.session.commit()
    generator.resilience(log)
    if db.engine.dialect.name == "postgresql":
        # Ids were given explicitly, so move each sequence past them for later inserts.
        for table in ("users", "registers", "appetites", "risks", "controls", "actions",
                      "reviews", "continuity_plans", "events", "objectives", "debriefs",
                      "observations", "lessons"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    if sqlite:
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    return generator.counts


def build(database_url: str, n_risks: int, seed: int = 1, log=print, registers: int = len(REGISTERS),
          people: int | None = None) -> dict:
    """Migrate the database at database_url and fill it; return row counts."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade_database()
        try:
            counts = generate(n_risks, seed, log, registers, people)
            refresh_statistics()  # as `riskkit init` would on the filled database
            return counts
        finally:
            db.session.remove()
            db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--risks", type=int, required=True, help="how many risks to make")
    parser.add_argument("--database-url", required=True,
                        help="an empty database, e.g. sqlite:///big.sqlite or"
                             " postgresql+psycopg://user:pass@host/name")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--registers", type=int, default=len(REGISTERS),
                        help=f"how many registers (default {len(REGISTERS)}; a council: 50)")
    parser.add_argument("--people", type=int, default=None,
                        help="how many people (default one per 40 risks; a council: 300)")
    args = parser.parse_args(argv)
    if args.risks < 1:
        parser.error("--risks must be at least 1")
    started = time.perf_counter()
    counts = build(args.database_url, args.risks, args.seed,
                   log=lambda line: print(line, file=sys.stderr), registers=args.registers,
                   people=args.people)
    seconds = time.perf_counter() - started
    print(", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items())
          + f" in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
