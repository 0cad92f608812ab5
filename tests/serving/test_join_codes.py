"""Join codes: six characters a room types from the projector, kept in the store (SQLite and
PostgreSQL alike), and ``/j/CODE`` on the respondents' door of a real ``focuskit serve``, which
sends a phone on to the signed link. Tried as an attacker: codes that do not exist, codes one
symbol away from a real one, and a run of guesses, which is stopped."""

from __future__ import annotations

import itertools
import urllib.error
import urllib.parse
import urllib.request

import pytest

from focuskit import Store
from focuskit.errors import StoreError
from focuskit.links import (
    JOIN_ALPHABET,
    JOIN_LENGTH,
    check_link,
    join_url,
    new_join_code,
    normal_join_code,
    parse_link,
)
from focuskit.serving.join_door import JoinMisses

LOOK_ALIKES = "0O1IL5S2Z8B"


# -- the codes -------------------------------------------------------------------------------
def test_codes_have_no_look_alikes_and_a_space_too_big_to_walk():
    assert not set(LOOK_ALIKES) & set(JOIN_ALPHABET)
    assert len(set(JOIN_ALPHABET)) == len(JOIN_ALPHABET) == 25 and JOIN_LENGTH == 6
    assert len(JOIN_ALPHABET) ** JOIN_LENGTH == 244_140_625
    codes = {new_join_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 6 and set(c) <= set(JOIN_ALPHABET)
                                      for c in codes)
    # Every symbol turns up (secrets.choice over the whole alphabet).
    assert set("".join(codes)) == set(JOIN_ALPHABET)


@pytest.mark.parametrize("typed,want", [
    ("7KQ4MX", "7KQ4MX"), ("7kq4mx", "7KQ4MX"), (" 7KQ 4MX ", "7KQ4MX"), ("7KQ-4MX", "7KQ4MX"),
    ("7KQ4M", None), ("7KQ4MXX", None), ("7KQ4M0", None), ("7KQ4MS", None), ("", None),
    ("7KQ4MX" * 10, None), ("７ＫＱ４ＭＸ", None), ("7KQ\n4MX", "7KQ4MX"), (None, None),
])
def test_typed_codes_are_read_forgivingly_and_nothing_else_passes(typed, want):
    assert normal_join_code(typed) == want


def test_the_short_address_keeps_the_doors_host_and_prefix():
    base = "http://10.0.0.5:8866/voila/render/take_assessment.ipynb"
    assert join_url(base, "7KQ4MX") == "http://10.0.0.5:8866/j/7KQ4MX"
    assert join_url("https://x.example/survey/voila/render/take_assessment.ipynb?a=1",
                    "7KQ4MX") == "https://x.example/survey/j/7KQ4MX"
    assert join_url("https://x.example", "7KQ4MX") == "https://x.example/j/7KQ4MX"


# -- in the store ----------------------------------------------------------------------------
def test_a_link_has_one_code_on_every_server_of_one_store(store, db_url):
    store.create_campaign("ws-room", "Room", "focus-levels", rater_groups=["self", "customer"])
    code = store.join_code("ws-room", "self")
    assert normal_join_code(code) == code
    with Store(db_url) as other:  # another server on the same database
        assert other.join_code("ws-room", "self") == code
        assert other.find_join_code(code.lower()) == ("ws-room", "self", None)
    customer = store.join_code("ws-room", "customer", "Retail")
    assert customer != code and store.join_code("ws-room", "customer", " Retail ") == customer
    assert store.find_join_code(f"{customer[:3]}-{customer[3:]}") == ("ws-room", "customer",
                                                                      "Retail")
    # A closed round's code opens nothing (the same None as a code that never existed)...
    store.set_status("ws-room", "closed")
    assert store.find_join_code(code) is None
    store.set_status("ws-room", "open")
    assert store.find_join_code(code) == ("ws-room", "self", None)
    # ... and a deleted one is gone with it.
    store.delete_campaign("ws-room")
    assert store.find_join_code(code) is None


