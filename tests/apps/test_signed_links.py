"""Links that cannot be edited: every way a respondent might change or invent one, refused.

Each attack is tried on SQLite and PostgreSQL through ``open_questionnaire`` (what the page
runs), with the Store and with the respondent kernel's RespondentStore.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl, urlencode

import pytest
from conftest import full_answers, signed_link
from hypothesis import given, settings
from hypothesis import strategies as st

from focuskit import FocuskitError, Store, StoreError, load_instrument
from focuskit.apps.questionnaire import (
    Problem,
    QuestionnaireApp,
    open_questionnaire,
    personal_links,
    shared_link,
)
from focuskit.apps.questionnaire.session import stored_answers
from focuskit.cli import main
from focuskit.links import Link, LinkError, check_link, new_code, parse_link, sign_link
from focuskit.store.respondent import RespondentStore


@pytest.fixture
def camp(store):
    """A shared-link campaign asking leaders and customers, with a fixed segment list."""
    return store.create_campaign("q1", "Q1", "focus-levels", rater_groups=["self", "customer"],
                                 segments=["North", "South"])


@pytest.fixture(params=["store", "respondent"])
def either(request, store, db_url):
    """The staff's Store, or the respondent kernel's RespondentStore on the same database."""
    if request.param == "store":
        yield store
        return
    s = RespondentStore(db_url)
    yield s
    s.close()


def query_of(url: str) -> str:
    return url.split("?", 1)[1]


def edit(url: str, **changes) -> str:
    """The link's query with some fields changed (None drops one), as a person would type."""
    fields = dict(parse_qsl(query_of(url), keep_blank_values=True))
    for k, v in changes.items():
        if v is None:
            fields.pop(k, None)
        else:
            fields[k] = v
    return urlencode(fields)


def opens(store, query: str):
    try:
        link = parse_link(query)
    except LinkError as e:
        link = e
    return open_questionnaire(store, link)


def refused(store, query: str) -> bool:
    return opens(store, query) == Problem("unsigned")


def answer_everything(q, value=3):
    q.restore(full_answers(q.instrument, value), 0)
    while not q.is_last_page:
        assert q.next()


# -- attacks on signed links and codes ------------------------------------------------------------
def test_an_edited_group_is_refused(store, either, camp):
    url = shared_link(store, "q1", "customer", "North")
    assert not isinstance(opens(either, query_of(url)), Problem)
    assert refused(either, edit(url, group="self"))
    assert refused(either, edit(url, group=None))  # "let the campaign decide": still edited


def test_an_edited_or_invented_segment_is_refused(store, either, camp):
    north = shared_link(store, "q1", "customer", "North")
    assert refused(either, edit(north, segment="South"))  # a real segment, not this link's
    assert refused(either, edit(north, segment="Nowhere"))  # invented
    assert refused(either, edit(north, segment=None))  # dropped: would join the margin only
    plain = shared_link(store, "q1", "customer")
    assert refused(either, edit(plain, segment="Nowhere"))  # added to a link without one


def test_a_segment_outside_the_fixed_list_is_refused_at_link_making_and_in_the_store(
        store, either, camp):
    with pytest.raises(FocuskitError, match="'West' is not one of q1's segments"):
        shared_link(store, "q1", "customer", "West")
    inst = load_instrument("focus-levels")
    # Even signed (a key that leaked, an import, a script): the store itself says no.
    for call in (lambda: either.submit("q1", full_answers(inst), rater_group="customer",
                                       segment="West"),
                 lambda: either.save_draft("q1", "someone-1", {}, rater_group="customer",
                                           segment="West")):
        with pytest.raises(StoreError) as e:
            call()
        assert "segment 'West' is not one of the segments of campaign 'q1' (North, South)" \
            in str(e.value)
    assert refused(either, signed_link(store, "q1", "customer", "West").query())
    assert store.counts("q1")["submissions"] == 0 and store.counts("q1")["drafts"] == 0
    either.submit("q1", full_answers(inst), rater_group="customer", segment="South")
    either.submit("q1", full_answers(inst), rater_group="self")  # no segment: allowed
    assert store.counts("q1")["submissions"] == 2


def test_a_typed_code_gets_no_draft_and_no_answers(store, either, camp):
    """A draft saved under code=leader-04 (an import, or anyone typing it) is never restored."""
    store.save_draft("q1", "leader-04", {"expectations": {"level": 4, "comment": "Secret"}},
                     rater_group="self")
    url = shared_link(store, "q1", "self")
    assert refused(either, edit(url, code="leader-04"))
    assert refused(either, edit(url, code="leader-04", device="1"))
    assert store.draft("q1", "leader-04").answers["expectations"]["comment"] == "Secret"


