"""Assessment programmes, waves and the links of actions, inside the store's transactions.

A programme belongs to one organisation and holds campaigns across instruments. A wave
repeats a campaign a year (or any time) later: it names the wave before it in
``campaigns.previous``, which is unique, so a chain of waves never forks. Each function here
takes a connection inside the caller's transaction and a ``log(conn, action, campaign,
detail)`` that writes the audit line in that same transaction; ``Store`` wraps them.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from sqlalchemy import func, insert, select, update

from ..errors import StoreError
from . import schema as t
from .checks import check_text
from .records import Programme, read_utc, utc_now

#: Programme ids follow the campaign ids' rule: they travel in URLs and file names. Checked
#: with fullmatch: with match, "$" also matches before a final newline.
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
ID_RULE = "2-64 lowercase letters, digits and hyphens, not starting or ending with a hyphen"
WAVE_SUFFIX = "-w{n}"
MAX_TITLE = 200  # a programme's title and organisation, a wave's title: a line on a page


def _shown(value) -> str:
    """A value a person typed, short enough to quote back in an error."""
    return repr(str(value)[:64])


def _lock(conn, table, key) -> None:
    """Hold ``table``'s row ``key`` until commit on PostgreSQL, so that two admins acting at
    once are served one after the other (SQLite's writers are serialised already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(table.c.id).where(table.c.id == key).with_for_update())


def _same_organisation(a: str, b: str) -> bool:
    """Whether two organisation names typed by people can be the same organisation: one
    holds the other, case and spacing aside ("Alder Valley" and "Alder Valley Utilities
    (fictional)" can; "Acme" and "Globex" cannot). A slip is caught, not a spelling."""
    a, b = (" ".join(x.split()).casefold() for x in (a, b))
    return a in b or b in a


# -- programmes -------------------------------------------------------------------------------
def check_programme(id, title, organisation) -> list[str]:
    problems = []
    if not isinstance(id, str) or not ID.fullmatch(id):
        problems.append(f"programme id {_shown(id)} must be {ID_RULE}")
    if not isinstance(title, str) or not title.strip():
        problems.append("title must be non-empty text")
    if not isinstance(organisation, str) or not organisation.strip():
        problems.append("organisation must be non-empty text: a programme belongs to one "
                        "organisation")
    return problems + _too_long(title=title, organisation=organisation) + check_text(
        title=title, organisation=organisation)


def _too_long(**fields) -> list[str]:
    return [f"{name} must be at most {MAX_TITLE} characters, not {len(value.strip())}"
            for name, value in fields.items()
            if isinstance(value, str) and len(value.strip()) > MAX_TITLE]


def create_programme(conn, id: str, title: str, organisation: str, log) -> None:
    """Insert the programme (the caller has checked the values)."""
    conn.execute(insert(t.programmes).values(id=id, title=title.strip(),
                                             organisation=organisation.strip(),
                                             created_at=utc_now()))
    log(conn, "programme new", None, f"{id}: {title.strip()} ({organisation.strip()})")


def _members(conn, ids) -> dict[str, tuple[str, ...]]:
    c = t.campaigns
    out: dict[str, list[str]] = {i: [] for i in ids}
    if out:
        for prog, cid in conn.execute(
                select(c.c.programme, c.c.id).where(c.c.programme.in_(list(out)))
                .order_by(c.c.programme_seq, c.c.wave, c.c.id)):
            out[prog].append(cid)
    return {k: tuple(v) for k, v in out.items()}


def _programme(row, campaigns: tuple[str, ...]) -> Programme:
    return Programme(row.id, row.title, row.organisation, read_utc(row.created_at), campaigns)


def get_programme(conn, id: str) -> Programme:
    """The programme ``id``; StoreError naming the known ones when there is none."""
    p = t.programmes
    row = conn.execute(select(p).where(p.c.id == str(id))).first()
    if row is None:
        known = conn.execute(select(p.c.id).order_by(p.c.id).limit(20)).scalars().all()
        hint = (f" Known: {', '.join(known)}." if known
                else " The store has no programmes; 'focuskit programme new' makes one.")
        raise StoreError(f"no programme {_shown(id)}.{hint}")
    return _programme(row, _members(conn, [row.id])[row.id])


def all_programmes(conn) -> list[Programme]:
    p = t.programmes
    rows = conn.execute(select(p).order_by(p.c.created_at, p.c.id)).all()
    members = _members(conn, [r.id for r in rows])
    return [_programme(r, members[r.id]) for r in rows]


def add_to_programme(conn, programme: str, campaign: str, log) -> None:
    """Put ``campaign`` and every wave of its chain in ``programme``.

    Refused when any of them is in another programme, or when the campaign names another
    organisation. Adding what is there already changes nothing."""
    prog = get_programme(conn, programme)
    _lock(conn, t.programmes, prog.id)
    c = t.campaigns
    chain = chain_of(conn, campaign)
    rows = {r.id: r for r in conn.execute(
        select(c.c.id, c.c.programme, c.c.organisation).where(c.c.id.in_(chain)))}
    elsewhere = sorted({r.programme for r in rows.values()
                        if r.programme not in (None, prog.id)})
    if elsewhere:
        raise StoreError(f"campaign {campaign!r} is in programme {elsewhere[0]!r} already; a "
                         "campaign (with its waves) belongs to one programme")
    foreign = sorted({r.organisation for r in rows.values()
                      if r.organisation.strip()
                      and not _same_organisation(r.organisation, prog.organisation)})
    if foreign:
        raise StoreError(f"campaign {campaign!r} belongs to {foreign[0][:100]!r} and programme "
                         f"{prog.id!r} to {prog.organisation[:100]!r}: a programme holds one "
                         "organisation's campaigns")
    todo = [cid for cid in chain if rows[cid].programme is None]
    if not todo:
        return
    seq = conn.execute(select(func.max(c.c.programme_seq))
                       .where(c.c.programme == prog.id)).scalar() or 0
    for n, cid in enumerate(todo, start=1):
        # "programme IS NULL" again: a concurrent add that got there first leaves it alone.
        done = conn.execute(update(c).where((c.c.id == cid) & c.c.programme.is_(None))
                            .values(programme=prog.id, programme_seq=seq + n)).rowcount
        if not done:
            raise StoreError(f"campaign {cid!r} was added to another programme meanwhile")
        log(conn, "programme add", cid, f"to {prog.id}")


# -- waves ------------------------------------------------------------------------------------
def chain_of(conn, campaign: str) -> list[str]:
    """The ids of the waves ``campaign`` belongs to, oldest first (StoreError if unknown)."""
    c = t.campaigns
    row = conn.execute(select(c.c.id, c.c.previous).where(c.c.id == str(campaign))).first()
    if row is None:
        raise StoreError(f"no campaign {_shown(campaign)}")
    back, seen = [row.id], {row.id}
    previous = row.previous
    while previous is not None and previous not in seen:
        seen.add(previous)
        back.append(previous)
        previous = conn.execute(select(c.c.previous).where(c.c.id == previous)).scalar()
    forward, current = [], row.id
    while True:
        nxt = conn.execute(select(c.c.id).where(c.c.previous == current)).scalar()
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        forward.append(nxt)
        current = nxt
    return back[::-1] + forward


def check_wave(title, id) -> list[str]:
    problems = []
    if not isinstance(title, str) or not title.strip():
        problems.append("title must be non-empty text")
    if id is not None and (not isinstance(id, str) or not ID.fullmatch(id)):
        problems.append(f"id {_shown(id)} must be {ID_RULE}")
    return problems + _too_long(title=title) + check_text(title=title)


def create_wave(conn, campaign: str, title: str, id: str | None, log) -> str:
    """Insert the wave after ``campaign``; returns its id. The caller checked the title and
    id (``check_wave``) and that the campaign exists."""
    c = t.campaigns
    _lock(conn, c, campaign)
    row = conn.execute(select(c).where(c.c.id == campaign)).first()
    nxt = conn.execute(select(c.c.id).where(c.c.previous == campaign)).scalar()
    if nxt is not None:
        chain = chain_of(conn, campaign)
        raise StoreError(f"campaign {campaign!r} has a next wave already ({nxt!r}); a wave "
                         f"follows the latest one, {chain[-1]!r}")
    wave = row.wave + 1
    if id is None:
        id = chain_of(conn, campaign)[0] + WAVE_SUFFIX.format(n=wave)
        if len(id) > 64:
            raise StoreError(f"the wave's id {id!r} would be longer than 64 characters; "
                             "give one (--id)")
    if conn.execute(select(c.c.id).where(c.c.id == id)).first() is not None:
        raise StoreError(f"a campaign {id!r} exists already; give the wave another id (--id)")
    seq = None
    if row.programme is not None:
        seq = (conn.execute(select(func.max(c.c.programme_seq))
                            .where(c.c.programme == row.programme)).scalar() or 0) + 1
    # What the answers mean and who may see them carries over; who answered does not (no
    # respondent codes, drafts, join codes or answers are copied).
    keep = ("instrument", "instrument_version", "instrument_spec", "organisation",
            "rater_groups", "min_group_size", "comment_threshold", "segments", "link_mode",
            "programme")
    conn.execute(insert(c).values(
        id=id, title=title.strip(), status="open", revealed=False, created_at=utc_now(),
        expected=None, previous=campaign, wave=wave, programme_seq=seq,
        **{k: getattr(row, k) for k in keep}))
    log(conn, "wave", id, f"wave {wave}, after {campaign}")
    return id


def unlink_wave(conn, campaign: str) -> None:
    """Before ``campaign`` is deleted: its next wave follows the one before it instead, and
    the later waves are numbered again."""
    c = t.campaigns
    row = conn.execute(select(c.c.previous).where(c.c.id == campaign)).first()
    later = chain_of(conn, campaign)
    later = later[later.index(campaign) + 1:]
    if row is None or not later:
        return
    # Free the unique ``previous`` before the next wave takes it over.
    conn.execute(update(c).where(c.c.id == campaign).values(previous=None))
    conn.execute(update(c).where(c.c.id == later[0]).values(previous=row.previous))
    conn.execute(update(c).where(c.c.id.in_(later)).values(wave=c.c.wave - 1))


# -- actions ----------------------------------------------------------------------------------
def check_action_link(instrument, item, section) -> list[str]:
    """What is wrong with linking an action to ``item`` or ``section`` of ``instrument``."""
    problems = []
    if item is not None and section is not None:
        problems.append("an action links to an item or to a section, not both")
    if item is not None and item not in {i.id for i in instrument.items}:
        problems.append(f"item {str(item)[:64]!r} is not in {instrument.id}")
    if section is not None and section not in {s.id for s in instrument.sections}:
        problems.append(f"section {str(section)[:64]!r} is not in {instrument.id}")
    return problems


def new_link(row, item, section, keep) -> dict:
    """An action's item and section after a change passing ``item`` and ``section`` (``keep``:
    not passed). Linking one clears the other; clearing one leaves the other alone."""
    new_item = row.item if item is keep else item
    new_section = row.section if section is keep else section
    if section is keep and item is not keep and item is not None:
        new_section = None
    if item is keep and section is not keep and section is not None:
        new_item = None
    return dict(item=new_item, section=new_section)


def check_due(due) -> list[str]:
    # datetime is a date too; a time of day in a due date is a caller's mistake
    if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
        return ["due must be a date"]
    return []


def action_dict(row) -> dict:
    """An action row as the register hands it out, its times UTC-aware on both backends."""
    return {**row._asdict(), "created_at": read_utc(row.created_at),
            "updated_at": read_utc(row.updated_at)}


def action_detail(values: dict) -> str:
    """The audit line of an action's change: which fields, never free text beyond 500."""
    shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()
             if k != "updated_at"}
    return json.dumps(shown, ensure_ascii=False)


def programme_actions(conn, programme: str) -> list[dict]:
    """Every action of every campaign of ``programme``, in the programme's order."""
    prog = get_programme(conn, programme)
    order = {cid: n for n, cid in enumerate(prog.campaigns)}
    a = t.actions
    rows = conn.execute(select(a).where(a.c.campaign.in_(prog.campaigns))).all() \
        if prog.campaigns else []
    return sorted((action_dict(r) for r in rows), key=lambda d: (order[d["campaign"]], d["id"]))