def test_codes_are_refused_where_they_would_open_the_wrong_door(store):
    store.create_campaign("invite", "Invitees", "focus-levels", link_mode="personal")
    store.create_campaign("fixed", "Fixed", "focus-levels", rater_groups=["self"],
                          segments=["North"])
    with pytest.raises(StoreError, match="personal links"):
        store.join_code("invite", "self")
    with pytest.raises(StoreError, match="not 'customer'"):
        store.join_code("fixed", "customer")
    with pytest.raises(StoreError, match="not one of"):
        store.join_code("fixed", "self", "South")


def test_a_code_clash_is_retried(store, monkeypatch):
    import focuskit.store.store as module

    store.create_campaign("ws-a", "A", "focus-levels", rater_groups=["self", "team"])
    codes = iter(["ACDEFG", "ACDEFG", "HJKMNP"])  # the second link draws a taken code first
    monkeypatch.setattr(module, "new_join_code", lambda: next(codes))
    assert store.join_code("ws-a", "self") == "ACDEFG"
    assert store.join_code("ws-a", "team") == "HJKMNP"


def test_focuskit_link_prints_the_code_beside_the_link(capsys, sqlite_url):
    from focuskit.cli import main

    with Store(sqlite_url) as store:
        store.create_campaign("q1", "Q1", "focus-levels", rater_groups=["team"])
    assert main(["--db", sqlite_url, "link", "q1", "--base-url", "http://10.0.0.5:8866"]) == 0
    out, err = capsys.readouterr()
    with Store(sqlite_url) as store:
        code = store.join_code("q1", "team")
    assert out.strip().startswith("http://10.0.0.5:8866/voila/render/take_assessment.ipynb?")
    assert "\n" not in out.strip()  # stdout is the link alone, for scripts
    assert f"join code {code}: people can also open http://10.0.0.5:8866/j/{code}" in err


def test_misses_are_limited_per_client():
    misses = JoinMisses(limit=3, window=60)
    for _ in range(3):
        assert misses.wait("10.0.0.1") == 0
        misses.missed("10.0.0.1")
    assert 1 <= misses.wait("10.0.0.1") <= 60
    assert misses.wait("10.0.0.2") == 0  # another client is not held up


def test_an_ipv6_guesser_cannot_take_a_new_address_per_guess():
    misses = JoinMisses(limit=3, window=60)
    for n in range(3):  # three addresses of one /64
        misses.missed(f"2001:db8:1:2::{n + 1:x}")
    assert misses.wait("2001:db8:1:2:ffff::9") > 0
    assert misses.wait("2001:db8:1:3::1") == 0  # the next /64 is someone else
    assert misses.key("::ffff:10.0.0.1") == misses.key("10.0.0.1") == "10.0.0.1"


def test_many_clients_guessing_together_are_stopped_too():
    misses = JoinMisses(limit=20, window=60, total=50)
    for n in range(50):  # a botnet: each address stays far below its own limit
        assert misses.wait(f"10.0.{n}.1") == 0
        misses.missed(f"10.0.{n}.1")
    # Each guesser is now held to three misses, not twenty.
    for _ in range(2):
        misses.missed("10.0.0.1")
    assert misses.wait("10.0.0.1") > 0
    assert misses.wait("10.0.1.1") == 0


def test_a_botnet_spending_the_global_ceiling_does_not_lock_the_room_out():
    """Attack: spend every address's share of the ceiling, then the workshop starts typing.
    The room's phones (one NAT address, no miss yet) must still reach their code; one typo
    each is forgiven; a guesser at three misses is refused even under a fresh address's
    allowance, and its wait is what it says."""
    misses = JoinMisses(limit=20, window=600, total=50)
    for n in range(50):
        misses.missed(f"198.51.100.{n}")
    assert len(misses.everyone) == 50
    assert misses.wait("192.0.2.7") == 0  # the room's NAT: typing still works
    misses.missed("192.0.2.7")  # one phone typed it wrong
    misses.missed("192.0.2.7")
    assert misses.wait("192.0.2.7") == 0  # a second typo still looked up
    misses.missed("192.0.2.7")
    assert 590 <= misses.wait("192.0.2.7") <= 600  # a third: held to the strained allowance
    # A room where the code was typed right before keeps its full allowance for typos.
    misses.hit("192.0.2.8")
    for _ in range(10):
        assert misses.wait("192.0.2.8") == 0
        misses.missed("192.0.2.8")
    fresh = [f"203.0.113.{n}" for n in range(20)]  # the botnet's next addresses
    for a in fresh:
        for _ in range(3):
            assert misses.wait(a) == 0
            misses.missed(a)
        assert misses.wait(a) > 0


