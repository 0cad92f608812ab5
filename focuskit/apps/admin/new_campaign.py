"""The staff page's "New campaign" card: title and id, where the questions come from (a
built-in instrument, an uploaded YAML file checked on arrival, or the staff member's own list
of expectations), rater groups, minimum group size. A mixin of ``view.Admin``.
"""

from __future__ import annotations

import ipywidgets as w

from ...errors import FocuskitError
from ...instruments import RATER_GROUPS, load_instrument
from .parts import error_html, field, html, ok_html, row, section, uploaded
from .state import slug

BUILTIN, UPLOAD, ITEMS = "builtin", "upload", "items"


class NewCampaign:
    custom = None  # the uploaded instrument, once it has passed the checks

    def _build_new(self):
        self.title = w.Text(placeholder="e.g. Leadership team, spring", layout=w.Layout(width="100%"))
        self.cid = w.Text(placeholder="made from the title", layout=w.Layout(width="100%"))
        self.org = w.Text(placeholder="optional", layout=w.Layout(width="100%"))
        for t, cls in ((self.title, "fk-title"), (self.cid, "fk-cid"), (self.org, "fk-org")):
            t.add_class(cls)
        self.source = w.RadioButtons(options=[("A built-in questionnaire", BUILTIN),
                                              ("My own instrument file (YAML)", UPLOAD),
                                              ("My own list of expectations", ITEMS)],
                                     value=BUILTIN, layout=w.Layout(width="auto"))
        self.builtin = w.Dropdown(options=self.state.instruments(), value="focus-levels",
                                  layout=w.Layout(width="100%"))
        self.yaml = w.FileUpload(accept=".yaml,.yml", multiple=False,
                                 description="Choose YAML file", tooltip="An instrument "
                                 "file (.yaml), checked as soon as it is chosen",
                                 layout=w.Layout(width="auto"))
        self.yaml.add_class("fk-yaml")
        self.yaml_msg = html()
        self.items = w.Textarea(placeholder="One statement per line, e.g.\nAnswers my question "
                                "the first time\nDelivers on the promised date",
                                layout=w.Layout(width="100%", height="120px"))
        self.items.add_class("fk-items")
        self.groups = {g: w.Checkbox(description=g, indent=False,
                                     layout=w.Layout(width="auto", margin="0 12px 0 0"))
                       for g in RATER_GROUPS}
        self.min_group = w.IntText(value=5, layout=w.Layout(width="100px"))
        self.new_comments = w.IntText(value=10, layout=w.Layout(width="100px"))
        self.open_now = w.Checkbox(value=True, description="Open for answers now", indent=False,
                                   layout=w.Layout(width="auto"))
        self.create_btn = self._button("Create campaign", "fk-create", self.create, "create_msg",
                                       style="primary", icon="plus")
        self.create_msg = html()
        self.builtin_field = field("Questionnaire", self.builtin, grow=3)
        self.yaml_field = field("Instrument file", w.VBox([self.yaml, self.yaml_msg]), grow=3)
        self.items_field = field("Expectations, one per line (rated for importance and "
                                 "performance)", self.items, grow=3)
        self.title.observe(lambda c: setattr(self.cid, "placeholder", slug(c["new"]) or
                                             "made from the title"), "value")
        self.source.observe(lambda _c: self._source_changed(), "value")
        self.builtin.observe(lambda _c: self._tick_groups(), "value")
        self.yaml.observe(lambda _c: self.check_yaml(), "value")
        self.new_box = section(
            "New campaign", "Figures for groups smaller than the minimum (at least 3) are never "
            "shown; comments only from items at least the comment threshold of people "
            "answered.",
            row(field("Title", self.title, grow=2), field("Id (for links)", self.cid),
                field("Organisation", self.org)),
            field("Questions from", self.source),
            self.builtin_field, self.yaml_field, self.items_field,
            field("Rater groups", row(*self.groups.values())),
            row(field("Minimum group size", self.min_group, grow=0),
                field("Comment threshold", self.new_comments, grow=0), self.open_now),
            row(self.create_btn), self.create_msg, cls="fk-new")
        self._source_changed()

    def _source_changed(self) -> None:
        src = self.source.value
        self.builtin_field.layout.display = "none" if src == UPLOAD else ""
        self.yaml_field.layout.display = "" if src == UPLOAD else "none"
        self.items_field.layout.display = "" if src == ITEMS else "none"
        self.builtin_field.children[0].value = (
            "<span>Rated on the scales of</span>" if src == ITEMS else "<span>Questionnaire</span>")
        if src == ITEMS and self.builtin.value != "expectations":
            self.builtin.value = "expectations"  # its importance and performance scales
        self._tick_groups()

    def _tick_groups(self) -> None:
        inst = self.custom if self.source.value == UPLOAD else None
        if inst is None and self.source.value != UPLOAD:
            inst = load_instrument(self.builtin.value)
        if inst is not None:
            for g, box in self.groups.items():
                box.value = g in inst.audiences

    def check_yaml(self) -> None:
        self.custom = None
        got = uploaded(self.yaml)
        if got is None:
            self.yaml_msg.value = ""
            return
        try:
            self.custom = self.state.read_instrument(*got)
        except FocuskitError as e:
            self.yaml_msg.value = error_html(e)
            return
        inst = self.custom
        self.yaml_msg.value = ok_html(f"{got[0]}: {inst.title} ({inst.id} {inst.version}), "
                                      f"{len(inst.items)} items. Ready to use.")
        self._tick_groups()

    def create(self) -> None:
        src = self.source.value
        try:
            if src == UPLOAD:
                if self.custom is None:
                    raise FocuskitError("choose a valid instrument file first" if not
                                        self.yaml.value else "the instrument file has problems "
                                        "(listed above); fix them and choose it again")
                inst = self.custom
            else:
                inst = self.builtin.value
            res = self.state.create(
                self.cid.value, self.title.value, inst,
                items=self.items.value if src == ITEMS else "", organisation=self.org.value.strip(),
                rater_groups=[g for g, b in self.groups.items() if b.value],
                min_group_size=self.min_group.value,
                comment_threshold=self.new_comments.value,
                status="open" if self.open_now.value else "draft")
        except FocuskitError as e:
            self.create_msg.value = error_html(e)
            return
        c = res.campaign
        what = "Created" if res.created else "Already created (nothing new)"
        self.create_msg.value = ok_html(
            f"{what}: {c.id}, {c.status}, asking {c.instrument.title} ({len(c.instrument.items)} "
            f"items) of {', '.join(c.rater_groups)}; groups under {c.min_group_size} withheld. "
            "It is picked above: make its links below.")
