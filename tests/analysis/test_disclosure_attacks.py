"""An attacker's review of disclosure control: a curious employee, a
hostile respondent and a careless admin each try to work out one person's answers (or the
size of a group of 1 to k-1) by combining what focuskit shows. Each test performs one attack
and asserts that it fails."""

import pandas as pd
import pytest

from focuskit import Store
from focuskit import analysis as fa
from focuskit.analysis import profile, respondents
from focuskit.analysis.anonymity import erase
from focuskit.apps.dashboard import DashboardState
from focuskit.apps.landing import landing_html
from focuskit.apps.roles import VIEWER
from focuskit.instruments import load_instrument

INSTRUMENT = load_instrument("focus-levels")
T0 = pd.Timestamp("2026-01-05 09:00", tz="UTC")


def _frame(people, k, items=("data",)):
    """people: (group, segment, value, seconds after T0[, items skipped]); one submission each,
    in the order given (the order the store numbered them)."""
    rows = []
    for s, p in enumerate(people, start=1):
        g, seg, v, t = p[:4]
        skipped = p[4] if len(p) > 4 else ()
        for item in items:
            if item in skipped:
                continue
            rows.append(dict(campaign="c", submission=s, respondent=f"r{s}", rater_group=g,
                             segment=seg, section="information", item=item, facet="level",
                             value=float(v), comment=None,
                             submitted_at=T0 + pd.Timedelta(seconds=t)))
    df = pd.DataFrame(rows)
    df.attrs.update(campaign="c", instrument="focus-levels", min_group_size=k)
    return df


def _shown(res, **match):
    """The released row of ``res`` matching ``match`` (or None)."""
    sel = res
    for c, v in match.items():
        sel = sel[sel[c].isna()] if v is None else sel[sel[c] == v]
    sel = sel[~sel["suppressed"]]
    return sel.iloc[0] if len(sel) else None


def _store(k=3, groups=("self", "customer")):
    store = Store("sqlite:///:memory:")
    store.create_campaign("cc", "t", "focus-levels", rater_groups=list(groups),
                          min_group_size=k)
    return store


def _answers(store, v):
    return {i.id: {"level": v} for i in store.campaign("cc").instrument.items}


# -- over time ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["store", "respondent"])
def test_an_answer_stamped_by_a_slow_clock_does_not_reshape_released_blocks(path, monkeypatch,
                                                                            tmp_path):
    # Three leaders without a segment answer 4, 4, 1 one by one: "self" shows n=3, mean 3.
    # A fourth leader (segment B) answers 2 through a server whose clock is 5 s behind. Were
    # it stamped by that clock, the replay would put them in a block with the first two:
    # "self" n=3, mean 3.33, and 10 - 9 = v4 - v3 = 1 gives their answer to respondent 3.
    # Arrival is commit order instead: stamped after everyone already stored.
    from focuskit.store import records, respondent
    from focuskit.store import store as store_module
    from focuskit.store.respondent import RespondentStore

    url = f"sqlite:///{tmp_path}/c.db"
    with Store(url) as store:
        store.create_campaign("cc", "t", "focus-levels", rater_groups=["self"],
                              min_group_size=3)
        for n, v in enumerate([4, 4, 1]):
            store.submit("cc", _answers(store, v), rater_group="self", respondent=f"r{n}")
        before = _shown(profile(store.responses("cc"), by="rater_group"), rater_group="self")
        slow = records.utc_now() - pd.Timedelta(seconds=5)
        for module in (store_module, respondent):
            monkeypatch.setattr(module, "utc_now", lambda: slow)
        if path == "store":
            store.submit("cc", _answers(store, 2), rater_group="self", segment="B",
                         respondent="r3")
        else:
            RespondentStore(url).submit("cc", _answers(store, 2), rater_group="self",
                                        segment="B", respondent="r3")
        df = store.responses("cc")
        after = _shown(profile(df, by="rater_group"), rater_group="self")
    stamps = df.drop_duplicates("submission").sort_values("submission")["submitted_at"]
    assert stamps.is_monotonic_increasing and stamps.is_unique
    assert before is not None and before["n"] == 3
    assert after is not None and (after["n"], after["mean"]) == (before["n"], before["mean"])