def test_a_botnet_bigger_than_the_client_table_cannot_launder_its_addresses():
    """Attack: more addresses than the table remembers, so that the quietest are forgotten
    and come back with a fresh allowance. Once the ceiling is spent and the table is full,
    an address the table does not hold waits (and so nothing more is forgotten)."""
    misses = JoinMisses(limit=20, window=600, total=50, clients=100)
    for n in range(250):  # 250 addresses, one miss each, while a newcomer may still try
        a = f"198.51.100.{n}"
        if misses.wait(a) == 0:
            misses.missed(a)
    assert len(misses.misses) == misses.clients  # full, and held full: no eviction
    assert misses.wait("198.51.100.249") > 0  # never got in
    assert misses.wait("198.51.100.0") == 0  # a known address with one miss: two more


# -- through a real focuskit serve -----------------------------------------------------------
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def near_misses(code: str):
    """Codes one symbol away from ``code``: what an attacker who saw part of it would try."""
    for i, c in itertools.product(range(len(code)), JOIN_ALPHABET):
        if c != code[i]:
            yield code[:i] + c + code[i + 1:]


@pytest.mark.slow
def test_the_door_sends_a_code_to_its_signed_link_and_stops_guessing(voila_server, db_url):
    with Store(db_url) as store:
        store.create_campaign("ws-door", "Door", "focus-levels", rater_groups=["self"])
        store.create_campaign("ws-shut", "Shut", "focus-levels", rater_groups=["self"])
        code = store.join_code("ws-door", "self")
        shut = store.join_code("ws-shut", "self")
        store.set_status("ws-shut", "closed")
        secret = store.link_secret()
    served = voila_server({"FOCUSKIT_DB_URL": db_url},
                          ("--preheat", "0", "--staff-preheat", "0"))

    for typed in (code, code.lower(), f"{code[:3]}-{code[3:]}",
                  urllib.parse.quote(f"{code[:3]} {code[3:]}")):
        status, headers, _ = fetch(f"{served}j/{typed}")
        assert status == 303, typed
        target = headers["Location"]
        assert target.startswith("/voila/render/take_assessment.ipynb?campaign=ws-door&")
        assert check_link(secret, parse_link(target.split("?", 1)[1])) == "shared"
        assert headers["Cache-Control"] == "no-store"
    status, headers, _ = fetch(f"{served}j?code={code.lower()}")  # the typing form's way
    assert status == 303 and "campaign=ws-door" in headers["Location"]
    status, _, form = fetch(f"{served}j")
    assert status == 200 and 'name="code"' in form
    # A second server on the same database resolves the same code to the same link.
    other = voila_server({"FOCUSKIT_DB_URL": db_url}, ("--preheat", "0", "--staff-preheat", "0"))
    status, other_headers, _ = fetch(f"{other}j/{code}")
    assert status == 303 and other_headers["Location"] == headers["Location"]

    # A wrong code, a closed round's code and one a symbol away: the same plain page.
    pages = set()
    for wrong in ("ACDEFG", shut, next(near_misses(code)), "0OIL5S", "x" * 64):
        status, _, body = fetch(f"{served}j/{urllib.parse.quote(wrong)}")
        assert status == 404 and "Traceback" not in body and "ws-" not in body
        pages.add(body)
    assert len(pages) == 1 and "No questionnaire has this code" in pages.pop()

    # A hit in between takes nothing from the allowance.
    assert fetch(f"{served}j/{code}")[0] == 303
    # Guessing, 30 guesses sent at once: after 20 misses (5 above) this client's lookups
    # stop, even those already on their way, and the right code's too (a difference would
    # tell the guesser they hit).
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(lambda g: fetch(f"{served}j/{g}")[0],
                                 itertools.islice(near_misses(code), 30)))
    assert sorted(statuses) == [404] * 15 + [429] * 15, statuses
    status, headers, body = fetch(f"{served}j/{code}")
    assert status == 429 and int(headers["Retry-After"]) > 60
    # Claiming to be someone else does not help: no trusted proxy was configured.
    status, _, _ = fetch(f"{served}j/{code}", {"X-Forwarded-For": "203.0.113.9"})
    assert status == 429
    assert "Too many wrong codes" in body and "QR code" in body
    assert "20 wrong join codes from 127.0.0.1" in served.log.read_text()


