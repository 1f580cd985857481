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

The same --risks and --seed always give the same database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import event, func, insert, select, text, update

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from riskkit import create_app, scoring  # noqa: E402
from riskkit.database import upgrade_database  # noqa: E402
from riskkit.extensions import db  # noqa: E402
from riskkit.models import (  # noqa: E402
    Action,
    Appetite,
    Control,
    MatrixDefinition,
    Register,
    Review,
    Risk,
    User,
)
from riskkit.services import matrices  # noqa: E402

#: Bump when the data generated for a given size and seed changes, so that
#: benchmarks/run.py does not reuse a database cached by an older generator.
GENERATOR_VERSION = 2
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
    def __init__(self, n_risks: int, seed: int):
        self.n = n_risks
        self.rng = random.Random(seed)
        self.counts = dict.fromkeys(
            ("registers", "people", "risks", "controls", "actions", "reviews", "appetites"), 0)
        self.next_ids = {"control": 1, "action": 1, "review": 1}

    # --- reference data ---------------------------------------------------------

    def people(self) -> None:
        rng = self.rng
        total = max(len(REGISTERS) * 3, self.n // 40)
        names = [(f, "", s) for f in FIRST_NAMES for s in LAST_NAMES]
        rng.shuffle(names)
        if total > len(names):
            extra = [(f, i, s) for i in INITIALS for f in FIRST_NAMES for s in LAST_NAMES]
            rng.shuffle(extra)
            names += extra
        if total > len(names):
            raise SystemExit(f"Cannot make {total} unique names; use fewer risks")
        weights = [share for *_, share in REGISTERS]
        self.pool = {code: [] for code, *_ in REGISTERS}
        self.managers = {code: [] for code, *_ in REGISTERS}
        rows = []
        day = _at(REFERENCE_DATE - timedelta(days=900))
        for person_id, (first, initial, last) in enumerate(names[:total], 1):
            name = f"{first} {initial + ' ' if initial else ''}{last}"
            email = f"{first}.{initial + '.' if initial else ''}{last}@example.gov.uk".lower()
            # Every register gets some people first; the rest go where the risks are.
            if person_id <= len(REGISTERS) * 3:
                home = REGISTERS[(person_id - 1) % len(REGISTERS)][0]
            else:
                home = rng.choices(REGISTERS, weights)[0][0]
            manager = person_id <= len(REGISTERS) or rng.random() < 0.1
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
        for register_id, (code, name, level, parent, slug, _) in enumerate(REGISTERS, 1):
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
        codes = [code for code, *_ in REGISTERS]
        weights = [share for *_, share in REGISTERS]
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
            "likelihood": likelihood, "impact": impact,
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


def _unsynchronised(dbapi_connection, connection_record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def generate(n_risks: int, seed: int = 1, log=print) -> dict:
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
    generator = _Generator(n_risks, seed)
    generator.people()
    generator.registers()
    generator.appetites()
    db.session.commit()
    generator.risks(log)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Ids were given explicitly, so move each sequence past them for later inserts.
        for table in ("users", "registers", "appetites", "risks", "controls", "actions",
                      "reviews"):
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


def build(database_url: str, n_risks: int, seed: int = 1, log=print) -> dict:
    """Migrate the database at database_url and fill it; return row counts."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade_database()
        try:
            return generate(n_risks, seed, log)
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
    args = parser.parse_args(argv)
    if args.risks < 1:
        parser.error("--risks must be at least 1")
    started = time.perf_counter()
    counts = build(args.database_url, args.risks, args.seed,
                   log=lambda line: print(line, file=sys.stderr))
    seconds = time.perf_counter() - started
    print(", ".join(f"{count:,} {name}" for name, count in counts.items())
          + f" in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
