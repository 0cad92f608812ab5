"""The staff page's ipywidgets view without a browser: set values, click buttons, and set a
FileUpload's value the way ipywidgets 8 does after a browser upload."""

from __future__ import annotations

import base64

import pytest
from test_admin import answers_csv, custom_yaml, upload_value

from focuskit import Store
from focuskit.apps.admin import MAX_IMPORT_BYTES, AdminState

BASE = "https://survey.example.org/voila/render/take_assessment.ipynb"


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'admin.db'}")
    yield s
    s.close()


@pytest.fixture
def state(store):
    return AdminState(store, base=BASE)


@pytest.fixture
def camp(state):
    return state.create("q1-leaders", "Leaders, Q1", "focus-levels", min_group_size=3).campaign

@pytest.fixture
def page(state):
    from focuskit.apps.admin import Admin

    return Admin(state)


def test_empty_store_page(page):
    assert page.current is None and page.links_btn.disabled and page.import_btn.disabled
    assert "No campaigns yet" in page.status.value


def test_create_by_clicking_twice(page, store):
    page.title.value = "Spring leaders"
    page.builtin.value = "say-do"
    page.min_group.value = 4
    page.create_btn.click()
    page.create_btn.click()
    assert [c.id for c in store.campaigns()] == ["spring-leaders"]
    assert "Already created" in page.create_msg.value and "fk-ok" in page.create_msg.value
    assert page.current == "spring-leaders" and not page.create_btn.disabled
    assert store.campaign("spring-leaders").min_group_size == 4


def test_create_refusal_keeps_the_form(page, store):
    page.title.value = "Keep me"
    page.cid.value = "NOT OK"
    page.create_btn.click()
    assert "fk-err" in page.create_msg.value and "lowercase" in page.create_msg.value
    assert (page.title.value, page.cid.value) == ("Keep me", "NOT OK")
    assert store.campaigns() == []


def test_uploaded_yaml_through_the_widget(page, store):
    page.source.value = "upload"
    page.title.value = "Own"
    page.create_btn.click()
    assert "choose a valid instrument file" in page.create_msg.value
    bad = custom_yaml(colour="blue")
    page.yaml.value = upload_value("my-survey.yaml", bad, "application/yaml")
    assert "colour: unknown key" in page.yaml_msg.value
    page.create_btn.click()
    assert "has problems" in page.create_msg.value and store.campaigns() == []
    page.yaml.value = upload_value("my-survey.yaml", custom_yaml(), "application/yaml")
    assert "Ready to use" in page.yaml_msg.value
    page.create_btn.click()
    assert store.campaign("own").instrument.id == "my-survey"


def test_expectations_list_through_the_widget(page, store):
    page.source.value = "items"
    assert page.builtin.value == "expectations"
    page.title.value = "What customers expect"
    page.items.value = "Answers quickly\nKeeps promises"
    for g, box in page.groups.items():
        box.value = g == "customer"
    page.create_btn.click()
    c = store.campaign("what-customers-expect")
    assert len(c.instrument.items) == 2 and c.rater_groups == ("customer",)


def test_open_close_and_links_by_clicking(page, state, camp):
    page.refresh(camp.id)
    assert page.open_btn.disabled and not page.close_btn.disabled
    page.close_btn.click()
    assert state.campaign(camp.id).status == "closed" and "takes no more" in \
        page.campaign_msg.value
    assert page.close_btn.disabled and not page.open_btn.disabled
    page.open_btn.click()
    assert state.campaign(camp.id).status == "open"
    assert page.open_btn.disabled and not page.close_btn.disabled
    for box in page.link_groups.children:
        box.value = box.description == "customer"
    page.segments.value = "Retail, Wholesale"
    page.links_btn.click()
    urls = [r.url for r in page.link_rows]
    assert len(urls) == 2 and all("group=customer" in u for u in urls)
    shown = page.links_out.children
    assert shown[0].children[1].value == urls[0]  # a copy-friendly text box per link
    csv_link = shown[-1].value
    data = base64.b64decode(csv_link.split("base64,")[1].split('"')[0])
    assert data.decode().count("group=customer") == 2
    for box in page.link_groups.children:
        box.value = False
    page.links_btn.click()
    assert "at least one rater group" in page.links_msg.value


def test_import_by_upload_widget(page, store, camp):
    page.refresh(camp.id)
    page.import_btn.click()
    assert "choose a CSV or Excel file first" in page.import_msg.value
    page.upload.value = upload_value("answers.csv", answers_csv(bad=(1, "value", "9")))
    assert "answers.csv" in page.upload_name.value
    page.import_btn.click()
    msg = page.import_msg.value
    assert "Nothing imported from answers.csv: 1 problem" in msg and "fk-problems" in msg
    assert "<td>value</td><td>9</td>" in msg and store.counts(camp.id)["submissions"] == 0
    page.upload.value = upload_value("answers.csv", answers_csv())
    page.import_btn.click()
    assert "Imported 3 new submission(s)" in page.import_msg.value
    assert "now holds 3" in page.import_msg.value
    page.import_btn.click()  # the same file again
    assert "Nothing new stored: all 3" in page.import_msg.value
    assert "fk-same" in page.import_msg.value and store.counts(camp.id)["submissions"] == 3
    assert "3 submission(s)" in page.status.value


def test_oversized_upload_in_the_widget(page, store, camp):
    page.refresh(camp.id)
    page.upload.value = upload_value("big.csv", b"x" * (MAX_IMPORT_BYTES + 10))
    page.import_btn.click()
    assert "up to 5 MB" in page.import_msg.value and "fk-err" in page.import_msg.value


