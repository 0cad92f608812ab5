"""The executive report: pages, readings written from the numbers, anonymity, HTML and CLI."""

import re

import matplotlib.pyplot as plt
import pytest

from focuskit import Store
from focuskit.cli import main
from focuskit.demo import seed_store
from focuskit.errors import StoreError
from focuskit.report import build, html_text, pdf_bytes, write_report

#: Pages per demo campaign: the summary, one per analysis, next steps and actions.
PAGES = {"demo-focus-levels": 6, "demo-say-do": 4, "demo-blocks": 3, "demo-expectations": 3,
         "demo-external-focus": 3, "demo-contact-review": 3}


def n_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('report')}/demo.db"
    with Store(url) as store:
        seed_store(store)
        store.add_action("demo-focus-levels", "Review the executive visit programme",
                         owner="COO", item="contact")
        yield store


@pytest.fixture(scope="module")
def small():
    """Six leaders and two customers: the customers' figures must stay withheld (k = 5)."""
    store = Store("sqlite:///:memory:")
    store.create_campaign("small", "A small round", "focus-levels", organisation="Tiny Ltd",
                          rater_groups=["self", "customer"], min_group_size=5)
    items = [i.id for i in store.campaign("small").instrument.items]
    for k in range(8):
        group = "self" if k < 6 else "customer"
        store.submit("small", {i: {"level": 1 + (k + j) % 5} for j, i in enumerate(items)},
                     rater_group=group, respondent=f"p{k}")
    store.create_campaign("empty", "Nobody has answered yet", "blocks")
    yield store
    store.close()


@pytest.fixture(scope="module")
def levels_pdf(demo):
    return pdf_bytes(demo, "demo-focus-levels")


def test_pdf_has_a_page_per_analysis(levels_pdf):
    assert levels_pdf.startswith(b"%PDF")
    assert n_pages(levels_pdf) == PAGES["demo-focus-levels"]


@pytest.mark.slow
@pytest.mark.parametrize("campaign", [c for c in PAGES if c != "demo-focus-levels"])
def test_every_demo_campaign_renders(demo, campaign):
    pdf = pdf_bytes(demo, campaign)
    assert pdf.startswith(b"%PDF") and n_pages(pdf) == PAGES[campaign]


def test_readings_are_written_from_the_numbers(demo):
    for campaign in PAGES:
        report = build(demo, campaign)
        assert len(report.sections) == PAGES[campaign] - 1
        for sec in report.sections[:-1]:
            assert 2 <= len(sec.readings) <= 3, (campaign, sec.key, sec.readings)
            assert re.search(r"\d", " ".join(sec.readings)), (campaign, sec.key)
        assert 1 <= len(report.headlines) <= 4
    gaps = {s.key: s for s in build(demo, "demo-focus-levels").sections}["outside"]
    assert gaps.readings[0] == ("Customers rate Contact 1.7 lower than our own people do (2.3 "
                                "against 4.0): clear difference; a blind spot: we think better "
                                "of ourselves than customers do.")
    assert "Welch's t" in gaps.details[0] and "Welch" not in gaps.readings[0]
    say_do = build(demo, "demo-say-do").sections[0].readings
    assert "a gap of 1.2 points" in say_do[0] and "Processes (1.6)" in say_do[1]
    # 'percentile' is the share of the base we do better than: with a gap, a narrower one.
    bench = build(demo, "demo-say-do").sections[1].readings[0]
    assert bench.startswith("Our Say-Do gap is narrower than 29% of the 300")


def test_next_steps_and_action_register(demo):
    last = build(demo, "demo-focus-levels").sections[-1]
    assert last.key == "next"
    assert last.readings[0].startswith("Innovation (now 2.2, between Casual and Moderate): "
                                       "move toward Moderate.")
    title, header, rows = last.table
    # The demo's own register comes first; the action this module's fixture adds is in it.
    assert ["Review the executive visit programme", "COO", "", "open", "Contact"] in [
        r[1:] for r in rows]
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]


