"""Making a campaign's signed respondent links from its store: shared ones and personal ones.

What ``focuskit link``, the admin page, the workshop board and the demo hand out. Each maker
checks the link against the campaign first (its rater groups, its fixed segments, its link
mode), so staff are told in words why a link cannot be made, rather than respondents finding
out from a link that does not work.
"""

from __future__ import annotations

import csv
import io

from ...config import respondent_base
from ...errors import FocuskitError
from ...links import LinkError, make_link, new_code

__all__ = ["MAX_PERSONAL", "links_base", "personal_links", "personal_links_csv", "shared_link"]

MAX_PERSONAL = 5000  # personal links made at once
NOTEBOOK_PATH = "/voila/render/take_assessment.ipynb"


def links_base(url: str | None = None) -> str:
    """The questionnaire's URL from a server's address (``http://host:8866``) or a full one.

    None gives ``respondent_base()`` (what ``focuskit serve`` tells its staff kernels).
    """
    if url is None or not str(url).strip():
        return respondent_base()
    url = str(url).strip().split("?", 1)[0]
    if not url.startswith(("http://", "https://")):
        raise FocuskitError(f"base URL {url!r}: give the scheme and host, e.g. "
                            "http://127.0.0.1:8866 or https://survey.example.com")
    return url if url.endswith(".ipynb") else url.rstrip("/") + NOTEBOOK_PATH


def _checked(store, campaign: str, group: str | None, segment: str | None, mode: str):
    """The campaign and the group to sign, or a FocuskitError saying what to change."""
    camp = store.campaign(campaign)
    if camp.link_mode != mode:
        fix = ("make personal links (--personal N)" if camp.link_mode == "personal"
               else "make one shared link (leave out --personal)")
        raise FocuskitError(f"{camp.id} gives {camp.link_mode} links: {fix}")
    if group is None:
        if len(camp.rater_groups) != 1:
            raise FocuskitError(f"{camp.id} asks {', '.join(camp.rater_groups)}: say which "
                                "group the link is for (--group)")
        group = camp.rater_groups[0]
    if group not in camp.rater_groups:
        raise FocuskitError(f"{camp.id} asks {', '.join(camp.rater_groups)}; not {group!r}")
    if segment is not None:
        segment = segment.strip() or None
    if segment is not None and camp.segments is not None and segment not in camp.segments:
        raise FocuskitError(f"segment {segment[:60]!r} is not one of {camp.id}'s segments "
                            f"({', '.join(camp.segments)})")
    return camp, group, segment


def _make(base, camp, group, segment, code, secret) -> str:
    try:
        return make_link(base, camp.id, group, segment, code, secret=secret)
    except LinkError as e:
        raise FocuskitError(f"segment {str(segment)[:60]!r}: {e} (at most 100 printable "
                            "characters)") from None


def shared_link(store, campaign: str, group: str | None = None, segment: str | None = None,
                *, base: str | None = None) -> str:
    """The signed link a "shared" campaign sends to a whole group (and segment).

    Each browser that opens it is given a signed code of its own, so it answers once.
    """
    camp, group, segment = _checked(store, campaign, group, segment, "shared")
    return _make(links_base(base), camp, group, segment, None, store.link_secret())


def personal_links(store, campaign: str, group: str | None = None, segment: str | None = None,
                   count: int = 1, *, base: str | None = None) -> list[tuple[str, str]]:
    """``count`` signed personal links of a "personal" campaign, as (code, link) pairs.

    Each carries its own code: one invitee, one submission. Keep the codes to know who was
    sent which link; the answers carry the code, never a name.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERSONAL:
        raise FocuskitError(f"the number of personal links must be a whole number from 1 to "
                            f"{MAX_PERSONAL}, not {count!r}")
    camp, group, segment = _checked(store, campaign, group, segment, "personal")
    secret, url = store.link_secret(), links_base(base)
    out = []
    for _ in range(count):
        code = new_code(secret, camp.id, group, segment, personal=True)
        out.append((code, _make(url, camp, group, segment, code, secret)))
    return out


def personal_links_csv(rows: list[tuple[str, str]]) -> str:
    """The (code, link) pairs as CSV text with a header, for a mail merge."""
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["code", "link"])
    wr.writerows(rows)
    return buf.getvalue()
