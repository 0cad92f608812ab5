"""The programme report: executive summary first, every lens, trend and actions, in the same
sentences as the programme summary; PDF pages portrait and whole on A4 and Letter."""

import re
import shutil
import subprocess
from types import SimpleNamespace as NS

import matplotlib.pyplot as plt
import pytest

from focuskit import Store
from focuskit import findings as ff
from focuskit.demo import seed_store
from focuskit.findings.model import Finding
from focuskit.report.programme import from_summary, programme_html, programme_pdf

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) is not installed")
#: The demo's campaigns per lens, in the lenses' order (one left out: a lens with no campaign).
LENSES = [("focus-levels", "demo-focus-levels"), ("blocks", "demo-blocks"),
          ("say-do", "demo-say-do"), ("expectations", "demo-expectations"),
          ("external-focus", None), ("contact-programme", "demo-contact-review")]


def stand_in(store) -> NS:
    """A summary shaped as ``findings.programme.summary``'s, from the campaign findings."""
    lenses = []
    for inst, cid in LENSES:
        if cid is None:
            lenses.append(NS(instrument=inst, title="Our external focus", question="Q",
                             campaign=None, waves=[], missing=True, read_from=None, findings=[
                                 Finding("missing", "This programme has no external-focus "
                                         "campaign yet.")]))
            continue
        camp = store.campaign(cid)
        res = ff.Results(store.responses(cid), camp.instrument)
        found = []
        for key in ff.sections(inst):
            found += ff.collect(res, key)[:2]
        lenses.append(NS(instrument=inst, title=camp.instrument.title, question="Q",
                         campaign=cid, waves=[cid], missing=False, read_from=cid,
                         findings=found))
    effect = Finding("action-effect", "Contact rose more than the rest: it worked.",
                     {"verdict": "worked"})
    actions = [dict(id=1, campaign="demo-focus-levels", title="Visit ten customers", owner="COO",
                    due="2026-01-05", status="open", item="contact", section=None,
                    lens="focus-levels", overdue=True, effect=effect)]
    return NS(programme=NS(id="demo-alder-valley", title="Alder Valley programme",
                           organisation="Alder Valley Utilities"), lenses=lenses,
              freshness="answers up to 10:00 UTC, 180 respondents", trends={}, trend=[],
              trend_by_lens={},
              actions=actions)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('programme')}/demo.db"
    with Store(url) as store:
        seed_store(store)
        yield store


@pytest.fixture(scope="module")
def one_wave(demo):
    summary = stand_in(demo)
    return summary, from_summary(demo, summary)