def test_html_has_headings_images_and_readings(demo):
    html = html_text(demo, "demo-focus-levels")
    assert html.startswith("<!doctype html>")
    for heading in ("Customer focus report", "Where we stand", "Where we disagree",
                    "Customers, partners and us", "How we compare", "Next steps and actions"):
        assert f">{heading}</h" in html
    assert html.count("<img ") == 4 and html.count("data:image/png;base64,") == 4
    assert html.count("Three things to read from it") == 3  # the benchmark page has two
    assert "<summary>Statistics</summary>" in html and "Answers up to" not in html[:0]
    assert "Review the executive visit programme" in html


def test_withheld_group_says_n_below_k(small):
    report = build(small, "small")
    assert ("Customers", "n < 5 (withheld)") in report.groups
    gaps = {s.key: s for s in report.sections}["outside"]
    assert "Fewer than 5 people answered for customers" in gaps.readings[0]
    assert all("2.0" not in r and "customers average" not in r.lower()
               for s in report.sections for r in s.readings if "ustomer" in r
               and "withheld" not in r)
    before = set(plt.get_fignums())
    pdf = pdf_bytes(small, "small")
    assert pdf.startswith(b"%PDF") and n_pages(pdf) == 1 + len(report.sections)
    assert "n &lt; 5" in html_text(small, "small")
    assert set(plt.get_fignums()) == before  # every figure closed


def test_unknown_campaign_is_a_store_error(small):
    with pytest.raises(StoreError, match="no campaign 'nope'"):
        pdf_bytes(small, "nope")
    with pytest.raises(StoreError):
        html_text(small, "nope")


def test_write_report_picks_the_format(small, tmp_path):
    pdf = write_report(small, "empty", tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and n_pages(pdf) == 2  # the summary, next steps
    html = write_report(small, "empty", tmp_path / "r.html").read_text()
    assert html.startswith("<!doctype") and "No answers yet" in html
    assert write_report(small, "empty", tmp_path / "r.x", format="html").read_text() \
        .startswith("<!doctype")
    with pytest.raises(ValueError, match="format"):
        write_report(small, "empty", tmp_path / "r.doc", format="doc")


def test_cli_report(demo, tmp_path, capsys):
    out = tmp_path / "ext.pdf"
    assert main(["--db", demo.url, "report", "demo-external-focus", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and str(out) in capsys.readouterr().out
    html = tmp_path / "ext.html"
    assert main(["--db", demo.url, "report", "demo-external-focus", "--out", str(html)]) == 0
    assert "<img " in html.read_text()
    assert main(["--db", demo.url, "report", "no-such", "--out", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert "no campaign 'no-such'" in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("campaign", ["demo-blocks", "demo-say-do"])
def test_every_page_is_a4_portrait(demo, campaign):
    """One orientation: the blocks page was landscape among portrait pages (issue 11)."""
    pdf = pdf_bytes(demo, campaign)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}


def test_report_is_dated_and_names_its_base(demo):
    from focuskit.demo import demo_base

    rep = build(demo, "demo-focus-levels", base=demo_base())
    facts = dict(rep.facts)
    assert re.fullmatch(r"Answers up to (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC, 60 respondents", facts["Answers"])
    bench = {s.key: s for s in rep.sections}["benchmark"]
    assert "synthetic demo base" in bench.lead and "synthetic demo base" in bench.readings[0]
    html = html_from_report(rep)
    assert "synthetic demo base" in html and "Answers up to" in html or "answers up to" in html


def html_from_report(rep):
    from focuskit.report.render import html_from

    return html_from(rep)


def test_no_actions_yet_is_said_in_plain_words(small):
    rep = build(small, "small")
    from focuskit.report.render import html_from

    assert "Store.add_action" not in html_from(rep)
