"""What the store hands back: campaigns, programmes, receipts and drafts, with times in
UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..instruments import Instrument


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    instrument: Instrument
    organisation: str
    rater_groups: tuple[str, ...]
    min_group_size: int
    status: str
    revealed: bool
    created_at: datetime
    segments: tuple[str, ...] | None = None  # the only segments taken; None: any
    link_mode: str = "shared"  # "shared" or "personal" links
    #: Comments reach staff only from groups at least this large (never below min_group_size).
    comment_threshold: int = 10
    #: How many people a workshop round expects (None: not said); see Store.set_expected.
    expected: int | None = None
    #: The assessment programme holding the campaign (None: none).
    programme: str | None = None
    #: The id of the wave before this one (None: a first wave), and the wave's number.
    previous: str | None = None
    wave: int = 1


@dataclass(frozen=True)
class Programme:
    """An organisation's assessment programme: campaigns across instruments, and their
    waves, in the order they were added."""

    id: str
    title: str
    organisation: str
    created_at: datetime
    campaigns: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffMember:
    """A named staff key: viewer (aggregates only) or admin (campaigns, raw data, erasure)."""

    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Erased:
    """What ``Store.erase_respondent`` removed, and how many other submissions it withheld
    from the figures (counted together with the erased ones)."""

    submissions: int
    answers: int
    drafts: int
    withheld: int = 0


@dataclass(frozen=True)
class Receipt:
    """What ``submit`` did: the submission's id, and False when the key was already stored."""

    submission: int
    created: bool


@dataclass(frozen=True)
class Draft:
    campaign: str
    respondent: str
    rater_group: str | None
    segment: str | None
    answers: dict
    page: int
    started_at: datetime
    updated_at: datetime


def utc_now() -> datetime:
    """Now, in UTC: every time the store writes is UTC."""
    return datetime.now(UTC)


def to_utc(value: datetime | None) -> datetime | None:
    """A time about to be written, in UTC (a naive time is taken as UTC already)."""
    # SQLite keeps the wall-clock time and drops the offset, so store every time in UTC.
    if value is not None and value.tzinfo is not None and value.tzinfo is not UTC:
        return value.astimezone(UTC)
    return value


def read_utc(value: datetime | None) -> datetime | None:
    """A time read back from the store, marked as UTC."""
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def nest_answers(rows) -> dict[str, dict]:
    """``(item, facet, value, comment)`` rows as ``{item: {facet: value, "comment": text}}``,
    the shape drafts are stored in and submissions are shown back in."""
    out: dict[str, dict] = {}
    for item, facet, value, comment in rows:
        slot = out.setdefault(item, {})
        if value is not None:
            slot[facet] = int(value)
        if comment:
            slot["comment"] = comment
    return out