def test_an_imported_long_id_never_shows_its_submitted_answers(store, either, camp):
    inst = load_instrument("focus-levels")
    long_id = "EMP-2026-000417-ALDER-VALLEY"  # 16+ characters: once taken as unguessable
    store.submit("q1", full_answers(inst, 5), rater_group="self", respondent=long_id)
    url = shared_link(store, "q1", "self")
    assert refused(either, edit(url, code=long_id))
    # ...nor with a signature made over it by someone who knows only the link format.
    assert refused(either, edit(url, code=long_id, sig=sign_link(b"x" * 32, "q1", "self",
                                                                 None, long_id)))


def test_a_code_signed_for_another_campaign_is_refused(store, either, camp):
    store.create_campaign("q2", "Q2", "focus-levels", rater_groups=["self"])
    other = signed_link(store, "q2", "self", visit=True)  # a genuine code, of q2
    assert not isinstance(opens(either, other.query()), Problem)
    url = shared_link(store, "q1", "self")
    assert refused(either, edit(url, code=other.code))
    # A code is bound to its group and segment too.
    north = signed_link(store, "q1", "customer", "North", visit=True)
    assert refused(either, edit(shared_link(store, "q1", "customer", "South"), code=north.code))


def test_a_link_signed_with_another_stores_secret_is_refused(store, either, camp, tmp_path):
    with Store(f"sqlite:///{tmp_path / 'other.db'}") as other:
        other.create_campaign("q1", "Q1", "focus-levels", rater_groups=["self", "customer"])
        assert other.link_secret() != store.link_secret()
        foreign = shared_link(other, "q1", "customer")
        foreign_visit = signed_link(other, "q1", "self", visit=True).query()
    assert refused(either, query_of(foreign))
    assert refused(either, foreign_visit)


def test_unsigned_truncated_and_swapped_signatures_are_refused(store, either, camp):
    url = shared_link(store, "q1", "customer", "North")
    sig = dict(parse_qsl(query_of(url)))["sig"]
    assert refused(either, edit(url, sig=None))
    assert refused(either, edit(url, sig=sig[:-1]))
    assert refused(either, edit(url, sig=sig.swapcase()))
    south = dict(parse_qsl(query_of(shared_link(store, "q1", "customer", "South"))))["sig"]
    assert refused(either, edit(url, sig=south))
    # The flags a page adds itself change nothing about whom the link is for.
    assert not isinstance(opens(either, edit(url, new="1", utm_source="mail")), Problem)


# -- a valid link, end to end -----------------------------------------------------------------
def test_a_shared_link_works_end_to_end_and_each_browser_answers_once(store, either, camp):
    url = shared_link(store, "q1", "customer", "North")
    q, who = opens(either, query_of(url))
    assert (who.group, who.segment, who.code_made_here) == ("customer", "North", True)
    q.answer("expectations", "level", 4)
    q.comment("expectations", "They listen")
    # The browser keeps its code in the address; reopening resumes the draft and comment.
    reopened = edit(url, code=who.code)
    again, same = opens(either, reopened)
    assert same.code == who.code and again.answers == {"expectations": {"level": 4}}
    assert again.comments == {"expectations": "They listen"}
    answer_everything(again, 4)
    assert again.submit()
    stored = store.responses("q1")
    assert set(stored["rater_group"]) == {"customer"} and set(stored["segment"]) == {"North"}
    assert set(stored["respondent"]) == {who.code}
    done, _ = opens(either, reopened)  # its own answers, shown back to the one who sent them
    assert done.stage == "done" and done.answers == again.answers
    assert store.counts("q1")["submissions"] == 1