def test_export_links(page, state, camp):
    state.import_upload(camp.id, "a.csv", answers_csv())
    page.refresh(camp.id)
    page.export_btn.click()
    html = page.export_out.value
    assert 'download="q1-leaders.csv"' in html and 'download="q1-leaders.xlsx"' in html
    page.wide.value = True
    page.export_btn.click()
    assert 'download="q1-leaders-wide.csv"' in page.export_out.value


def test_an_import_keeps_the_links_just_made(page, camp):
    page.refresh(camp.id)
    page.links_btn.click()
    made = list(page.link_rows)
    page.upload.value = upload_value("answers.csv", answers_csv())
    page.import_btn.click()
    assert page.link_rows == made and len(page.links_out.children) == len(made) + 2


def test_links_for_a_draft_say_to_open_it_first(page, state):
    state.create("later", "Later", "blocks", status="draft")
    page.refresh("later")
    page.links_btn.click()
    assert "The campaign is draft: open it before sending" in page.links_msg.value


def test_own_list_relabels_the_questionnaire_picker(page):
    page.source.value = "items"
    assert "Rated on the scales of" in page.builtin_field.children[0].value
    page.source.value = "builtin"
    assert "Questionnaire" in page.builtin_field.children[0].value


def test_reload_shows_what_others_changed(page, state, store, camp):
    page.refresh(camp.id)
    store.create_campaign("made-elsewhere", "By a colleague", "blocks")
    AdminState(store, base=BASE).import_upload(camp.id, "a.csv", answers_csv())  # a colleague
    assert "made-elsewhere" not in page.table.value
    page.reload_btn.click()
    assert "made-elsewhere" in page.table.value and page.current == camp.id
    assert "3 submission(s)" in page.status.value


def test_the_id_box_previews_the_id_made_from_the_title(page):
    page.title.value = "Leaders, Q3"
    assert page.cid.placeholder == "leaders-q3" and page.cid.value == ""


def test_an_unexpected_failure_is_shown_and_the_page_goes_on(page, state, camp, monkeypatch):
    page.refresh(camp.id)

    def broken(*a, **k):  # stands in for, say, a database server that went away
        raise ConnectionError("server closed the connection")

    monkeypatch.setattr(state, "export", broken)
    page.export_btn.click()
    assert "That did not work (ConnectionError" in page.export_out.value
    assert not page.export_btn.disabled
    monkeypatch.undo()
    page.export_btn.click()
    assert 'download="q1-leaders.csv"' in page.export_out.value


def test_survey_export_with_a_mapping_through_the_widgets(page, store, camp):
    from test_admin import SURVEY_MAPPING, survey_csv

    page.refresh(camp.id)
    page.upload.value = upload_value("survey.csv", survey_csv())
    page.mapping.value = upload_value("tool.yaml", SURVEY_MAPPING, "application/yaml")
    assert "tool.yaml" in page.mapping_name.value and page.mapping_clear.layout.display == ""
    page.import_btn.click()
    assert "Imported 2 new submission(s)" in page.import_msg.value
    page.mapping_clear.click()
    assert page.mapping.value == () and page.mapping_name.value == ""


def test_many_links_show_thirty_boxes_and_all_in_the_text(page, camp):
    page.refresh(camp.id)
    page.segments.value = "\n".join(f"Region {n}" for n in range(10))
    page.links_btn.click()
    assert len(page.link_rows) == 50
    kids = page.links_out.children
    assert "and 20 more" in kids[30].value
    assert kids[-2].children[1].value.count("\n") == 49  # the all-links box holds every one


def test_an_import_clears_downloads_made_before_it(page, camp):
    page.refresh(camp.id)
    page.export_btn.click()
    assert "download=" in page.export_out.value
    page.upload.value = upload_value("answers.csv", answers_csv())
    page.import_btn.click()
    assert page.export_out.value == ""


def test_links_show_their_join_code_and_say_when_phones_cannot_reach_them(store, camp):
    from focuskit.apps.admin import Admin

    page = Admin(AdminState(store, base=BASE))
    assert "Phones cannot open" not in page.links_box.children[1].value
    page.link_groups.children[0].value = True
    page.links_btn.click()
    code = store.join_code(camp.id, page.link_groups.children[0].description)
    label = page.links_out.children[0].children[0].value
    assert f"<b class='fk-join-code'>{code}</b>" in label
    assert f"survey.example.org/j/{code}" in label
    # Served on 127.0.0.1 (make demo, a plain focuskit serve): said plainly, with the fix.
    local = Admin(AdminState(store, base="http://127.0.0.1:8866/voila/render/"
                             "take_assessment.ipynb"))
    warning = local.links_box.children[1].value
    assert "Phones cannot open these links yet" in warning and "127.0.0.1" in warning
    assert "--host 0.0.0.0" in warning and "--public-url" in warning


def test_the_page_observes_its_state(page, state, camp):
    """A change made through the state reaches the page without asking it to refresh."""
    state.set_status(camp.id, "closed")
    assert "closed" in page.status.value and not page.open_btn.disabled
    state.create("later", "Later", "blocks")
    assert page.picker.value == page.current == "later" and "later" in page.table.value
    page.picker.value = camp.id
    assert state.chosen == camp.id and "Leaders, Q1" in page.picker.label


def test_a_forged_pick_changes_nothing(page, state, camp):
    """A client sending the picker an index it never offered picks no campaign."""
    import traitlets

    with pytest.raises(traitlets.TraitError):
        page.picker.set_state({"index": 99})
    assert state.chosen == page.current == camp.id and state.picked.campaign.id == camp.id
