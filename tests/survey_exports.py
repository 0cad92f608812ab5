"""Exports as five survey tools write them, from their documented layouts, with what they meant.

``make(tool, people)`` returns ``(file name, bytes, mapping YAML)``; ``people(n)`` makes the
respondents every tool's sample answers for (focus-levels: eight items on a 1-5 level scale,
a region, a comment on the data item). Each sample holds the quirks real downloads have: an
unfinished response (where the tool records them), a finished response with a required
answer skipped, a preview or test response, a UTF-8 byte order mark and Windows line endings
(CSV), and comments with ``;``, commas, quotes and a line break.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ITEMS = ["segments_and_partnerships", "expectations", "data", "contact", "innovation", "budgets",
         "structure", "training"]
TITLES = ["Segments and partnerships", "Expectations", "Data", "Contact", "Innovation",
          "Budgets", "Structure", "Training"]
LABELS = {1: "Casual", 2: "Casual to moderate", 3: "Moderate", 4: "Moderate to intense",
          5: "Intense"}
REGIONS = ["NO", "SE", "DK", "FI"]  # Norway first: a YAML 1.1 reader makes "NO" False
COMMENTS = ['They promised "soon"; we are still waiting', "Fine, mostly; data is late",
            'Two lines:\nfirst; then "second"', "Good", 'Ask "why" more, not less']
QUESTION = "How customer-focused are we: rate each area"


@dataclass(frozen=True)
class Person:
    id: str
    region: str
    levels: tuple[int, ...]
    comment: str | None
    started: datetime  # UTC
    seconds: int

    @property
    def finished(self) -> datetime:
        return self.started + timedelta(seconds=self.seconds)


def people(n: int = 32, seed: int = 7, start: int = 0) -> list[Person]:
    rnd = random.Random(seed)
    out = []
    for k in range(start, start + n):
        levels = tuple(rnd.randint(1, 5) for _ in ITEMS)
        out.append(Person(f"{k + 1:04d}", REGIONS[k % 4], levels,
                          COMMENTS[k % len(COMMENTS)] if k % 3 == 0 else None,
                          datetime(2024, 3, 4, 8, tzinfo=UTC) + timedelta(minutes=37 * k),
                          300 + rnd.randint(0, 400)))
    return out


def quirks(seed: int = 99) -> tuple[Person, Person, Person]:
    """An unfinished response, one with a required answer skipped, and a preview/test one."""
    a, b, c = people(3, seed=seed, start=900)
    return (Person("u" + a.id, a.region, a.levels[:3], None, a.started, 90),
            Person("s" + b.id, b.region, b.levels[:4] + (None,) + b.levels[5:], None, b.started,
                   b.seconds),
            Person("p" + c.id, c.region, c.levels, "just testing", c.started, 20))


def _csv(rows: list[list], delimiter: str = ",", quote_all: bool = False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _cell(v) -> str:
    return "" if v is None else str(v)


# -- Qualtrics -------------------------------------------------------------------------------
OSLO = ZoneInfo("Europe/Oslo")


def qualtrics(everyone: list[Person]) -> tuple[str, bytes, str]:
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage"]
    qs = ["Q1"] + [f"Q2_{i}" for i in range(1, 9)] + ["Q3"]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
             "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
             "Recipient Last Name", "Recipient First Name", "Recipient Email",
             "External Data Reference", "Location Latitude", "Location Longitude",
             "Distribution Channel", "User Language", "Where are you based?"] + \
        [f"{QUESTION} - {t}" for t in TITLES] + ["Anything to add about data?"]
    ids = [{"ImportId": m[0].lower() + m[1:].replace(" ", "")} for m in meta]
    for d in ids[:2] + ids[7:8]:
        d["timeZone"] = "Europe/Oslo"
    ids += [{"ImportId": "QID1"}] + [{"ImportId": f"QID2_{i}"} for i in range(1, 9)] + \
        [{"ImportId": "QID3_TEXT"}]
    rows = [meta + qs, texts, [json.dumps(d) for d in ids]]
    unfinished, skipped, test = quirks()
    for p in everyone + [unfinished, skipped, test]:
        local = p.finished.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S")
        start = p.started.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S")
        done = p is not unfinished
        rows.append([start, local, "Survey Preview" if p is test else "IP Address",
                     "" if p is test else "192.0.2.1", 100 if done else 38, p.seconds,
                     "True" if done else "False", local, f"R_{p.id}xYz", "", "", "", "", "59.9",
                     "10.7", "preview" if p is test else "anonymous", "EN",
                     REGIONS.index(p.region) + 1] +
                    [_cell(v) for v in p.levels] + [""] * (8 - len(p.levels)) +
                    [_cell(p.comment)])
    mapping = f"""\
