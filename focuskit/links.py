"""A respondent's link: which campaign, which rater group, which segment, and who.

A link looks like ``.../take_assessment.ipynb?campaign=q1-leaders&group=customer&segment=Retail
&sig=Qx7...&code=Zq3...``. The person's pseudonymous token travels as ``code``, not ``token``:
Jupyter's server reads ``?token=`` as its own login token.

Links are signed, so nobody can edit one into another group or segment, or invent one:

* ``sig`` is an HMAC-SHA256 (cut to 16 URL-safe characters) over the campaign, rater group and
  segment, and over the code too for a personal link. The key is the store's link secret
  (``Store.link_secret``), so every server sharing a store accepts the same links.
* a code is a random part and a tag, an HMAC over the random part, the campaign, group and
  segment, and whether focuskit made it for one invitee ("personal") or for one visit of a
  shared link ("visit"). A typed or imported id has no valid tag, so no draft or submission is
  ever shown back to it.

A join code (``7KQ4MX``) is what a room types from a projector instead of a link: six
characters from an alphabet without look-alikes, stored with the campaign, rater group and
segment it stands for (``Store.join_code``); the respondents' door sends ``/j/CODE`` on to the
signed shared link (serving/join_door.py). ``join_url`` is that short address.

Everything here is plain text handling (no store, no widgets), and everything from the URL is
treated as hostile: a link that fails a check becomes a LinkError whose ``kind`` picks the
friendly page to show, never a traceback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from .config import RATER_GROUPS

__all__ = ["JOIN_ALPHABET", "JOIN_LENGTH", "Link", "LinkError", "check_link", "code_kind",
           "join_url", "loopback_host", "make_link", "new_code", "new_join_code",
           "normal_join_code", "parse_link", "sign_link"]

_CAMPAIGN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")  # the store's campaign id rule
_CODE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_SIG = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_QUERY = 2000
MAX_SEGMENT = 100
KNOWN = ("campaign", "group", "segment", "sig", "code", "new", "device")
SIG_CHARS = 16  # 96 bits: short enough to type from paper, far beyond guessing online
CODE_RANDOM_BYTES = 9  # 12 characters, 72 bits
CODE_TAG_CHARS = 8  # 48 bits: a typed or imported id never carries a valid one
CODE_KINDS = ("personal", "visit")
#: Digits and capitals without the pairs a projector or a hand confuses: 0/O, 1/I/L, 5/S,
#: 2/Z, 8/B. 25 symbols in 6 places: 244 million codes (serving/join_door.py limits guessing).
JOIN_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
JOIN_LENGTH = 6


class LinkError(ValueError):
    """A link that cannot be used. ``kind`` is "incomplete", "malformed" or "unsigned"."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class Link:
    campaign: str
    group: str | None = None  # None: let the campaign decide when it asks one group only
    segment: str | None = None
    code: str | None = None  # None: the link is shared; a code is made for this person
    sig: str | None = None  # the link's signature; see sign_link
    new: bool = False  # "start again as someone else" on a shared device
    device: bool = False  # the code was remembered by this browser, not sent in the link

    def query(self, **changes) -> str:
        """The query string of this link, e.g. for a redirect or for printing."""
        fields = {k: v for k, v in {**self.__dict__, **changes}.items() if v not in (None, False)}
        for flag in ("new", "device"):
            if fields.get(flag):
                fields[flag] = "1"
        return urlencode({k: fields[k] for k in KNOWN if k in fields})


def _mac(secret: bytes, *parts) -> str:
    """URL-safe HMAC-SHA256 of ``parts``; JSON keeps the fields apart (no a|bc vs ab|c)."""
    if not isinstance(secret, bytes) or len(secret) < 16:
        raise ValueError("a link secret must be at least 16 bytes")
    message = json.dumps([p if p is not None else "" for p in parts]).encode("utf-8")
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign_link(secret: bytes, campaign: str, group: str | None = None,
              segment: str | None = None, code: str | None = None) -> str:
    """The ``sig`` of a link: over campaign, group and segment, and the code of a personal link."""
    return _mac(secret, "link", campaign, group, segment, code)[:SIG_CHARS]


def _code_tag(secret: bytes, kind: str, random_part: str, campaign: str, group: str | None,
              segment: str | None) -> str:
    return _mac(secret, f"{kind}-code", random_part, campaign, group, segment)[:CODE_TAG_CHARS]


def new_code(secret: bytes, campaign: str, group: str | None = None,
             segment: str | None = None, *, personal: bool = False) -> str:
    """A fresh respondent code (20 URL-safe characters) that only this store's links accept.

    ``personal`` codes go into personal links made by staff; the others are made for one
    visit of a shared link. Either is bound to its campaign, group and segment.
    """
    kind = "personal" if personal else "visit"
    random_part = "-"
    while not random_part[0].isalnum():  # a leading "-" reads as a formula in a spreadsheet
        random_part = secrets.token_urlsafe(CODE_RANDOM_BYTES)
    return random_part + _code_tag(secret, kind, random_part, campaign, group, segment)


def code_kind(secret: bytes, link: Link) -> str | None:
    """"personal" or "visit" for a code focuskit made for this link's campaign, group and
    segment; None for any other code (typed, imported, made for another campaign)."""
    code = link.code
    if code is None or len(code) <= CODE_TAG_CHARS:
        return None
    random_part, tag = code[:-CODE_TAG_CHARS], code[-CODE_TAG_CHARS:]
    found = None
    for kind in CODE_KINDS:  # both are computed, so the time taken says nothing
        want = _code_tag(secret, kind, random_part, link.campaign, link.group, link.segment)
        if hmac.compare_digest(want.encode(), tag.encode()):
            found = kind
    return found