def pdf_text(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, as pdftotext reads it (lines joined: sentences wrap)."""
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [" ".join(p.split()) for p in out.split("\f") if p.strip()]


def squash(s: str) -> str:
    return " ".join(s.split())


def test_html_summary_first_then_every_lens(one_wave):
    summary, rep = one_wave
    html = programme_html(report=rep)
    summary_at = html.index("<h2>Executive summary</h2>")
    assert summary_at < min(html.index(f"<h2>{lens.title}</h2>") for lens in summary.lenses
                            if not lens.missing)
    from html import escape

    for lens in summary.lenses:  # every lens's headline, in the summary's very words
        head = next(f for f in lens.findings if f.kind not in ("next-step",))
        assert escape(head.sentence) in html[summary_at:html.index("<section class='lens'")]
        for f in lens.findings:
            assert escape(f.sentence) in html, (lens.instrument, f.sentence)
    assert "This programme has no external-focus campaign yet." in html
    # A chart per lens with a campaign, each with alt text saying what it shows.
    alts = re.findall(r"<img class='fk-plot' alt='([^']+)'", html)
    assert len(alts) == 5 and all(a.startswith("Chart for ") for a in alts)
    assert "Contact rose more than the rest: it worked." in html
    assert "<span class='overdue'>overdue</span>" in html


def test_one_wave_has_no_trend_but_says_so(one_wave):
    _, rep = one_wave
    html = programme_html(report=rep)
    assert not rep.trends and "Only one wave so far: no trend yet." in html
    assert html.count("Only one wave so far") == 2  # the summary's line and the section's


@needs_pdftotext
def test_pdf_pages_say_what_the_html_says(one_wave, tmp_path):
    summary, rep = one_wave
    before = set(plt.get_fignums())
    pdf = programme_pdf(report=rep)
    assert set(plt.get_fignums()) == before  # every figure closed
    pages = pdf_text(pdf, tmp_path)
    first = pages[0]
    assert first.startswith("Alder Valley Utilities") and "Programme report" in first
    assert re.search(r"report made \d{4}-\d\d-\d\d \d\d:\d\d UTC", first)
    assert "Answers up to 10:00 UTC, 180 respondents" in first
    for heading in ("Where we stand, lens by lens", "What changed since the last wave",
                    "Which actions worked", "What to do first"):
        assert heading in first
    text = " ".join(pages)
    for lens in summary.lenses:
        for f in lens.findings:
            assert squash(f.sentence) in text, (lens.instrument, f.sentence)
    assert "OVERDUE" in text and "Did it work? Contact rose more than the rest" in text
    # All portrait A4; nothing within 0.35 in of the top or the foot, so Letter keeps it all.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}


@needs_pdftotext
def test_pdf_text_stays_inside_letter(one_wave, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(programme_pdf(report=one_wave[1]))
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    ys = [(float(a), float(b)) for a, b in re.findall(r'yMin="([\d.]+)"[^>]*yMax="([\d.]+)"',
                                                      html)]
    xs = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    assert ys and min(y0 for y0, _ in ys) >= 0.345 * 72
    assert max(y1 for _, y1 in ys) <= 842 - 0.345 * 72
    assert max(xs) <= 8.27 * 72 - 0.5 * 72  # inside the right margin on both sheets


def test_cli_unknown_programme_is_a_clear_error(demo, tmp_path, capsys):
    from focuskit.cli import main

    out = tmp_path / "p.pdf"
    assert main(["--db", demo.url, "report", "--programme", "nope", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no programme 'nope'" in err and "Traceback" not in err
    assert not out.exists()
    # Neither a campaign nor a programme, or both: said, not guessed.
    assert main(["--db", demo.url, "report"]) == 2
    assert "name a campaign" in capsys.readouterr().err
    assert main(["--db", demo.url, "report", "demo-blocks", "--programme", "x"]) == 2
    assert "not both" in capsys.readouterr().err


# -- the demo programme through the real summary -------------------------------------------
def flat(s: str) -> str:
    """Without any whitespace: a PDF line may break a sentence at a space or a hyphen."""
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def alder(demo):
    pytest.importorskip("focuskit.findings.trend")
    from focuskit.demo import PROGRAMME
    from focuskit.findings.programme import summary
    from focuskit.report.programme import build_programme

    return summary(demo, PROGRAMME), build_programme(demo, PROGRAMME)


@pytest.fixture(scope="module")
def alder_html(alder):
    return programme_html(report=alder[1])


@pytest.fixture(scope="module")
def alder_pdf(alder):
    return programme_pdf(report=alder[1])


def said(summary) -> list[str]:
    """Every sentence of the summary: each lens's findings, the trend, the actions' verdicts."""
    out = [f.sentence for lens in summary.lenses for f in lens.findings]
    out += [f.sentence for f in summary.trend]
    return out + [a["effect"].sentence for a in summary.actions if a["effect"] is not None]


def test_demo_report_lays_out_the_summarys_own_sentences(alder, alder_html):
    from html import escape

    summary, rep = alder
    # The trend is the summary's, lens by lens, in its order and words.
    assert [f.sentence for t in rep.trends for f in t.findings] == \
        [f.sentence for f in summary.trend]
    html = alder_html
    first_lens = html.index("<section class='lens'")
    assert html.index("<h2>Executive summary</h2>") < first_lens
    for lens in summary.lenses:
        assert escape(lens.headline.sentence) in html, lens.instrument
    for s in said(summary):
        assert escape(s) in html, s
    # The summary page: where we stand, what changed and which actions worked, first.
    top = html[:first_lens]
    assert any(escape(f.sentence) in top for f in summary.trend if f.kind == "trend")
    verdicts = [a["effect"] for a in summary.actions if a["effect"] is not None]
    assert {"worked", "did not work"} <= {f.numbers["verdict"] for f in verdicts}
    assert any(escape(f.sentence) in top for f in verdicts
               if f.numbers["verdict"] == "worked")
    # Trend charts with alt text; every overdue action marked.
    assert html.count("alt='Chart") >= 6 + len(rep.trends)
    assert html.count("<span class='overdue'>overdue</span>") == \
        sum(a["overdue"] for a in summary.actions) >= 1


@needs_pdftotext
def test_demo_pdf_summary_first_and_every_sentence(alder, alder_pdf, tmp_path):
    summary, rep = alder
    pages = pdf_text(alder_pdf, tmp_path)
    first = pages[0]
    assert "Programme report" in first and "report made" in first
    assert summary.freshness[:1].upper() + summary.freshness[1:] in first
    for heading in ("Where we stand, lens by lens", "What changed since the last wave",
                    "Which actions worked", "What to do first"):
        assert heading in first
    whole = flat(" ".join(pages))
    for s in said(summary):
        assert flat(s) in whole, s
    assert any(flat(f.sentence) in flat(first) for f in summary.trend if f.kind == "trend")
    assert "OVERDUE" in " ".join(pages)
    for k, page in enumerate(pages[1:], 2):  # every page numbered and dated
        assert f"page {k} of {len(pages)}" in page and "report made" in page


def test_one_wave_programme_has_no_trend_and_names_its_missing_lenses(demo):
    pytest.importorskip("focuskit.findings.trend")
    from focuskit.findings.programme import summary
    from focuskit.report.programme import build_programme

    camp = demo.create_campaign("solo-blocks", "Blocks, once", "blocks",
                                organisation="Solo Ltd", rater_groups=["self"])
    inst = camp.instrument
    for k in range(6):
        demo.submit(camp.id, {i.id: {f: inst.facet(f).scale.values[k % len(
            inst.facet(f).scale.values)] for f in i.facets} for i in inst.items},
            rater_group="self", respondent=f"s{k}")
    demo.create_programme("solo", "Solo's programme", organisation="Solo Ltd")
    demo.add_to_programme("solo", camp.id)
    rep = build_programme(demo, "solo")
    assert not rep.trends and not rep.has_trend
    html = programme_html(report=rep)
    assert "Only one wave so far: no trend yet." in html
    assert "<h3>Blocks" not in html[html.index("id='trend'"):]
    missing = [lens for lens in summary(demo, "solo").lenses if lens.missing]
    assert len(missing) == 5
    for lens in missing:  # one line each, in the summary's words
        assert escape_(lens.findings[0].sentence) in html
    assert html.count("<img ") == 1  # the blocks chart, no trend chart


def escape_(s: str) -> str:
    from html import escape

    return escape(s)


@pytest.mark.browser
def test_html_prints_whole_on_a4_and_letter(alder_html, chromium):
    """Chromium opens the HTML report: no serious accessibility fault, and Ctrl+P prints it
    portrait on A4 and on Letter with nothing past the right margin."""
    from axe import check_page
    from conftest import ARTIFACTS

    html = alder_html
    for width in (1280, 390):
        page = chromium.new_page(viewport={"width": width, "height": 900})
        try:
            page.set_content(html, wait_until="load")
            from playwright.sync_api import expect

            expect(page.locator("img.fk-plot")).to_have_count(html.count("<img "))
            expect(page.locator("h2").first).to_have_text("Executive summary")
            page.screenshot(path=str(ARTIFACTS / f"programme-report-{width}.png"),
                            full_page=True)
            if width == 1280:
                check_page(page, "programme-report")
                prints(page, ARTIFACTS)
            else:  # a phone: nothing wider than the screen
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        finally:
            page.close()


def prints(page, artifacts) -> None:
    """Ctrl+P on A4 and on Letter: nothing wider than the sheet, every sheet portrait and of
    that size, no chart taller than a sheet. (paper.check_print also bounds the number of
    sheets by the page's height: a report whose charts are kept whole across sheet breaks
    needs more.)"""
    from paper import MARGIN_MM, PX_PER_MM, SHEETS, pdf_pages

    page.emulate_media(media="print")
    try:
        for fmt, (w_mm, h_mm) in SHEETS.items():
            width = int((w_mm - 2 * MARGIN_MM) * PX_PER_MM)
            height = (h_mm - 2 * MARGIN_MM) * PX_PER_MM
            page.set_viewport_size({"width": width, "height": int(height)})
            page.wait_for_timeout(300)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, fmt
            tall = page.evaluate("[...document.querySelectorAll('img.fk-plot')]"
                                 ".map(i => i.getBoundingClientRect().height)")
            assert tall and max(tall) <= height, (fmt, tall)
            pdf = page.pdf(format=fmt, print_background=True)
            (artifacts / f"print-programme-report-{fmt}.pdf").write_bytes(pdf)
            want = (w_mm * 72 / 25.4, h_mm * 72 / 25.4)
            sheets = pdf_pages(pdf)
            assert sheets and all(abs(w - want[0]) < 2 and abs(h - want[1]) < 2
                                  for w, h in sheets), (fmt, sheets)
    finally:
        page.emulate_media(media="screen")


def test_cli_says_a_missing_folder_before_building(demo, capsys):
    from focuskit.cli import main

    assert main(["--db", demo.url, "report", "--programme", "demo-alder-valley", "-o",
                 "/no/such/folder/p.pdf"]) == 2
    err = capsys.readouterr().err
    assert "there is no folder /no/such/folder" in err and "Traceback" not in err


def test_empty_programme_and_hostile_titles(demo):
    from focuskit.report.programme import build_programme

    pytest.importorskip("focuskit.findings.trend")
    demo.create_programme("bare", "Nothing yet", organisation="Bare <b>Org</b>")
    camp = demo.create_campaign("bare-blocks", "No answers yet", "blocks",
                                organisation="Bare <b>Org</b>", rater_groups=["self"])
    demo.add_to_programme("bare", camp.id)
    demo.add_action(camp.id, "Fix it <script>alert('x')</script> now", owner="O'Brien")
    rep = build_programme(demo, "bare")
    html = programme_html(report=rep)
    assert "<script>" not in html and "<b>Org</b>" not in html
    assert "Not judged yet: its campaign has no answers to judge it by." in html
    assert html.count("<img ") == 0  # nothing answered: no chart
    assert programme_pdf(report=rep).startswith(b"%PDF")
