"""The admins' page (``notebooks/admin.ipynb``): create, open and close campaigns, make
respondent links, import answers from a spreadsheet and export them raw, set a campaign's
anonymity thresholds, erase a respondent, archive or delete a campaign, read the audit log;
gather campaigns into programmes and start a campaign's next wave (``programmes``).
A viewer who opens it gets a plain "for admins" page and nothing of the store.

``AdminState`` does the work on plain values and bytes (no widgets; tested without a browser)
by calling the same package functions as ``focuskit campaign``, ``focuskit import`` and
``focuskit export``. It is a traitlets ``HasTraits``, as the questionnaire's state is: the
campaign being worked on (``chosen``), its campaign table, that campaign as stored (``picked``) and
the newest audit lines are traits, kept up to date by every change made through the state,
and ``view.Admin`` is a thin ipywidgets view observing them. Every refusal is a
``FocuskitError`` whose message, and ``.problems`` or ``.rows``, the view shows.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from traitlets import HasTraits, Instance, List, Unicode, observe

from ...config import respondent_base
from ...errors import FocuskitError, InstrumentError
from ...instruments import Instrument, builtin_ids, load_instrument, prompts_from_text, with_items
from ...names import slug as make_slug
from ...store import Campaign, Store
from ..questionnaire.invites import personal_links, shared_link
from .programmes import Programmes

__all__ = ["AUDIT_SHOWN", "AdminState", "Created", "LinkRow", "Picked", "prompts_from_text",
           "MAX_IMPORT_BYTES", "MAX_INSTRUMENT_BYTES", "MAX_LINKS"]

#: An upload travels to the kernel in one websocket message; `focuskit serve` lets the staff
#: door take up to 64 MB so that bigger files reach this check and are refused in words.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_INSTRUMENT_BYTES = 512 * 1024
MAX_LINKS = 200
AUDIT_SHOWN = 50  # audit lines on the page; the CSV download has them all
IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
INSTRUMENT_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Created:
    """What ``create`` did: the campaign, and False when this exact request was already done."""

    campaign: Campaign
    created: bool


@dataclass(frozen=True)
class Picked:
    """The campaign the page works on, as stored now, with its counts."""

    campaign: Campaign
    submissions: int
    drafts: int


@dataclass(frozen=True)
class LinkRow:
    group: str
    segment: str | None
    url: str
    code: str | None = None  # a personal link's code; None for a shared link
    join: str | None = None  # a shared link's join code (/j/CODE on the respondents' door)


def slug(text: str) -> str:
    """A campaign id made from a title: 'Q3 customers, Retail' -> 'q3-customers-retail'."""
    s = make_slug(text, "-", 64)
    return s if len(s) >= 2 else ""


def _upload_name(name, suffixes: tuple[str, ...], what: str) -> str:
    """The file's own name, without any folder a browser might send; its suffix checked."""
    base = Path(str(name or "").replace("\\", "/")).name.strip()
    if not base or not base.lower().endswith(suffixes):
        raise FocuskitError(f"{base or 'the file'}: {what} must be a "
                            f"{' or '.join(suffixes)} file")
    return base


def _check_size(name: str, data: bytes, limit: int, advice: str = "") -> None:
    if len(data) > limit:
        size = (f"{len(data) / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024
                else f"{len(data) // 1024} KB")
        most = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        raise FocuskitError(f"{name} is {size}; the page takes files up to {most}.{advice}")
    if not data:
        raise FocuskitError(f"{name} is empty")


