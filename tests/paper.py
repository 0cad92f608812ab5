"""Printing a page from Chromium, as Ctrl+P does: on A4 and on Letter, portrait.

``check_print(page, name)`` lays the page out at each sheet's width under print media and
checks that nothing reaches past the right margin and no plot is taller than a sheet, prints
it to PDF (test-artifacts/print-NAME-A4.pdf, ...), and checks that the PDF has portrait sheets
of that size, enough of them to hold the whole page (one sheet was the old failure) and no
more than one beyond that (a blank sheet)."""

from __future__ import annotations

import math
import re

from conftest import ARTIFACTS

MARGIN_MM = 12  # the print stylesheets' @page margin
SHEETS = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
PX_PER_MM = 96 / 25.4


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, read from the page objects of Chromium's PDF."""
    out = []
    for body in re.findall(rb"\d+ 0 obj\s*<<(.*?)endobj", pdf, re.S):
        box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", body)
        if box and re.match(rb"\s*/Type\s*/Page\b(?!s)", body):
            x0, y0, x1, y1 = map(float, box.groups())
            out.append((x1 - x0, y1 - y0))
    return out


def check_print(page, name: str) -> dict[str, int]:
    """Print ``page`` on A4 and Letter; return the number of sheets for each."""
    size = page.viewport_size
    got = {}
    page.emulate_media(media="print")
    try:
        for fmt, (w_mm, h_mm) in SHEETS.items():
            width = int((w_mm - 2 * MARGIN_MM) * PX_PER_MM)
            height = (h_mm - 2 * MARGIN_MM) * PX_PER_MM
            page.set_viewport_size({"width": width, "height": int(height)})
            page.wait_for_timeout(300)  # the layout follows the new width
            laid = page.evaluate("""W => {
              const out = {wide: [], tall: [], height: document.documentElement.scrollHeight,
                           scroll: document.documentElement.scrollWidth};
              for (const e of document.querySelectorAll('body *')) {
                const b = e.getBoundingClientRect();
                if (b.width > 0 && b.height > 0 && b.right > W + 1)
                  out.wide.push(e.tagName + '.' + String(e.className).slice(0, 60));
              }
              for (const i of document.querySelectorAll('img.fk-plot'))
                out.tall.push(i.getBoundingClientRect().height);
              return out }""", width)
            assert laid["scroll"] <= width + 1 and not laid["wide"], \
                f"{name} on {fmt}: wider than the sheet ({width} px): {laid['wide'][:5]}"
            assert all(h <= height for h in laid["tall"]), \
                f"{name} on {fmt}: a plot taller than the sheet: {laid['tall']}"
            pdf = page.pdf(format=fmt, print_background=True)
            (ARTIFACTS / f"print-{name}-{fmt}.pdf").write_bytes(pdf)
            sheets = pdf_pages(pdf)
            want = (w_mm * 72 / 25.4, h_mm * 72 / 25.4)
            assert sheets and all(abs(w - want[0]) < 2 and abs(h - want[1]) < 2
                                  for w, h in sheets), f"{name} on {fmt}: sheets {sheets}"
            need = math.ceil(laid["height"] / height)
            assert need <= len(sheets) <= need + 1, \
                f"{name} on {fmt}: {len(sheets)} sheet(s) for {laid['height']} px of page " \
                f"({need} needed)"
            got[fmt] = len(sheets)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size(size)
    return got
