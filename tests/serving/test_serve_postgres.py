"""Two `focuskit serve` instances on one PostgreSQL database, as behind a company's proxy:
respondents answer in Chromium through the respondent door of each, and the landing page on
either staff door counts every answer."""

from __future__ import annotations

import random

import pytest
from conftest import signed_link
from respondent import FIRST, STEP, Respondent

from focuskit import Store, load_instrument
from focuskit.apps.questionnaire.session import stored_answers

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.slow]

CAMPAIGN = "pg-two-servers"
TITLE = "Two servers, one database"


def test_two_servers_share_one_postgresql_database(chromium, voila_server, pg_schema_url):
    inst = load_instrument("external-focus")
    with Store(pg_schema_url) as store:
        store.create_campaign(CAMPAIGN, TITLE, inst.id, organisation="Alder Valley (fictional)",
                              rater_groups=["self"], min_group_size=3)
    env = {"FOCUSKIT_DB_URL": pg_schema_url}
    # Kernels on demand: two servers' pools would start six kernels on two cores first.
    servers = [voila_server(env=env, args=("--preheat", "0", "--staff-preheat", "0"))
               for _ in range(2)]
    codes = []
    for n, served in enumerate(servers * 2):  # two respondents through each server
        with Store(pg_schema_url) as store:  # signed with the secret both servers read
            link = signed_link(store, CAMPAIGN, "self", visit=True)
        code = link.code
        codes.append(code)
        context = chromium.new_context(viewport={"width": 390, "height": 900})
        try:
            r = Respondent(context.new_page(), inst, 390)
            r.open(f"{served}voila/render/take_assessment.ipynb?{link.query()}")
            rng = random.Random(n)
            for i, section in enumerate(inst.sections):
                r.wait_heading(section.title)
                r.answer_page(rng)
                if i < len(inst.sections) - 1:
                    r.button("Next").click()
            r.button("Submit answers").click()
            r.page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
            with Store(pg_schema_url) as store:
                assert stored_answers(store, CAMPAIGN, code) == r.given
        finally:
            context.close()

    with Store(pg_schema_url) as store:
        assert store.counts(CAMPAIGN)["submissions"] == 4
    for served in servers:  # each staff door sees all four, two of them taken by the other
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(served.staff_url("voila/render/index.ipynb"), wait_until="domcontentloaded",
                      timeout=FIRST)
            card = page.locator(".fk-card", has_text=TITLE)
            card.wait_for(timeout=FIRST)
            assert "4 responses" in card.inner_text()
        finally:
            context.close()