def test_an_import_cannot_backdate_answers():
    # A careless (or hostile) admin imports rows with an old submitted_at: the store stamps
    # them now, so they cannot be slotted in before answers already released.
    with _store() as store:
        store.submit_many("cc", [dict(answers=_answers(store, 3), rater_group="self")] * 3)
        first = store.responses("cc")["submitted_at"].max()
        store.submit_many("cc", [dict(answers=_answers(store, 5), rater_group="self",
                                     segment="B", submitted_at=T0)])
        late = store.responses("cc").query("segment == 'B'")["submitted_at"].min()
    assert late >= first


def test_a_latecomer_one_at_a_time_never_moves_a_released_figure():
    # k=3: three leaders answer (released), then a fourth, fifth, sixth one by one: every
    # view (group, segment, counts) is unchanged until a whole block of three has joined.
    people = [("self", "A", 4, 0), ("self", "A", 2, 1), ("self", "A", 5, 2),
              ("self", "B", 1, 3), ("self", "A", 3, 4), ("self", "B", 2, 5)]
    seen = []
    for m in range(3, len(people) + 1):
        df = _frame(people[:m], 3)
        for by in ("rater_group", "segment", ["rater_group", "segment"]):
            res = profile(df, by=by, instrument=INSTRUMENT)
            seen += [(int(r.n), float(r.mean)) for r in res[~res["suppressed"]].itertuples()]
        cnt = respondents(df, by=["rater_group", "segment"])
        seen += [(int(n), 0.0) for n in cnt.loc[~cnt["suppressed"], "n"]]
    sizes = {n for n, _ in seen}
    assert all(n >= 3 for n in sizes)
    assert all(abs(a - b) == 0 or abs(a - b) >= 3 for a in sizes for b in sizes)


# -- counts ------------------------------------------------------------------------------

def test_the_landing_page_total_beside_the_dashboard_does_not_pin_a_small_group():
    with _store(k=3) as store:
        store.submit_many("cc", [dict(answers=_answers(store, 3), rater_group="self")] * 4
                          + [dict(answers=_answers(store, 1), rater_group="customer")])
        page = landing_html(store, role=VIEWER)
        dash = DashboardState(store, "cc")
        total = respondents(dash.frame, by="rater_group").iloc[0]
    # The dashboard: "Respondents 4 · customer not shown". The landing page: "5 responses".
    assert total["n"] == 4
    assert "5 responses" not in page, "5 - 4 = 1 customer"


def test_the_workshop_live_count_does_not_give_a_small_groups_size():
    from focuskit.apps.workshop import WorkshopState

    with _store(k=3) as store:
        store.submit_many("cc", [dict(answers=_answers(store, 3), rater_group="self")] * 3
                          + [dict(answers=_answers(store, 1), rater_group="customer")])
        ws = WorkshopState(store, "cc")
        groups = ws.counts()["groups"]
    assert not any(n is not None and 0 < n < 3 for g, n in groups.items() if g != ws.room), \
        groups


def test_the_report_does_not_announce_a_latecomer_from_another_segment():
    from focuskit.report.content import build

    with _store(k=3) as store:
        store.submit_many("cc", [dict(answers=_answers(store, 3), rater_group="self",
                                      segment="Leadership team")] * 3)
        before = build(store, "cc").groups
        store.submit_many("cc", [dict(answers=_answers(store, 1), rater_group="self",
                                      segment="Board")])
        after = build(store, "cc").groups
    assert before == after, f"{before} then {after}"


# -- a stricter (or looser) minimum group --------------------------------------------------

def _two_segments(store):
    # k=3. Self: A 3, B 1 (one import: one block of 4). Customers: 3 in A.
    store.submit_many("cc", [dict(answers=_answers(store, v), rater_group="self", segment="A")
                             for v in (2, 3, 4)]
                      + [dict(answers=_answers(store, 5), rater_group="self", segment="B")]
                      + [dict(answers=_answers(store, 1), rater_group="customer", segment="A")
                         for _ in range(3)])


def test_a_dashboard_cannot_be_opened_below_the_campaigns_minimum_group():
    with _store(k=5) as store:
        store.submit_many("cc", [dict(answers=_answers(store, 3), rater_group="self")] * 3)
        with pytest.raises(ValueError):
            DashboardState(store, "cc", min_group=3).cards()


