"""Tables and forward migrations of the response store.

The schema version lives in the ``meta`` table. Each migration step is a function that takes
a connection inside the migrating transaction, so a database is either at the old version or
at the new one, never half way.
"""

from __future__ import annotations

import secrets

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    text,
    update,
)

from .. import config
from ..errors import StoreError

SCHEMA_VERSION = 7

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: The ``meta`` row holding the key that signs respondent links (see focuskit/links.py).
LINK_SECRET = "link_secret"
LINK_MODES = ("shared", "personal")


def new_link_secret() -> str:
    return secrets.token_urlsafe(32)


#: The smallest minimum group size anywhere: below three, two people who talk can work out
#: the third one's answers.
MIN_GROUP_FLOOR = config.MIN_GROUP_FLOOR
DEFAULT_MIN_GROUP = config.MIN_GROUP
DEFAULT_COMMENT_THRESHOLD = config.COMMENT_THRESHOLD


def _campaign_columns(revealed: bool, comments: bool = False, links: bool = False,
                      v6: bool = False, v7: bool = False) -> list[Column]:
    cols = [
        Column("id", String(64), primary_key=True),
        Column("title", Text, nullable=False),
        Column("instrument", String(64), nullable=False),
        Column("instrument_version", String(64), nullable=False),
        # The instrument as it was when the campaign was made (JSON), so that later edits to an
        # item bank never change what an old campaign's answers mean.
        Column("instrument_spec", Text, nullable=False),
        Column("organisation", Text, nullable=False, default=""),
        Column("rater_groups", Text, nullable=False),  # comma-separated
        Column("min_group_size", Integer, nullable=False, default=5),
        Column("status", String(10), nullable=False, default="open"),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ]
    if revealed:  # since version 2
        cols.append(Column("revealed", Boolean, nullable=False, default=False))
    if revealed and comments:  # since version 3
        cols.append(Column("comment_threshold", Integer, nullable=False,
                           default=DEFAULT_COMMENT_THRESHOLD))
    if links:  # since version 4
        # JSON list of the only segments the campaign takes; NULL: any segment its links name.
        cols.append(Column("segments", Text))
        # "shared": one link for many, each browser gets a code; "personal": a link per invitee.
        cols.append(Column("link_mode", String(10), nullable=False, default="shared"))
    if v6:  # since version 6
        # How many people a workshop round expects (NULL: not said): the board's "24 of 30",
        # and what the server warms kernels for before the round opens.
        cols.append(Column("expected", Integer))
    if v7:  # since version 7
        # The assessment programme holding the campaign (NULL: none), and where in the
        # programme's list it was added (the programme page keeps that order).
        cols.append(Column("programme", String(64), ForeignKey("programmes.id")))
        cols.append(Column("programme_seq", Integer))
        # The wave before this one (NULL: a first wave); unique, so a wave has at most one
        # next wave and a chain never forks. ``wave`` counts from 1 along the chain.
        cols.append(Column("previous", String(64), ForeignKey("campaigns.id")))
        cols.append(Column("wave", Integer, nullable=False, default=1))
    return cols