class AdminState(Programmes, HasTraits):
    """The store and the staff member's actions on it.

    The traits mirror the store after every change made through this state (and after
    ``reload``): a view observes them rather than asking again.
    """

    #: The id of the campaign the page works on; None when the store has none.
    chosen = Unicode(None, allow_none=True)
    #: ``rows()``: one dict per campaign, newest first.
    campaign_rows = List()
    #: The chosen campaign as stored, with its counts; None with no campaign chosen.
    picked = Instance(Picked, allow_none=True)
    #: ``audit(AUDIT_SHOWN)``: the newest lines of the audit log.
    audit_lines = List()

    def __init__(self, store: Store, *, base: str | None = None, actor: str | None = None):
        super().__init__()
        self.store = store
        if actor:
            store.actor = actor  # the audit log names this staff member for what they do
        self.base = base or respondent_base()
        self._done: dict[tuple, str] = {}  # create requests already carried out -> campaign id
        self.reload()

    # -- what the page shows -----------------------------------------------------------------
    def reload(self, pick: str | None = None) -> None:
        """Read the campaigns, the chosen one and the audit log again, and choose ``pick``
        (default: keep the choice while its campaign exists, else the newest campaign)."""
        rows = self.rows()
        ids = [r["id"] for r in rows]
        want = pick or self.chosen
        chosen = want if want in ids else (ids[0] if ids else None)
        before = self.chosen
        # Observers run once all are set: the tables already name the choice.
        with self.hold_trait_notifications():
            self.campaign_rows = rows
            self.programme_rows = self.programme_table(rows)
            self.audit_lines = self.audit(AUDIT_SHOWN)
            self.chosen = chosen
        if chosen == before:  # the same campaign, perhaps changed
            self.picked = self._read_picked(chosen)

    @observe("chosen")
    def _chosen_changed(self, change) -> None:
        self.picked = self._read_picked(change["new"])

    def _read_picked(self, campaign: str | None) -> Picked | None:
        if campaign is None:
            return None
        n = self.store.counts(campaign)
        return Picked(self.store.campaign(campaign), n["submissions"], n["drafts"])

    def _logged(self) -> None:
        """After an action the audit log records but nothing else changes."""
        self.audit_lines = self.audit(AUDIT_SHOWN)

    # -- reading ---------------------------------------------------------------------------
    def campaigns(self) -> list:
        return self.store.campaigns()

    def campaign(self, campaign: str):
        return self.store.campaign(str(campaign or "").strip())

    def counts(self, campaign: str) -> dict:
        return self.store.counts(campaign)

    def rows(self) -> list[dict]:
        """One dict per campaign for the campaign table, newest first."""
        out = []
        for c in self.store.campaigns():
            n = self.store.counts(c.id)
            out.append(dict(id=c.id, title=c.title, instrument=c.instrument.id,
                            instrument_title=c.instrument.title, organisation=c.organisation,
                            version=c.instrument.version, status=c.status,
                            programme=c.programme, wave=c.wave, previous=c.previous,
                            groups=", ".join(c.rater_groups), min_group=c.min_group_size,
                            comment_threshold=c.comment_threshold,
                            submissions=n["submissions"], drafts=n["drafts"]))
        return out

    @staticmethod
    def instruments() -> list[tuple[str, str]]:
        """(label, id) of the built-in instruments, for a picker."""
        out = []
        for iid in builtin_ids():
            inst = load_instrument(iid)
            out.append((f"{inst.title} ({iid})", iid))
        return out

    # -- instruments -------------------------------------------------------------------------
    @staticmethod
    def read_instrument(name: str, data: bytes) -> Instrument:
        """An uploaded instrument YAML, checked like ``focuskit instruments validate``.

        Raises InstrumentError with every problem and its path inside the file.
        """
        name = _upload_name(name, INSTRUMENT_SUFFIXES, "an instrument")
        data = bytes(data)
        _check_size(name, data, MAX_INSTRUMENT_BYTES)
        with tempfile.TemporaryDirectory(prefix="focuskit-admin-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            try:
                return load_instrument(path)
            except InstrumentError as e:  # name the user's file, not our temporary copy
                raise InstrumentError(name, e.problems) from None

    @staticmethod
    def with_prompts(instrument: Instrument, text: str) -> Instrument:
        """``instrument`` asking the staff member's own list (e.g. customer expectations)."""
        if len(str(text).encode("utf-8")) > MAX_INSTRUMENT_BYTES:
            raise FocuskitError("the item list is too long; at most "
                                f"{MAX_INSTRUMENT_BYTES // 1024} KB")
        prompts = prompts_from_text(text)
        if not prompts:
            raise FocuskitError("the item list is empty: write one statement per line")
        return with_items(instrument, prompts)

    # -- campaigns ---------------------------------------------------------------------------
    def create(self, id: str, title: str, instrument: str | Instrument, *, items: str = "",
               organisation: str = "", rater_groups=None, min_group_size: int = 5,
               comment_threshold: int | None = None, status: str = "open") -> Created:
        """Create a campaign as ``focuskit campaign new`` does.

        ``items`` (one prompt per line) replaces the instrument's item list. The same request
        made twice (a double click, a resent message) returns the first campaign with
        ``created=False`` instead of failing on the existing id.
        """
        title = str(title or "").strip()
        id = str(id or "").strip() or slug(title)
        if not id:
            raise FocuskitError("give the campaign an id (lowercase letters, digits and "
                                "hyphens) or a title to make one from")
        if isinstance(instrument, str):
            instrument = load_instrument(instrument)
        if str(items or "").strip():
            instrument = self.with_prompts(instrument, items)
        groups = tuple(rater_groups) if rater_groups else None
        if rater_groups is not None and not groups:
            raise FocuskitError("tick at least one rater group")
        try:
            size = int(min_group_size)
        except (TypeError, ValueError):
            raise FocuskitError(f"minimum group size {min_group_size!r} is not a whole "
                                "number") from None
        try:
            comments = max(10, size) if comment_threshold is None else int(comment_threshold)
        except (TypeError, ValueError):
            raise FocuskitError(f"comment threshold {comment_threshold!r} is not a whole "
                                "number") from None
        key = (id, title, instrument.id, instrument.version, repr(instrument.to_dict()),
               organisation, groups, size, comments, status)
        if self._done.get(key) == id:
            try:
                again = Created(self.store.campaign(id), False)
            except FocuskitError:  # deleted behind our back: create it again below
                pass
            else:
                self.reload(id)
                return again
        camp = self.store.create_campaign(id, title, instrument, organisation=organisation,
                                          rater_groups=groups, min_group_size=size,
                                          comment_threshold=comments, status=status)
        self._done[key] = camp.id
        self.reload(camp.id)
        return Created(camp, True)

    def set_status(self, campaign: str, status: str):
        """Open, close or archive a campaign (``focuskit campaign open/close/archive``)."""
        camp = self.store.set_status(self.campaign(campaign).id, status)
        self.reload(camp.id)
        return camp

    def set_thresholds(self, campaign: str, min_group_size, comment_threshold) -> Campaign:
        """Change the minimum group size (refused once the campaign has answers) and the
        comment threshold (never below the minimum group size)."""
        camp = self.campaign(campaign)
        try:
            k, t = int(min_group_size), int(comment_threshold)
        except (TypeError, ValueError):
            raise FocuskitError("the minimum group size and the comment threshold must be "
                                "whole numbers") from None
        if t < k:
            raise FocuskitError(f"the comment threshold ({t}) cannot be below the minimum "
                                f"group size ({k}); nothing was changed")
        if k != camp.min_group_size:
            self.store.set_min_group_size(camp.id, k)
        if t != self.campaign(camp.id).comment_threshold:
            self.store.set_comment_threshold(camp.id, t)
        self.reload(camp.id)
        return self.campaign(camp.id)

    def has_answers(self, campaign: str) -> bool:
        return self.store.counts(campaign)["submissions"] > 0

    # -- erasure -----------------------------------------------------------------------------
    def erase(self, campaign: str, code: str, confirm: str):
        """Erase one respondent's answers and drafts; ``confirm`` must repeat the code."""
        camp = self.campaign(campaign)
        code = str(code or "").strip()
        if not code:
            raise FocuskitError("give the respondent's code")
        if str(confirm or "").strip() != code:
            raise FocuskitError("type the code a second time to confirm; nothing was erased")
        from ...analysis.anonymity import erase

        gone = erase(self.store, camp.id, code)
        self.reload(camp.id)
        return gone

    def delete(self, campaign: str, confirm: str):
        """Delete a campaign and everything in it; ``confirm`` must repeat its id."""
        camp = self.campaign(campaign)
        if str(confirm or "").strip() != camp.id:
            raise FocuskitError(f"type the campaign's id ({camp.id}) to confirm; nothing was "
                                "deleted")
        gone = self.store.delete_campaign(camp.id)
        self.reload()
        return gone

    # -- audit log ---------------------------------------------------------------------------
    def audit(self, limit: int = 50) -> list[dict]:
        """The newest lines of the audit log."""
        log = self.store.audit_log(limit=limit)
        log["campaign"] = log["campaign"].fillna("")
        return log.to_dict("records")

    def audit_csv(self) -> tuple[str, bytes]:
        """The whole audit log as CSV (this export is logged too). A refused visitor's path
        is in it: cells a spreadsheet would run as formulas are escaped."""
        from ...io.exports import escape_cells

        log = escape_cells(self.store.audit_log())
        self.store.log("export", None, f"audit log ({len(log)} lines)")
        self._logged()
        return "focuskit-audit.csv", log.to_csv(index=False).encode("utf-8")

    # -- links -------------------------------------------------------------------------------
    def links(self, campaign: str, groups=None, segments: str | list | None = None,
              count: int = 1) -> list[LinkRow]:
        """Signed respondent links per rater group and segment (no segment when none given).

        ``segments`` is a list, or text with one segment per line or comma; a campaign with a
        fixed segment list gets a link per listed segment when none is given. A "shared"
        campaign gets one link each; a "personal" one ``count`` personal links each.
        """
        camp = self.campaign(campaign)
        groups = list(groups) if groups else list(camp.rater_groups)
        bad = [g for g in groups if g not in camp.rater_groups]
        if bad:
            raise FocuskitError(f"{camp.id} asks {', '.join(camp.rater_groups)}; not "
                                f"{', '.join(map(str, bad))}")
        if isinstance(segments, str):
            segments = re.split(r"[,\n]", segments)
        segs = list(dict.fromkeys(s.strip() for s in segments or [] if s and s.strip()))
        if not segs and camp.segments:
            segs = list(camp.segments)
        personal = camp.link_mode == "personal"
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise FocuskitError("the number of personal links must be a whole number, at least 1")
        total = len(groups) * max(len(segs), 1) * (count if personal else 1)
        if total > MAX_LINKS:
            raise FocuskitError(f"that makes {total} links; at most {MAX_LINKS} at a time")
        problems = []
        for s in segs:  # a segment the questionnaire would refuse is named once, not per group
            try:
                self._links(camp.id, groups[0], s, 1)
            except FocuskitError as e:
                problems.append(str(e))
        if problems:
            raise FocuskitError("no links made:", problems)
        out = [r for g in groups for s in segs or [None]
               for r in self._links(camp.id, g, s, count)]
        self.store.log("links", camp.id, f"{len(out)} link(s)")
        self._logged()
        return out

    def _links(self, campaign: str, group: str, segment: str | None, count: int) -> list[LinkRow]:
        if self.store.campaign(campaign).link_mode == "personal":
            return [LinkRow(group, segment, url, code) for code, url in
                    personal_links(self.store, campaign, group, segment, count, base=self.base)]
        url = shared_link(self.store, campaign, group, segment, base=self.base)
        return [LinkRow(group, segment, url, join=self.store.join_code(campaign, group, segment))]

    @staticmethod
    def links_csv(rows: list[LinkRow]) -> bytes:
        buf = io.StringIO()
        wr = csv.writer(buf, lineterminator="\r\n")
        personal = any(r.code for r in rows)
        wr.writerow(["rater_group", "segment", "link", "code" if personal else "join_code"])
        for r in rows:
            # The same escape exports use: a segment typed as "=..." must not run as a formula.
            seg = r.segment or ""
            wr.writerow([r.group, "'" + seg if seg.startswith(("=", "+", "-", "@")) else seg,
                         r.url, (r.code if personal else r.join) or ""])
        return buf.getvalue().encode("utf-8")

    # -- import and export -------------------------------------------------------------------
    def import_upload(self, campaign: str, name: str, data: bytes, *,
                      rater_group: str | None = None, segment: str | None = None,
                      mapping: tuple[str, bytes] | None = None, format: str | None = None,
                      check: bool = False):
        """Import an uploaded CSV or Excel file with ``focuskit.io.imports`` (all or nothing).

        The bytes are read in memory, never written to a file. ``mapping`` is an uploaded
        (name, bytes) YAML column mapping for a survey tool's export (``focuskit import
        --mapping``); ``format`` names the tool (None: the mapping's, else detected).
        ``check=True`` is a dry run: the report, nothing stored or logged. Returns the
        ImportResult; raises ImportFileError (``.rows``: row, column, value, reason) naming
        the uploaded file. The same file again stores nothing new.
        """
        from ...analysis.anonymity import counted_with
        from ...io.imports import import_file

        camp = self.campaign(campaign)
        if camp.status != "open":  # say so plainly, not as a problem with the file
            raise FocuskitError(f"{camp.id} is {camp.status}: open it to import answers")
        name = _upload_name(name, IMPORT_SUFFIXES, "answers")
        data = bytes(data)
        _check_size(name, data, MAX_IMPORT_BYTES, " Split it, or use 'focuskit import' on "
                    "the server for larger files.")
        mname = mdata = None
        if mapping is not None:
            mname = _upload_name(mapping[0], INSTRUMENT_SUFFIXES, "a column mapping")
            mdata = bytes(mapping[1])
            _check_size(mname, mdata, MAX_INSTRUMENT_BYTES)
        res = import_file(self.store, data, camp.id, name=name, mapping=mdata,
                          mapping_name=mname, rater_group=rater_group or None,
                          segment=(segment or "").strip() or None, format=format or None,
                          check=check, counted_with=counted_with)
        if not check:
            self.store.log("import", camp.id, f"{res.created} new submission(s) from {name}")
            self.reload(camp.id)
        return res

    def export(self, campaign: str, fmt: str = "csv", *, wide: bool = False
               ) -> tuple[str, bytes]:
        """(file name, bytes) of the campaign's raw answers (codes, times, comments), written
        by ``focuskit.io.exports``; logged."""
        from ...io.exports import export

        camp = self.campaign(campaign)
        name = f"{camp.id}{'-wide' if wide else ''}.{fmt}"
        with tempfile.TemporaryDirectory(prefix="focuskit-admin-") as tmp:
            path = export(self.store, camp.id, Path(tmp) / name, format=fmt, wide=wide)
            data = path.read_bytes()
        self.store.log("export raw", camp.id, f"{fmt}{' wide' if wide else ''}")
        self._logged()
        return name, data