def test_personal_links_one_answer_each_and_never_shared(store, either):
    store.create_campaign("invite", "Invited", "focus-levels", rater_groups=["customer"],
                          link_mode="personal")
    with pytest.raises(FocuskitError, match="invite gives personal links"):
        shared_link(store, "invite", "customer")
    rows = personal_links(store, "invite", "customer", "Retail", 3)
    assert len({code for code, _ in rows}) == 3
    code, url = rows[0]
    q, who = opens(either, query_of(url))
    assert who.code == code and not who.code_made_here
    answer_everything(q)
    assert q.submit()
    done, _ = opens(either, query_of(url))
    assert done.stage == "done" and store.counts("invite")["submissions"] == 1
    assert stored_answers(store, "invite", code) == full_answers(q.instrument, 3)
    assert refused(either, edit(url, code=None))  # strip the code: no fresh shared visit
    assert refused(either, edit(url, code=rows[1][0]))  # another invitee's code, this sig
    assert refused(either, edit(url, segment="Wholesale"))
    # A browser code minted for a shared visit is not a personal code.
    visit = new_code(store.link_secret(), "invite", "customer", "Retail")
    assert refused(either, edit(url, code=visit,
                                sig=sign_link(store.link_secret(), "invite", "customer",
                                              "Retail")))
    # And a shared campaign takes no personal link.
    store.create_campaign("open-one", "Open", "focus-levels", rater_groups=["customer"])
    with pytest.raises(FocuskitError, match="open-one gives shared links"):
        personal_links(store, "open-one", "customer")
    assert refused(either, signed_link(store, "open-one", "customer", personal=True).query())


def test_every_server_on_one_store_shares_the_secret(db_url):
    with Store(db_url) as a, Store(db_url) as b:
        a.create_campaign("q1", "Q1", "focus-levels", rater_groups=["self"])
        url = shared_link(a, "q1", "self")
        r = RespondentStore(db_url)
        try:
            assert a.link_secret() == b.link_secret() == r.link_secret()
            assert check_link(r.link_secret(), parse_link(query_of(url))) == "shared"
        finally:
            r.close()