format: qualtrics
incomplete: skip
rater_group: customer
columns:
  ResponseId: respondent
  RecordedDate: submitted_at
  Q1: segment
{"".join(f"  Q2_{i}: {item}:level{chr(10)}" for i, item in enumerate(ITEMS, 1))}\
  Q3: data:comment
recode:
  Q1: {{1: NO, 2: SE, 3: DK, 4: FI}}
"""
    return "qualtrics.csv", _csv(rows), mapping


def qualtrics_id(p: Person) -> str:
    return f"R_{p.id}xYz"


# -- SurveyMonkey ----------------------------------------------------------------------------
def surveymonkey(everyone: list[Person]) -> tuple[str, bytes, str]:
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    row1 = meta + ["Where are you based?", QUESTION] + [""] * 7 + ["Anything to add about data?"]
    row2 = [""] * len(meta) + ["Response"] + TITLES + ["Open-Ended Response"]
    rows = [row1, row2]
    unfinished, skipped, test = quirks()
    ny = ZoneInfo("America/New_York")
    for p in everyone + [unfinished, skipped, test]:
        rows.append([p.id, "999" if p is test else "4242",
                     p.started.astimezone(ny).strftime("%m/%d/%Y %I:%M:%S %p"),
                     p.finished.astimezone(ny).strftime("%m/%d/%Y %I:%M:%S %p"), "192.0.2.1",
                     "", "", "", "", p.region] +
                    [LABELS[v] if v else "" for v in p.levels] + [""] * (8 - len(p.levels)) +
                    [_cell(p.comment)])
    labels = "".join(f"  {t}: {i}:level\n" for t, i in zip(TITLES[1:], ITEMS[1:], strict=True))
    mapping = f"""\
format: surveymonkey
incomplete: skip
rater_group: customer
timezone: America/New_York
columns:
  Respondent ID: respondent
  Where are you based?: segment
  "{QUESTION} - Segments and partnerships": segments_and_partnerships:level
{labels}\
  Anything to add about data?: data:comment
values:
{"".join(f"  {label}: {v}{chr(10)}" for v, label in LABELS.items())}\
drop:
  Collector ID: [999]
"""
    return "surveymonkey.csv", _csv(rows), mapping


# -- Google Forms ----------------------------------------------------------------------------
def _google_time(t: datetime) -> str:
    local = t.astimezone(OSLO)
    hours = int(local.utcoffset().total_seconds() // 3600)
    return local.strftime("%Y/%m/%d %I:%M:%S %p") + f" GMT+{hours}"


def google_forms(everyone: list[Person]) -> tuple[str, bytes, str]:
    header = ["Timestamp", "Email Address", "Where are you based?"] + \
        [f"{QUESTION} [{t}]" for t in TITLES] + ["Anything to add about data?"]
    rows = [header]
    _, skipped, test = quirks()  # Google Forms keeps no unfinished responses
    for p in everyone + [skipped, test]:
        rows.append([_google_time(p.finished), "owner@example.com" if p is test else "",
                     p.region] + [_cell(v) for v in p.levels] + [_cell(p.comment)])
    cols = "".join(f'  "{QUESTION} [{t}]": {i}:level\n' for t, i in zip(TITLES, ITEMS,
                                                                          strict=True))
    mapping = f"""\