programmes = Table(  # since version 7
    "programmes", metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

campaigns = Table("campaigns", metadata,
                  *_campaign_columns(revealed=True, comments=True, links=True, v6=True,
                                     v7=True),
                  Index("uq_campaigns_previous", "previous", unique=True),
                  Index("ix_campaigns_programme", "programme"))

def _submission_columns(v5: bool) -> list[Column]:
    cols = [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("campaign", String(64), ForeignKey("campaigns.id"), nullable=False, index=True),
        Column("respondent", String(128)),
        Column("rater_group", String(16), nullable=False),
        Column("segment", String(100)),
        Column("started_at", DateTime(timezone=True)),
        Column("submitted_at", DateTime(timezone=True), nullable=False),
        Column("idempotency_key", String(200), nullable=False, unique=True),
    ]
    if v5:  # since version 5
        # Counted in the figures together with a respondent later erased (or replaced): kept
        # out of every figure from then on (see analysis.anonymity).
        cols.append(Column("withheld", Boolean, nullable=False, default=False))
        # The time the survey tool recorded (UTC), kept apart from submitted_at: that is the
        # arrival time the disclosure rule releases answers by, and an import never moves it.
        cols.append(Column("source_submitted_at", DateTime(timezone=True)))
        # Data quality flags, comma-separated ("straight-lining,speeder"): never a filter,
        # something an analyst may filter on.
        cols.append(Column("flags", String(200)))
    return cols


submissions = Table("submissions", metadata, *_submission_columns(v5=True))

answers = Table(
    "answers", metadata,
    Column("submission", Integer, ForeignKey("submissions.id"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("facet", String(64), primary_key=True),
    Column("value", Float),  # null only for a comment left on an unanswered optional item
    Column("comment", Text),
)

drafts = Table(  # since version 2
    "drafts", metadata,
    Column("campaign", String(64), ForeignKey("campaigns.id"), primary_key=True),
    Column("respondent", String(128), primary_key=True),
    Column("rater_group", String(16)),
    Column("segment", String(100)),
    Column("answers", Text, nullable=False),  # JSON {item: {facet: value, "comment": text}}
    Column("page", Integer, nullable=False, default=0),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

def _action_columns(v7: bool) -> list[Column]:
    cols = [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("campaign", String(64), ForeignKey("campaigns.id"), nullable=False, index=True),
        Column("item", String(64)),
        Column("title", Text, nullable=False),
        Column("owner", Text),
        Column("due", Date),
        Column("status", String(16), nullable=False, default="open"),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ]
    if v7:  # since version 7
        # The section (a group of items) an action is about, when it is about a section
        # rather than one item; and when the action last changed.
        cols.append(Column("section", String(64)))
        cols.append(Column("updated_at", DateTime(timezone=True)))
    return cols


actions = Table("actions", metadata, *_action_columns(v7=True))  # since version 2


join_codes = Table(  # since version 6
    "join_codes", metadata,
    # Six characters a person types from a projector (focuskit.links.new_join_code); the
    # respondents' door turns /j/CODE into the signed shared link of its campaign and group.
    Column("code", String(16), primary_key=True),
    Column("campaign", String(64), ForeignKey("campaigns.id"), nullable=False, index=True),
    Column("rater_group", String(16), nullable=False),
    Column("segment", String(100), nullable=False, default=""),  # "": no segment
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("campaign", "rater_group", "segment", name="uq_join_codes_link"),
)


staff = Table(  # since version 3
    "staff", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # viewer or admin
    # The public part of the key, to find its row without hashing against every row.
    Column("key_id", String(32), nullable=False, unique=True),
    Column("key_hash", Text, nullable=False),  # scrypt$n$r$p$salt$hash (hex)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

audit = Table(  # since version 3
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(64), nullable=False),  # a staff name, "server key", "cli" or "?"
    Column("action", String(32), nullable=False),
    Column("campaign", String(64)),  # no foreign key: the log outlives an erased campaign
    Column("detail", Text, nullable=False, default=""),
)


def _v1(conn) -> None:
    """The first release: campaigns, submissions and answers."""
    v1 = MetaData()
    Table("campaigns", v1, *_campaign_columns(revealed=False, comments=False))
    Table("submissions", v1, *_submission_columns(v5=False))
    for t in (meta, answers):
        t.to_metadata(v1)
    v1.create_all(conn)


def _v2(conn) -> None:
    """Workshops: the revealed flag, drafts for save-and-resume, and the action register."""
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN revealed BOOLEAN NOT NULL DEFAULT FALSE"))
    metadata.create_all(conn, tables=[drafts])
    v2 = MetaData()
    Table("actions", v2, *_action_columns(v7=False))
    # The foreign key names campaigns: a stand-in lets the table be made on its own.
    Table("campaigns", v2, Column("id", String(64), primary_key=True))
    v2.tables["actions"].create(conn)


def _v3(conn) -> None:
    """Staff roles and the audit log; a comment threshold per campaign; and no campaign
    keeps a minimum group size below the floor."""
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN comment_threshold INTEGER NOT NULL "
                      f"DEFAULT {DEFAULT_COMMENT_THRESHOLD}"))
    conn.execute(update(campaigns).where(campaigns.c.min_group_size < MIN_GROUP_FLOOR)
                 .values(min_group_size=MIN_GROUP_FLOOR))
    metadata.create_all(conn, tables=[staff, audit])


def _v4(conn) -> None:
    """Signed links: the secret that signs them, a campaign's fixed segments and link mode."""
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN segments TEXT"))
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN link_mode VARCHAR(10) NOT NULL "
                      "DEFAULT 'shared'"))
    if not conn.execute(select(meta.c.key).where(meta.c.key == LINK_SECRET)).first():
        conn.execute(insert(meta).values(key=LINK_SECRET, value=new_link_secret()))