def test_a_stricter_dashboard_beside_the_campaigns_does_not_give_one_person_away():
    # k=3. Four leaders answer one by one. The campaign's dashboard shows self n=3 (the
    # fourth waits for two more); a dashboard opened with min_group=4 shows n=4 at the same
    # moment. 4 x mean4 - 3 x mean3 is the fourth leader's answer.
    with _store(k=3) as store:
        for v in (2, 3, 4, 5):
            store.submit("cc", _answers(store, v), rater_group="self")
        mine = respondents(DashboardState(store, "cc").frame, by="rater_group").iloc[0]
        strict = DashboardState(store, "cc", min_group=4)
        theirs = respondents(strict.frame, by="rater_group").iloc[0]
        a = profile(DashboardState(store, "cc").frame, by="rater_group")
        b = profile(strict.frame, by="rater_group")
    assert mine["n"] == 3
    sizes = {int(n) for n in (mine["n"], theirs["n"]) if not pd.isna(n)}
    assert all(abs(x - y) == 0 or abs(x - y) >= 3 for x in sizes for y in sizes), (
        f"self n={mine['n']} at k=3, n={theirs['n']} at k=4; item means "
        f"{a['mean'].iloc[0]:.3f} and {b['mean'].iloc[0]:.3f}")


# -- the workshop's "Include new answers" ----------------------------------------------------

def test_the_workshop_latecomer_does_not_change_the_revealed_figures():
    from focuskit.apps.workshop import WorkshopState

    with _store(k=3) as store:
        for v in (2, 4, 5):
            store.submit("cc", _answers(store, v), rater_group="self")
        ws = WorkshopState(store, "cc")
        ws.reveal()
        before = ws.results().agenda.copy()
        store.submit("cc", _answers(store, 1), rater_group="self")  # the latecomer
        res = ws.results(refresh=True)  # "Include new answers"
        after = res.agenda
        assert (res.n, res.waiting) == (3, 1)
        pd.testing.assert_frame_equal(before.reset_index(drop=True),
                                      after.reset_index(drop=True))
        for v in (3, 3):  # two more: a whole block of three has joined
            store.submit("cc", _answers(store, v), rater_group="self")
        assert ws.results(refresh=True).n == 6


# -- every filter the dashboard offers, side by side ------------------------------------------

def test_every_dashboard_filter_side_by_side_gives_no_small_difference():
    # The first finding, on the dashboard: 8 leaders in "Leadership team", 1 without a
    # segment; 5 customers in North, 1 in South; k=5. Every selection the pickers offer, its
    # cards and its profile: no two self (or customer) counts may differ by 1 to 4.
    with _store(k=5) as store:
        subs = [("self", "Leadership team", 4)] * 8 + [("self", None, 1)] \
            + [("customer", "North", 3)] * 5 + [("customer", "South", 5)]
        store.submit_many("cc", [dict(answers=_answers(store, v), rater_group=g, segment=s)
                                 for g, s, v in subs])
        dash = DashboardState(store, "cc")
        seen = {}
        for seg in ["All", *dash.segments]:
            for grp in ["All", *dash.groups]:
                dash.set_filters(segment=seg, rater_group=grp)
                cnt = respondents(dash.frame, by="rater_group", where=dash.where)
                for r in cnt.iloc[1:].itertuples():
                    if not r.suppressed:
                        seen.setdefault(r.rater_group, set()).add(int(r.n))
                prof = dash.result("profile")
                for r in prof[~prof["suppressed"]].itertuples():
                    seen.setdefault(r.rater_group, set()).add(int(r.n))
                dash.cards()
    for g, sizes in seen.items():
        assert all(a == b or abs(a - b) >= 5 for a in sizes for b in sizes), (g, sizes)
    assert seen["self"] == {9} and seen["customer"] == {6}


# -- items some people skip -----------------------------------------------------------------

def test_a_count_filtered_to_an_item_does_not_single_out_who_skipped_it():
    # k=3: four leaders, one skipped "budgets". Counts per item (where item=) beside the
    # overall count would say one person skipped, and a figure over both items would move.
    people = [("self", "A", 4, 0), ("self", "A", 2, 0), ("self", "A", 5, 0),
              ("self", "A", 1, 0, ("budgets",))]
    df = _frame(people, 3, items=("data", "budgets"))
    every = respondents(df, by="rater_group")
    some = respondents(df, by="rater_group", where={"item": "budgets"})
    sizes = {int(n) for n in pd.concat([every, some]).query("~suppressed")["n"]}
    assert all(a == b or abs(a - b) >= 3 for a in sizes for b in sizes), sizes
    prof = profile(df, by="rater_group", instrument=INSTRUMENT)
    shown = prof[~prof["suppressed"]]
    assert set(shown["n"]) <= {3, 4}


