"""The landing page: the staff pages it links to exist, and campaigns are listed."""

from pathlib import Path

from focuskit.apps.landing import landing_html
from focuskit.apps.roles import PAGES

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_the_landing_page_links_every_staff_page(store):
    html = landing_html(store)
    for href, title, _, _ in PAGES:
        assert (NOTEBOOKS / href).is_file(), href
        assert f'href="{href}"' in html and title in html