def _v5(conn) -> None:
    """Erasure that cannot be differenced (submissions counted with an erased respondent),
    and imports from survey tools (the tool's own submission time, data quality flags)."""
    conn.execute(text("ALTER TABLE submissions ADD COLUMN withheld BOOLEAN NOT NULL "
                      "DEFAULT FALSE"))
    stamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    conn.execute(text(f"ALTER TABLE submissions ADD COLUMN source_submitted_at {stamp}"))
    conn.execute(text("ALTER TABLE submissions ADD COLUMN flags VARCHAR(200)"))


def _v6(conn) -> None:
    """Workshops a room can join: the number of people a round expects, and join codes."""
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN expected INTEGER"))
    metadata.create_all(conn, tables=[join_codes])


def _v7(conn) -> None:
    """Programmes and waves: a campaign's programme and previous wave; an action's section
    and the time it last changed (its creation, for the actions already there)."""
    metadata.create_all(conn, tables=[programmes])
    stamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    # SQLite's ADD COLUMN takes no UNIQUE: the indexes below hold the rules instead.
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN programme VARCHAR(64) "
                      "REFERENCES programmes (id)"))
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN programme_seq INTEGER"))
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN previous VARCHAR(64) "
                      "REFERENCES campaigns (id)"))
    conn.execute(text("ALTER TABLE campaigns ADD COLUMN wave INTEGER NOT NULL DEFAULT 1"))
    for index in campaigns.indexes:
        index.create(conn)
    conn.execute(text("ALTER TABLE actions ADD COLUMN section VARCHAR(64)"))
    conn.execute(text(f"ALTER TABLE actions ADD COLUMN updated_at {stamp}"))
    conn.execute(update(actions).values(updated_at=actions.c.created_at))


MIGRATIONS = {1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _v5, 6: _v6, 7: _v7}


def schema_version(conn) -> int:
    """The version a database is at; 0 for an empty one."""
    if not conn.dialect.has_table(conn, "meta"):
        return 0
    row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def _set_version(conn, v: int) -> None:
    if conn.execute(select(meta.c.key).where(meta.c.key == "schema_version")).first():
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(v)))
    else:
        conn.execute(insert(meta).values(key="schema_version", value=str(v)))


def migrate(conn, where: str = "the store") -> None:
    """Bring a database up to SCHEMA_VERSION inside the caller's write transaction."""
    if conn.dialect.name == "postgresql":
        # Serialise concurrent first starts; SQLite is already serialised by BEGIN IMMEDIATE.
        conn.execute(text("SELECT pg_advisory_xact_lock(7305411)"))
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(f"{where} has schema version {version}; this focuskit knows up to "
                         f"{SCHEMA_VERSION}. Upgrade focuskit.")
    for v in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[v](conn)
        _set_version(conn, v)