def test_the_page_of_a_forged_link_says_so_in_plain_words(sqlite_url, monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    with Store(sqlite_url) as s:
        s.create_campaign("q1", "Q1", "focus-levels", rater_groups=["self", "customer"])
        url = shared_link(s, "q1", "customer")
    app = QuestionnaireApp(sqlite_url)
    try:
        html = app.build(edit(url, group="self")).children[1].value
        assert "This link does not work" in html and "Traceback" not in html
        assert app.state is None and app.problem == Problem("unsigned")
        app.build(query_of(url))
        assert app.problem is None and app.who.group == "customer"
    finally:
        app.store.close()


# -- the command line -------------------------------------------------------------------------
def test_focuskit_link_prints_signed_shared_and_personal_links(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", db, "campaign", "new", "q1", "--title", "Q1", "--instrument",
                 "focus-levels", "--groups", "self,customer", "--segments", "North, South"]) == 0
    assert "segments North, South only" in capsys.readouterr().out
    assert main(["--db", db, "link", "q1", "--group", "customer", "--segment", "North"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://127.0.0.1:8866/voila/render/take_assessment.ipynb?campaign=q1"
                          "&group=customer&segment=North&sig=")
    assert len(url) < 130  # short enough to type from paper
    with Store(db) as s:
        assert check_link(s.link_secret(), parse_link(query_of(url))) == "shared"
    assert main(["--db", db, "link", "q1", "--group", "customer", "--segment", "West"]) == 2
    assert "'West' is not one of q1's segments (North, South)" in capsys.readouterr().err
    assert main(["--db", db, "link", "q1", "--personal", "2"]) == 2
    assert "q1 gives shared links" in capsys.readouterr().err

    assert main(["--db", db, "campaign", "new", "inv", "--title", "Inv", "--instrument",
                 "blocks", "--groups", "team", "--links", "personal"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "link", "inv", "--personal", "3",
                 "--base-url", "https://survey.example.com/"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["code", "link"] and len(rows) == 4
    with Store(db) as s:
        for code, link in rows[1:]:
            assert link.startswith("https://survey.example.com/voila/render/take_assessment"
                                   ".ipynb?campaign=inv&group=team&sig=")
            parsed = parse_link(query_of(link))
            assert parsed.code == code and check_link(s.link_secret(), parsed) == "personal"
    assert main(["--db", db, "campaign", "new", "bad", "--title", "B", "--instrument",
                 "blocks", "--segments", " , "]) == 2
    assert "give at least one name" in capsys.readouterr().err


def test_a_bad_campaign_mode_or_segment_list_is_refused(store):
    with pytest.raises(StoreError) as e:
        store.create_campaign("x1", "X", "blocks", link_mode="secret",
                              segments=["ok", "x" * 101])
    text = str(e.value)
    assert "link_mode must be one of shared, personal" in text and "at most 100" in text
    camp = store.create_campaign("x2", "X", "blocks", segments="A, B, A")
    assert camp.segments == ("A", "B") and store.campaign("x2").segments == ("A", "B")


def test_a_link_type_is_told_apart_only_by_its_signature():
    secret = b"s" * 32
    link = Link("q1", "self", None, None, sign_link(secret, "q1", "self"))
    assert check_link(secret, link) == "shared"
    with pytest.raises(LinkError) as e:
        check_link(b"t" * 32, link)
    assert e.value.kind == "unsigned"
    with pytest.raises(ValueError):
        sign_link(b"short", "q1")  # a key too short to protect anything


def test_the_demo_prints_signed_links_that_open(sqlite_url, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the demo writes its benchmark file under ./data
    monkeypatch.delenv("FOCUSKIT_RESPONDENT_URL", raising=False)
    assert main(["--db", sqlite_url, "demo"]) == 0
    out = capsys.readouterr().out
    urls = [w for w in out.split() if w.startswith("http://127.0.0.1:8866/voila/render/")]
    assert any("campaign=demo-focus-levels&group=customer&sig=" in u for u in urls)
    with Store(sqlite_url) as s:
        for u in urls:
            got = opens(s, query_of(u))
            assert not isinstance(got, Problem), (u, got)


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(campaign=_TEXT, group=st.one_of(st.none(), _TEXT), segment=st.one_of(st.none(), _TEXT),
       code=st.one_of(st.none(), _TEXT), sig=st.one_of(st.none(), _TEXT))
def test_no_forged_link_passes_and_none_breaks_the_check(campaign, group, segment, code, sig):
    """Whatever a browser sends, the check refuses it in words (a LinkError), never crashes."""
    secret = b"k" * 32
    query = urlencode({k: v for k, v in dict(campaign=campaign, group=group, segment=segment,
                                             code=code, sig=sig).items() if v is not None})
    try:
        link = parse_link(query)
        check_link(secret, link)
    except LinkError:
        return
    # Only a signature made with the secret gets here, and nobody guessed one.
    raise AssertionError(f"a guessed link was taken: {query}")


def test_an_import_for_a_segment_outside_the_list_is_refused_by_row(store, camp, tmp_path):
    from focuskit import ImportFileError
    from focuskit.io.imports import import_file

    inst = load_instrument("focus-levels")
    lines = ["submission,rater_group,segment,item,facet,value"]
    for n, seg in ((1, "North"), (2, "West")):
        lines += [f"{n},customer,{seg},{i.id},level,2" for i in inst.items]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFileError) as e:
        import_file(store, path, "q1")
    assert "row 10, column 'segment', value 'West': this campaign takes only North, South" \
        in str(e.value)
    assert store.counts("q1")["submissions"] == 0


def test_a_browser_holding_a_stale_code_starts_afresh_on_a_good_shared_link(sqlite_url,
                                                                             monkeypatch):
    """A code a browser kept from before (unsigned, or from a store set up again) is dropped,
    not shown back, and the shared link still opens; without ``device`` it is refused."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    with Store(sqlite_url) as s:
        s.create_campaign("q1", "Q1", "focus-levels", rater_groups=["self"])
        s.save_draft("q1", "OldCode1234567890", {"expectations": {"level": 4}},
                     rater_group="self")
        url = shared_link(s, "q1", "self")
    app = QuestionnaireApp(sqlite_url)
    try:
        app.build(edit(url, code="OldCode1234567890", device="1"))
        assert app.problem is None and app.who.code_made_here
        assert app.who.code != "OldCode1234567890" and app.state.answers == {}
        app.build(edit(url, code="OldCode1234567890"))
        assert app.problem == Problem("unsigned")
        app.build(edit(url, code="OldCode1234567890", device="1", sig="A" * 16))
        assert app.problem == Problem("unsigned")  # the shared link must be good itself
    finally:
        app.store.close()


def test_a_lost_secret_is_made_again_by_the_store_never_by_a_respondent(db_url):
    import sqlalchemy as sa

    with Store(db_url) as s:
        s.create_campaign("q1", "Q1", "focus-levels", rater_groups=["self"])
        old = shared_link(s, "q1", "self")
        with s.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM meta WHERE key = 'link_secret'"))
        r = RespondentStore(db_url)
        try:
            # The respondent's kernel never makes a secret: its page says "try again later".
            assert opens(r, query_of(old)) == Problem("unavailable")
            fresh = s.link_secret()  # staff's store makes a new one, once
            with Store(db_url) as other:
                assert other.link_secret() == fresh
            assert refused(r, query_of(old))  # links signed with the lost one stop working
            assert not isinstance(opens(r, query_of(shared_link(s, "q1", "self"))), Problem)
        finally:
            r.close()