@pytest.mark.slow
def test_hostile_codes_and_hosts_get_the_plain_page_and_no_foreign_redirect(voila_server, db_url):
    """Attacks on /j: header injection and an open redirect through the code or the Host
    header, reflected input, a code for a personal-links campaign, a code that was shared and
    is now personal, and a wrong code timed against a closed round's one."""
    with Store(db_url) as store:
        store.create_campaign("ws-evil", "Evil", "focus-levels", rater_groups=["self"])
        code = store.join_code("ws-evil", "self")
        store.create_campaign("pers", "Personal", "focus-levels", rater_groups=["self"],
                              link_mode="personal")
        with pytest.raises(StoreError):
            store.join_code("pers", "self")
    served = voila_server({"FOCUSKIT_DB_URL": db_url},
                          ("--preheat", "0", "--staff-preheat", "0"))
    marker = "<script>alert(1)</script>"
    hostile = [f"{code}%0d%0aSet-Cookie:%20pwn=1", f"{code}%0d%0aLocation:%20//evil.example",
               "%2F%2Fevil.example", "%5Cevil.example", urllib.parse.quote(marker, safe=""),
               "..%2Fvoila%2Frender%2Fadmin.ipynb", "%00" + code, code + "%00"]
    for path in hostile:
        status, headers, body = fetch(f"{served}j/{path}")
        assert status in (404, 303), path
        assert "pwn" not in str(headers) and "evil.example" not in str(headers), path
        assert marker not in body and "alert(1)" not in body and "Traceback" not in body, path
        if status == 303:  # "%00CODE" reads as the code: still this server's own link
            assert headers["Location"].startswith("/voila/render/take_assessment.ipynb?")
    status, _, body = fetch(f"{served}j?code={urllib.parse.quote(marker)}")
    assert status == 404 and "alert(1)" not in body
    # A forged Host header is not echoed into the redirect: the target is a path.
    status, headers, _ = fetch(f"{served}j/{code}", {"Host": "evil.example",
                                                     "X-Forwarded-Host": "evil.example"})
    assert status == 303 and headers["Location"].startswith("/voila/render/take_assessment")
    # A shared round switched to personal links: its old code opens nothing.
    from sqlalchemy import update

    from focuskit.store import schema

    with Store(db_url) as store:
        with store.engine.begin() as conn:
            conn.execute(update(schema.campaigns).where(schema.campaigns.c.id == "ws-evil")
                         .values(link_mode="personal"))
    assert fetch(f"{served}j/{code}")[0] == 404


def test_a_closed_rounds_code_takes_as_long_to_refuse_as_a_code_never_made(store, db_url):
    """Timing attack: if a closed round's code were refused measurably faster or slower than
    an unknown one, a guesser would learn which codes once existed. Both run the same one
    query; the fastest of many interleaved tries of each must agree within a factor 1.5."""
    import time

    from focuskit.serving.join_door import JoinCodes

    store.create_campaign("ws-gone", "Gone", "focus-levels", rater_groups=["self"])
    closed = store.join_code("ws-gone", "self")
    store.set_status("ws-gone", "closed")
    unknown = next(c for c in near_misses(closed) if store.find_join_code(c) is None)
    codes = JoinCodes(db_url, "/voila/render/take_assessment.ipynb")
    best = {closed: float("inf"), unknown: float("inf")}
    for _ in range(150):
        for typed in (closed, unknown):
            t0 = time.perf_counter()
            assert codes.resolve(typed) is None
            best[typed] = min(best[typed], time.perf_counter() - t0)
    assert 1 / 1.5 < best[closed] / best[unknown] < 1.5, best