def test_a_score_over_several_items_does_not_mix_people_who_skipped():
    # The benchmark's overall level averages a person's items: with one leader who skipped
    # "budgets", overall (4 people on data, 3 on budgets) beside the per-item means would
    # solve for the skipper's "data" answer. It must stay withheld.
    people = [("self", None, v, 0) for v in (4, 2, 5)] + [("self", None, 1, 0, ("budgets",))]
    df = _frame(people, 3, items=("data", "budgets"))
    res = fa.benchmark(df, fa.load_benchmark())
    overall = res[res["scope"] == "overall"]
    assert overall["suppressed"].all(), overall


# -- edge cases: no crash, no released NaN ---------------------------------------------------

@pytest.mark.parametrize("subs", [
    [],  # an empty campaign
    [("self", None, 3), ("customer", None, 2)],  # everyone held back
    [("self", "A", 3)] * 3 + [("self", "B", 4)] * 3,  # one group only
    [("self", None, 3)] * 3 + [("customer", "North", 1)],  # a lone customer
], ids=["empty", "all-held-back", "one-group", "lone-customer"])
def test_edge_cases_neither_crash_nor_release_a_blank(subs):
    from focuskit.report.content import build

    with _store(k=3, groups=("self", "customer")) as store:
        if subs:
            store.submit_many("cc", [dict(answers=_answers(store, v), rater_group=g, segment=s)
                                     for g, s, v in subs])
        df = store.responses("cc")
        for res in (profile(df, by="rater_group"), fa.agreement(df), fa.rwg(df),
                    respondents(df, by=["rater_group", "segment"])):
            shown = res[~res["suppressed"]]
            for col in ("mean", "n", "rwg"):
                if col in shown:
                    assert not shown[col].isna().any(), (col, shown)
        dash = DashboardState(store, "cc")
        cards = dash.cards()
        assert cards and cards[0][0] == "Respondents"
        for seg in dash.segments:
            dash.set_filters(segment=seg)
            dash.cards()
        groups = dict(build(store, "cc").groups)
        for shown in groups.values():
            assert shown in ("none yet", "withheld", "n < 3 (withheld)") or int(shown) >= 3


# -- erasure ---------------------------------------------------------------------------------

def _sizes(store):
    frame = store.responses("cc")
    out = set()
    for by in ("rater_group", "segment", ["rater_group", "segment"]):
        res = profile(frame, by=by)
        out |= {int(n) for n in res.loc[~res["suppressed"], "n"]}
        cnt = respondents(frame, by=by)
        out |= {int(n) for n in cnt.loc[~cnt["suppressed"], "n"]}
    return out


def test_figures_before_and_after_an_erasure_differ_by_whole_blocks():
    # k=3, leaders one by one: A, A, B, A, B, B. Erase the last B: every figure by group,
    # segment or both, and every count, before and after, differ by 0 or at least 3.
    with _store(k=3) as store:
        for n, (seg, v) in enumerate([("A", 2), ("A", 3), ("B", 5), ("A", 4), ("B", 1),
                                      ("B", 2)], start=1):
            store.submit("cc", _answers(store, v), rater_group="self", segment=seg,
                         respondent=f"code-{n:02d}-abcdefghijklmnop")
        before = _sizes(store)
        erase(store, "cc", "code-06-abcdefghijklmnop")
        after = _sizes(store)
    sizes = before | after
    assert all(a == b or abs(a - b) >= 3 for a in sizes for b in sizes), (before, after)


def test_the_landing_page_after_an_erasure_does_not_pin_the_withheld():
    with _store(k=3) as store:
        for n, v in enumerate((2, 3, 4, 5, 1, 2), start=1):
            store.submit("cc", _answers(store, v), rater_group="self",
                         respondent=f"code-{n:02d}-abcdefghijklmnop")
        erase(store, "cc", "code-06-abcdefghijklmnop")
        shown = respondents(DashboardState(store, "cc").frame, by="rater_group").iloc[0]
        page = landing_html(store, role=VIEWER)
    assert shown["n"] == 3
    assert "5 responses" not in page, "5 - 3 = 2 withheld with the erased one"