def check_link(secret: bytes, link: Link) -> str:
    """"shared" or "personal" for a link signed with ``secret``; LinkError("unsigned") else.

    A shared link is signed without a code; the code a visitor's browser adds to it later must
    be a "visit" code. A personal link is signed with its code, which must be "personal".
    """
    if link.sig is None:
        raise LinkError("unsigned", "the link carries no signature")
    given = link.sig.encode()
    shared = hmac.compare_digest(
        sign_link(secret, link.campaign, link.group, link.segment).encode(), given)
    if link.code is None:
        if shared:
            return "shared"
        raise LinkError("unsigned", "the link's signature does not match it")
    personal = hmac.compare_digest(
        sign_link(secret, link.campaign, link.group, link.segment, link.code).encode(), given)
    kind = code_kind(secret, link)
    if personal and kind == "personal":
        return "personal"
    if shared and kind == "visit":
        return "shared"
    raise LinkError("unsigned", "the link's code or signature was not made for it")


def parse_link(query: str | None) -> Link:
    """Read a link's query string (with or without the leading '?').

    Unknown parameters (an e-mail tool's ``utm_source``, say) are ignored; a known one given
    twice, or given with a value that cannot be right, makes the link "malformed"; a missing
    campaign makes it "incomplete".
    """
    query = (query or "").strip()
    if query.startswith("?"):
        query = query[1:]
    if len(query) > MAX_QUERY:
        raise LinkError("malformed", "the link is too long")
    try:
        fields = parse_qs(query, keep_blank_values=True, strict_parsing=False,
                          max_num_fields=50, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise LinkError("malformed", "the link could not be read") from None
    for key in KNOWN:
        if len(fields.get(key, [])) > 1:
            raise LinkError("malformed", f"the link gives {key!r} more than once")
    get = {k: fields[k][0].strip() for k in KNOWN if k in fields}

    campaign = get.get("campaign", "")
    if not campaign:
        raise LinkError("incomplete", "the link does not say which questionnaire to open")
    if not _CAMPAIGN.fullmatch(campaign):
        raise LinkError("malformed", "the questionnaire named in the link cannot exist")
    group = get.get("group") or None
    if group is not None and group not in RATER_GROUPS:
        raise LinkError("malformed", "the link names a group of respondents that does not exist")
    segment = get.get("segment") or None
    if segment is not None and (len(segment) > MAX_SEGMENT or not segment.isprintable()):
        raise LinkError("malformed", "the link's segment is too long or holds odd characters")
    code = get.get("code") or None
    if code is not None and not _CODE.fullmatch(code):
        raise LinkError("malformed", "the personal code in the link has been changed or cut off")
    sig = get.get("sig") or None
    if sig is not None and not _SIG.fullmatch(sig):
        raise LinkError("malformed", "the link's signature has been changed or cut off")
    new = get.get("new", "") not in ("", "0")
    device = code is not None and get.get("device", "") not in ("", "0")
    return Link(campaign, group, segment, code, sig, new, device)


def make_link(base: str, campaign: str, group: str | None = None, segment: str | None = None,
              code: str | None = None, *, secret: bytes) -> str:
    """A signed respondent link to ``base`` (the notebook's URL); checks what it writes.

    Without ``code`` it is a shared link; with one (from ``new_code(..., personal=True)``)
    a personal link. ``focuskit.apps.questionnaire.invites`` makes them from a store, with the
    campaign's own checks; this is the plain maker underneath.
    """
    link = Link(campaign, group, segment, code, sign_link(secret, campaign, group, segment, code))
    parse_link(link.query())  # refuse to hand out a link that we would not accept
    return f"{base}?{link.query()}"


def new_join_code() -> str:
    """A fresh join code: ``JOIN_LENGTH`` symbols of ``JOIN_ALPHABET``, from ``secrets``."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def normal_join_code(typed) -> str | None:
    """A code as a person typed it (any case, spaces or dashes between) in the stored form,
    or None when it cannot be a code at all (wrong length, a symbol not in the alphabet).

    >>> normal_join_code(" 7kq-4mx "), normal_join_code("7KQ4M0")
    ('7KQ4MX', None)
    """
    if not isinstance(typed, str) or len(typed) > 4 * JOIN_LENGTH:
        return None
    code = "".join(c for c in typed.upper() if not c.isspace() and c not in "-_.")
    if len(code) != JOIN_LENGTH or any(c not in JOIN_ALPHABET for c in code):
        return None
    return code


def join_url(base: str, code: str) -> str:
    """The short address of a join code on the respondents' door, from the questionnaire's
    URL ``base`` (``http://10.0.0.5:8866/voila/render/take_assessment.ipynb`` ->
    ``http://10.0.0.5:8866/j/7KQ4MX``); a server behind a proxy keeps its path prefix."""
    root = base.split("?", 1)[0]
    if "/voila/render/" in root:
        root = root.split("/voila/render/", 1)[0]
    elif root.endswith(".ipynb"):
        root = root.rsplit("/", 1)[0]
    return f"{root.rstrip('/')}/j/{code}"


def loopback_host(url: str) -> str | None:
    """The host of ``url`` when only this machine can open it (localhost, 127.x.x.x, ::1),
    else None: a link a phone in the room cannot reach."""
    import ipaddress
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None