format: google-forms
incomplete: skip
rater_group: customer
columns:
  Where are you based?: segment
{cols}\
  Anything to add about data?: data:comment
drop:
  Email Address: [owner@example.com]
"""
    return "google-forms.csv", _csv(rows), mapping


# -- Microsoft Forms -------------------------------------------------------------------------
def microsoft_forms(everyone: list[Person]) -> tuple[str, bytes, str]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Where are you based?"]
              + TITLES + ["Anything to add about data?"])
    _, skipped, test = quirks()  # Forms records only submitted responses
    for k, p in enumerate(everyone + [skipped, test], start=1):
        # Forms writes local wall-clock times (here Oslo) as Excel dates.
        ws.append([k, p.started.astimezone(OSLO).replace(tzinfo=None),
                   p.finished.astimezone(OSLO).replace(tzinfo=None), "anonymous",
                   "Test User" if p is test else "", p.region] +
                  [LABELS[v] if v else None for v in p.levels] + [p.comment])
    buf = io.BytesIO()
    wb.save(buf)
    mapping = f"""\
incomplete: skip
rater_group: customer
timezone: Europe/Oslo
columns:
  ID: respondent
  Where are you based?: segment
{"".join(f"  {t}: {i}:level{chr(10)}" for t, i in zip(TITLES, ITEMS, strict=True))}\
  Anything to add about data?: data:comment
values:
{"".join(f"  {label}: {v}{chr(10)}" for v, label in LABELS.items())}\
drop:
  Name: [Test User]
"""  # no format: detected from the header
    return "microsoft-forms.xlsx", buf.getvalue(), mapping


def microsoft_ids(everyone: list[Person]) -> dict[str, str]:
    return {p.id: str(k) for k, p in enumerate(everyone, start=1)}


# -- LimeSurvey ------------------------------------------------------------------------------
def limesurvey(everyone: list[Person]) -> tuple[str, bytes, str]:
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
              "G01Q01"] + [f"G01Q02[SQ00{i}]" for i in range(1, 9)] + ["G01Q03"]
    rows = [header]
    unfinished, skipped, test = quirks()
    for p in everyone + [unfinished, skipped, test]:
        done = p.finished.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([p.id, "" if p is unfinished else done, 1 if p is unfinished else 3,
                     "xx" if p is test else "en", "12345",
                     p.started.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S"), done,
                     f"R{REGIONS.index(p.region) + 1}"] +
                    [_cell(v) for v in p.levels] + [""] * (8 - len(p.levels)) +
                    [_cell(p.comment)])
    mapping = f"""\
format: limesurvey
incomplete: skip
rater_group: customer
timezone: Europe/Oslo
columns:
  id: respondent
  G01Q01: segment
{"".join(f"  G01Q02[SQ00{i}]: {item}:level{chr(10)}" for i, item in enumerate(ITEMS, 1))}\
  G01Q03: data:comment
recode:
  G01Q01: {{R1: NO, R2: SE, R3: DK, R4: FI}}
keep:
  startlanguage: [en]
"""
    return "limesurvey.csv", _csv(rows, delimiter=";", quote_all=True), mapping


TOOLS = {"qualtrics": qualtrics, "surveymonkey": surveymonkey, "google-forms": google_forms,
         "microsoft-forms": microsoft_forms, "limesurvey": limesurvey}


def make(tool: str, everyone: list[Person]) -> tuple[str, bytes, str]:
    return TOOLS[tool](everyone)


def respondent_of(tool: str, p: Person, everyone: list[Person]) -> str | None:
    """The respondent code a tool's sample stores for ``p`` (None: the tool has no id)."""
    if tool == "qualtrics":
        return qualtrics_id(p)
    if tool == "microsoft-forms":
        return microsoft_ids(everyone)[p.id]
    if tool == "google-forms":
        return None
    return p.id