def test_the_dashboard_downloads_under_every_filter_hold_no_small_set():
    # The first finding's organisation (k=5): whatever filters are picked, every released
    # count in the downloadable tables is about 6 customers, 9 leaders, or all 15.
    with _store(k=5) as store:
        subs = [("self", "Leadership team", 4)] * 8 + [("self", None, 1)] \
            + [("customer", "North", 3)] * 5 + [("customer", "South", 5)]
        store.submit_many("cc", [dict(answers=_answers(store, v), rater_group=g, segment=s)
                                 for g, s, v in subs])
        dash = DashboardState(store, "cc", base=fa.load_benchmark())
        counts = set()
        for seg in ["All", *dash.segments]:
            for grp in ["All", *dash.groups]:
                dash.set_filters(segment=seg, rater_group=grp)
                for name, table in dash.tables().items():
                    shown = table[~table["suppressed"].astype(bool)]
                    for col in [c for c in shown if c in ("n", "n_self", "n_other", "n_a",
                                                           "n_b")]:
                        counts |= {(name, int(x)) for x in shown[col].dropna()}
                assert dash.download("csv")
    assert {n for _, n in counts} <= {6, 9, 15}, sorted(counts)


def test_a_dashboard_read_during_an_import_does_not_single_out_the_last_rows(monkeypatch):
    import focuskit.store.store as store_module

    # Chunks of 3 stand for the store's chunks of 250 (the same code path, faster).
    monkeypatch.setattr(store_module, "CHUNK", 3)
    monkeypatch.setattr(store_module, "PAUSE", 0.0)
    seen = []
    with _store(k=3) as store:
        def peek(done, total):  # a viewer refreshing the dashboard while the file goes in
            if done < total:
                seen.append(_shown(profile(store.responses("cc"), by="rater_group"),
                                   rater_group="self", item="data"))
        rows = [dict(answers=_answers(store, v), rater_group="self", segment="A")
                for v in (2, 3, 4)] + [dict(answers=_answers(store, 1), rater_group="self",
                                            segment="B")]
        store.submit_many("cc", rows, progress=peek)
        final = _shown(profile(store.responses("cc"), by="rater_group"), rater_group="self",
                       item="data")
    mid = seen[0]
    assert mid is not None and final is not None
    # mid: n=3, mean 3 (the A rows); final: n=4, mean 2.5: 4 x 2.5 - 3 x 3 = 1, the B row.
    assert final["n"] - mid["n"] == 0 or abs(final["n"] - mid["n"]) >= 3, (
        f"during: n={mid['n']} mean={mid['mean']}; after: n={final['n']} mean={final['mean']}")


def test_a_careless_admin_cannot_lower_the_minimum_group_once_answers_are_in():
    # Figures at k=5 before and k=3 after, built on different blocks, could be differenced.
    from focuskit.errors import StoreError

    with _store(k=5) as store:
        store.submit("cc", _answers(store, 3), rater_group="self")
        with pytest.raises(StoreError):
            store.set_min_group_size("cc", 3)
        with pytest.raises(ValueError):
            profile(store.responses("cc"), by="rater_group", min_group=3)


@pytest.mark.parametrize("inst", ["say-do", "expectations"])
def test_say_do_and_priorities_under_every_filter_hold_no_small_set(inst):
    # The first finding's organisation on the say-do and expectations instruments: every
    # where= and by= the API takes releases figures about 6 customers, 9 leaders or all 15.
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("cc", "t", inst, rater_groups=["self", "customer"],
                              min_group_size=5)
        ins = store.campaign("cc").instrument
        subs = [("self", "Leadership team")] * 8 + [("self", None)] \
            + [("customer", "North")] * 5 + [("customer", "South")]
        store.submit_many("cc", [
            dict(answers={it.id: {f.id: 1 + (n * 3 + j) % 5 for j, f in enumerate(ins.facets)}
                          for it in ins.items}, rater_group=g, segment=s)
            for n, (g, s) in enumerate(subs)])
        df = store.responses("cc")
    run = fa.say_do if inst == "say-do" else fa.importance_performance
    sizes = set()
    for where in (None, {"segment": "Leadership team"}, {"segment": "North"},
                  {"segment": "South"}, {"segment": ["North", "South"]},
                  {"segment": ["Leadership team", "North"]}, {"rater_group": "customer"}):
        for by in ("rater_group", "segment", None):
            res = run(df, where=where, by=by) if by else run(df, where=where)
            shown = res[~res["suppressed"].astype(bool)]
            sizes |= {int(x) for x in shown["n"].dropna()}
    assert sizes <= {6, 9, 15}, sorted(sizes)
