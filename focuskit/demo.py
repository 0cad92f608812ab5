"""Synthetic demo data: a fictional utility, Alder Valley Utilities, and a benchmark base.

Everything here is made up, generated from a fixed seed so that every run gives the same
numbers. It exists to show focuskit's views with believable patterns: leaders who disagree
on some dimensions, customers who see the organisation less kindly than its leaders do, a
Say-Do gap that is widest in processes, and a benchmark base whose top quartile shows a
narrower Say-Do gap than the rest (the pattern the say-do seed reports).
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .errors import StoreError
from .instruments import load_instrument

__all__ = ["DEMO_BASE_SOURCE", "ORGANISATION", "PROGRAMME", "SEED", "benchmark_rows",
           "demo_base", "demo_links", "seed_store", "write_benchmark"]

ORGANISATION = "Alder Valley Utilities (fictional)"
SEED = 20261122
BENCHMARK_FILE = "benchmark.csv"
#: What every view says about the demo's base: it is made up.
DEMO_BASE_SOURCE = "synthetic demo base"
BENCHMARK_COLUMNS = ["organisation", "sector", "employees", "performance", "instrument",
                     "measure", "facet", "value"]
SECTORS = ["utilities", "financial services", "healthcare", "manufacturing", "retail",
           "public sector", "technology", "logistics"]
AREAS = ["leadership", "processes", "people"]
CUSTOMER_SEGMENTS = {"Residential": 18, "Small business": 14, "Large accounts": 8}


def _rating(rng: random.Random, mean: float, sd: float, top: int = 5) -> int:
    return max(1, min(top, round(rng.gauss(mean, sd))))


def benchmark_rows(seed: int = SEED, n: int = 300) -> list[dict]:
    """Long rows of a synthetic benchmark base: ``n`` organisations' dimension and Say-Do means.

    ``performance`` is each organisation's self-assessed overall performance (1-10); its top
    quartile is what the Say-Do seed compares with the rest. ``value`` is a mean rating on
    the instrument's 1-5 scale: per focus-levels dimension (facet ``level``) and per Say-Do
    area (facets ``say`` and ``do``).
    """
    rng = random.Random(seed)
    dims = [i.id for i in load_instrument("focus-levels").items]
    rows = []
    for k in range(1, n + 1):
        focus = rng.gauss(0, 1)  # the organisation's latent customer focus
        perf = round(min(10, max(1, rng.gauss(5.8 + 1.4 * focus, 1.0))), 1)
        org = dict(organisation=f"ORG-{k:03d}", sector=rng.choice(SECTORS),
                   employees=rng.choice([50, 200, 1000, 5000, 20000]), performance=perf)
        for d in dims:
            v = min(5, max(1, rng.gauss(2.9 + 0.55 * focus, 0.45)))
            rows.append({**org, "instrument": "focus-levels", "measure": d, "facet": "level",
                         "value": round(v, 2)})
        for area in AREAS:
            say = min(5, max(1, rng.gauss(4.0 + 0.2 * focus, 0.35)))
            # Intentions are high everywhere; practice lags most where focus is weak.
            gap = max(0.0, rng.gauss(1.0 - 0.4 * focus, 0.3))
            rows.append({**org, "instrument": "say-do", "measure": area, "facet": "say",
                         "value": round(say, 2)})
            rows.append({**org, "instrument": "say-do", "measure": area, "facet": "do",
                         "value": round(max(1.0, say - gap), 2)})
    return rows


def demo_base(seed: int = SEED):
    """The synthetic base as a DataFrame, saying so (``attrs["source"]``)."""
    import datetime as dt

    import pandas as pd

    base = pd.DataFrame(benchmark_rows(seed))
    base.attrs.update(source=DEMO_BASE_SOURCE, date=dt.date.today().isoformat(),
                      synthetic=True)
    return base


def write_benchmark(data_dir: Path, seed: int = SEED) -> Path:
    """Write the synthetic base to ``data_dir/benchmark.csv``, with its provenance beside
    it (``benchmark.source.json``: "synthetic demo base")."""
    import datetime as dt

    from .analysis.benchmarking import write_provenance

    path = Path(data_dir) / BENCHMARK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=BENCHMARK_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(benchmark_rows(seed))
    write_provenance(path, DEMO_BASE_SOURCE, dt.date.today().isoformat(), synthetic=True)
    return path


# What the fictional organisation looks like, per focus-levels dimension:
# (leaders' mean, leaders' spread, customers' mean, partners' mean).
_LEVELS = {
    "segments_and_partnerships": (3.4, 0.5, 2.6, 3.0),
    "expectations": (3.6, 0.5, 2.3, 2.8),
    "data": (2.6, 1.3, 2.4, 2.5),  # leaders split: some see dashboards, some see nothing
    "contact": (3.8, 0.6, 2.2, 3.4),  # the largest blind spot
    "innovation": (2.4, 0.6, 2.5, 3.1),  # partners see more than leaders credit
    "budgets": (2.9, 1.4, 2.7, 2.6),  # leaders split on acquisition vs retention
    "structure": (2.2, 0.5, 2.3, 2.2),
    "training": (3.0, 0.7, 2.9, 3.0),
}
_LEADER_NOTES = {
    "data": ["We have a monthly dashboard, but nobody I know uses it for decisions.",
             "Customer data drives our capital plan; I see it every week."],
    "budgets": ["Most new money goes to winning new accounts."],
    "contact": ["Our executives visit large accounts every quarter."],
}
_EVIDENCE = {
    "segment_coverage": "Visits cover large accounts only; no residential contacts in 2026.",
    "contact_selection": "Accounts are chosen by the sales lead; no data-driven criteria found.",
    "consistent_method": "A visit checklist exists but was used in 4 of 31 visits reviewed.",
    "recording": "Notes kept in personal files; no shared record of what was learned.",
    "sharing": "Findings reached the executive team once, in the annual review.",
    "improvement": "No documented review of the programme since it started.",
}


#: Wave 2, a year on: the change in each group's mean (leaders, customers, partners) on the
#: focus-levels dimensions that moved. The register on wave 1 (_ACTIONS) explains most of it.
_LEVELS_CHANGE = {
    "contact": (0.2, 1.1, 0.7),  # executives now visit every segment: it worked
    "expectations": (0.2, 1.1, 0.7),  # a yearly survey of what customers expect: it worked
    # "data": no change; the dashboard review was never started (the overdue action)
    "training": (0.6, 0.7, 0.6),  # a new induction course, never in the register
}
_LEADER_NOTES_W2 = {
    **_LEADER_NOTES,
    "contact": ["We visit residential customers now, and what we hear is humbling.",
                "Large accounts still get most of our time."],
}
#: The action register agreed after wave 1 of focus levels: (title, dimension, owner, days
#: after wave 1 it was due, status). One is overdue and still open.
_ACTIONS = [
    ("Executives visit residential and small-business customers, not only large accounts",
     "contact", "Chief Operating Officer", 180, "done"),
    ("Ask customers every year what they expect, and share the gaps with every team",
     "expectations", "Head of Customer Service", 120, "done"),
    ("Review the customer dashboard at every monthly executive meeting",
     "data", "Chief Financial Officer", 90, "open"),
    ("Share this assessment's results with every team", None, "Chief Executive", 30, "done"),
]
PROGRAMME = "demo-alder-valley"
PROGRAMME_TITLE = "Alder Valley Utilities"
YEAR = timedelta(days=365)
#: Each demo campaign's second wave is its id and this.
WAVE_2 = "-w2"


def _people(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{k:02d}" for k in range(1, n + 1)]


class _Demo:
    """The answers of one wave of every demo campaign, drawn from ``rng`` in a fixed order
    (so that wave 1 stays what it always was); ``wave2`` shifts them a year on."""

    def __init__(self, rng: random.Random, wave2: bool = False):
        self.rng, self.wave2 = rng, wave2
        self.leaders = _people("leader-", 8)
        self.customers = [(f"customer-{s[:3].lower()}-{k:02d}", s)
                          for s, n in CUSTOMER_SEGMENTS.items() for k in range(1, n + 1)]
        self.partners = _people("partner-", 12)

    def focus_levels(self, inst) -> list[dict]:
        """Leaders, three customer segments, partners."""
        rng, subs = self.rng, []
        notes_of = _LEADER_NOTES_W2 if self.wave2 else _LEADER_NOTES
        raters = ([(p, "self", "Leadership team", 0) for p in self.leaders]
                  + [(p, "customer", seg, 2) for p, seg in self.customers]
                  + [(p, "partner", "Partners", 3) for p in self.partners])
        for person, group, seg, col in raters:
            ans = {}
            for item, params in _LEVELS.items():
                mean, sd = params[col], (params[1] if col == 0 else 0.8)
                if self.wave2:
                    mean += _LEVELS_CHANGE.get(item, (0, 0, 0))[{0: 0, 2: 1, 3: 2}[col]]
                if col == 2 and seg == "Large accounts":
                    mean += 0.6  # the accounts that executives visit see more of us
                if col == 0 and sd > 1:  # a split team: two camps a level or two apart
                    camp_level = round(mean + (1.3 if self.leaders.index(person) % 2 else -1.3))
                    level = camp_level + (rng.random() < 0.2) * rng.choice([-1, 1])
                    ans[item] = {"level": max(1, min(5, level))}
                else:
                    ans[item] = {"level": _rating(rng, mean, sd)}
                notes = notes_of.get(item, [])
                if col == 0 and notes and rng.random() < 0.4:
                    ans[item]["comment"] = rng.choice(notes)
            subs.append(dict(answers=ans, rater_group=group, segment=seg, respondent=person))
        return subs

    def blocks(self, inst) -> list[dict]:
        """Leaders only; most blame people for what the 85/15 rule puts in the system."""
        rng, subs = self.rng, []
        severity = {"no_segmentation": 3.2, "little_customer_data": 3.8, "inside_out": 3.5,
                    "frontline_blamed": 3.0, "internal_customer_tyranny": 2.4,
                    "blurry_line_of_sight": 4.0, "one_group_dominates": 2.8,
                    "acquisition_over_retention": 3.6, "customers_not_people": 2.2}
        if self.wave2:  # visiting every segment taught them the segments differ
            severity.update(no_segmentation=2.6, inside_out=3.1)
        for person in self.leaders:
            ans = {}
            for item, mean in severity.items():
                people_share = 0.6 if item == "frontline_blamed" else 0.35
                ans[item] = {"applies": _rating(rng, mean, 0.8),
                             "root_cause": 2 if rng.random() < people_share else 1}
            subs.append(dict(answers=ans, rater_group="self", segment="Leadership team",
                             respondent=person))
        return subs

    def say_do(self, inst) -> list[dict]:
        """Intentions high, practice lower, processes lagging most (a little less later)."""
        rng, subs = self.rng, []
        lag = {"leadership": 1.0, "processes": 1.3 if self.wave2 else 1.6, "people": 1.1}
        for person in self.leaders:
            ans = {}
            for item in inst.items:
                say = _rating(rng, 4.3, 0.6)
                ans[item.id] = {"say": say, "do": _rating(rng, say - lag[item.section], 0.7)}
            subs.append(dict(answers=ans, rater_group="self", segment="Leadership team",
                             respondent=person))
        return subs

    def expectations(self, inst, earlier=None) -> tuple[list[dict], tuple]:
        """Importance against performance, customers and partners. ``earlier``: wave 1's
        importance and performance per item, which wave 2 keeps (the same organisation)."""
        rng = self.rng
        items = [i.id for i in inst.items]
        if earlier is None:
            imp = {i: 2.6 + 2.2 * rng.random() for i in items}
            perf = {i: 2.2 + 2.0 * rng.random() for i in items}
        else:
            imp, perf = earlier
            # What the yearly survey put first: promises and first-time fixes.
            perf = {**perf, "promises_kept": perf["promises_kept"] + 0.6,
                    "right_first_time": perf["right_first_time"] + 0.5}
        subs = []
        for person, seg in self.customers + [(p, "Partners") for p in self.partners]:
            group = "partner" if seg == "Partners" else "customer"
            subs.append(dict(rater_group=group, segment=seg, respondent=person, answers={
                i: {"importance": _rating(rng, imp[i], 0.7),
                    "performance": _rating(rng, perf[i], 0.8)} for i in items}))
        return subs, (imp, perf)

    def external_focus(self, inst) -> list[dict]:
        """Leaders think they anticipate; partners see them responding (a little less so
        a year on)."""
        partner_mean = 2.4 if self.wave2 else 2.0
        return [dict(rater_group=group, respondent=person,
                     segment="Leadership team" if group == "self" else "Partners",
                     answers={i.id: {"level": _rating(self.rng, mean, 0.8)}
                              for i in inst.items})
                for person, group, mean in ([(p, "self", 3.2) for p in self.leaders]
                                            + [(p, "partner", partner_mean)
                                               for p in self.partners])]

    def contact_review(self, inst) -> list[dict]:
        """Three internal reviewers score the executive visit programme."""
        subs = []
        for k, person in enumerate(_people("reviewer-", 3)):
            ans = {}
            for item in inst.items:
                base = 1.8 if item.id in ("segment_coverage", "contact_selection") else 1.5
                if self.wave2 and item.id == "segment_coverage":
                    base = 2.8  # visits now reach every segment
                ans[item.id] = {f: _rating(self.rng, base + (0.5 if f == "deployment" else 0),
                                           0.5, 4) for f in item.facets}
                evidence = (_EVIDENCE_W2 if self.wave2 else _EVIDENCE).get(item.id)
                if k == 0 and evidence:
                    ans[item.id]["comment"] = evidence
            subs.append(dict(answers=ans, rater_group="internal", segment="Quality office",
                             respondent=person))
        return subs


_EVIDENCE_W2 = {
    **_EVIDENCE,
    "segment_coverage": "Visits now reach all three segments; 14 of 38 were residential or "
                        "small-business customers.",
    "recording": "Visit notes now go into the shared customer record, for about half the "
                 "visits.",
}

#: The demo campaigns: (id, title, instrument, rater groups, min group, comment threshold).
_CAMPAIGNS = [
    ("demo-focus-levels", "Where we stand: eight dimensions of customer focus",
     "focus-levels", ["self", "customer", "partner"], 5, 10),
    ("demo-blocks", "What blocks our customer focus", "blocks", ["self"], 5, 10),
    ("demo-say-do", "Say and Do: intention against practice", "say-do", ["self"], 5, 10),
    ("demo-expectations", "What customers expect, and how we deliver", "expectations",
     ["customer", "partner"], 5, 10),
    ("demo-external-focus", "Responding, anticipating or shaping?", "external-focus",
     ["self", "partner"], 5, 10),
    # A review by three named reviewers: their evidence is the point.
    ("demo-contact-review", "Review of the executive customer-visit programme",
     "contact-programme", ["internal"], 3, 3),
]


def seed_store(store, seed: int = SEED) -> dict[str, int]:
    """Create the demo programme, its campaigns in two waves a year apart, their answers and
    the action register of wave 1; returns new submissions per campaign.

    Wave 1's answers are dated a year before wave 2's, which arrive now. Running it again
    stores nothing new: campaigns, the programme and actions are reused and every
    submission carries a fixed idempotency key.
    """
    now = datetime.now(UTC)
    made: dict[str, int] = {}
    fresh: set[str] = set()

    def campaign(cid, title, inst, groups, min_size=5, comments=10):
        try:
            return store.campaign(cid)
        except StoreError:
            fresh.add(cid)
            return store.create_campaign(cid, title, inst, organisation=ORGANISATION,
                                         rater_groups=groups, min_group_size=min_size,
                                         comment_threshold=comments)

    def wave_2(first):
        try:
            return store.campaign(first.id + WAVE_2)
        except StoreError:
            return store.create_wave(first.id, title=f"{first.title}, a year on",
                                     id=first.id + WAVE_2)

    def submit(camp, subs, at):
        for s in subs:
            s["idempotency_key"] = f"demo:{camp.id}:{s['respondent']}"
        made[camp.id] = sum(r.created for r in store.submit_many(camp.id, subs, at=at))

    first = [campaign(cid, title, inst, groups, k, c)
             for cid, title, inst, groups, k, c in _CAMPAIGNS]
    waves = [_Demo(random.Random(seed)), _Demo(random.Random(f"{seed}:second wave"), wave2=True)]
    try:
        store.programme(PROGRAMME)
    except StoreError:
        store.create_programme(PROGRAMME, PROGRAMME_TITLE, organisation=PROGRAMME_TITLE)
    for camp in first:
        if camp.programme != PROGRAMME:
            store.add_to_programme(PROGRAMME, camp.id)
    second = [wave_2(camp) for camp in first]
    answers_of = {"focus-levels": _Demo.focus_levels, "blocks": _Demo.blocks,
                  "say-do": _Demo.say_do, "external-focus": _Demo.external_focus,
                  "contact-programme": _Demo.contact_review}
    expected = None  # wave 1's expectations, which wave 2 starts from
    for demo, camps in zip(waves, (first, second), strict=True):
        for camp in camps:
            inst = camp.instrument
            if inst.id == "expectations":
                subs, expected = demo.expectations(inst, expected if demo.wave2 else None)
            else:
                subs = answers_of[inst.id](demo, inst)
            # Wave 1 a year before wave 2, which arrives now (an older demo's wave 1 keeps
            # its own times; it takes nothing new).
            at = now if demo.wave2 else (now - YEAR if camp.id in fresh else None)
            if demo.wave2:
                for sub in subs:  # respondent codes are not carried over to a new wave
                    sub["respondent"] = f"w2-{sub['respondent']}"
            submit(camp, subs, at)
    _action_register(store, first[0].id, (now - YEAR).date())
    return made


def _action_register(store, campaign: str, wave_1: date) -> None:
    """The actions agreed after wave 1 of focus levels, once (matched by title)."""
    have = {a["title"] for a in store.actions(campaign)}
    for title, item, owner, days, status in _ACTIONS:
        if title not in have:
            store.add_action(campaign, title, owner=owner, item=item, status=status,
                             due=wave_1 + timedelta(days=days))


def demo_links(store, base: str | None = None) -> list[tuple[str, str, str]]:
    """(campaign, rater group, signed shared link) for each open demo campaign and group.

    Links are signed with this store's secret, so they open only on a server using this store.
    """
    from .apps.questionnaire.invites import shared_link

    out = []
    for camp in sorted(store.campaigns(status="open"), key=lambda c: c.id):
        if camp.id.startswith("demo-") and camp.link_mode == "shared":
            out += [(camp.id, g, shared_link(store, camp.id, g, base=base))
                    for g in camp.rater_groups]
    return out
