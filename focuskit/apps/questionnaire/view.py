"""The ipywidgets view over a Questionnaire: the same in JupyterLab and in Voila.

A thin layer: widgets show the state and forward what the respondent does to it. Nothing a
widget reports is trusted; the state checks every value, and the view puts a widget back to
the state's value when the state refuses it. Pages are built when first shown, so a kernel
holds the widgets of the pages seen so far, not of the whole questionnaire.
"""

from __future__ import annotations

import functools
import json
import logging
from html import escape
from importlib.resources import files

import ipywidgets as w
from IPython.display import Javascript, display
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from ...instruments import Instrument, Item, rater_group
from ...ui.style import style_tag
from .session import Problem, Respondent
from .state import AnswerError, Questionnaire, facet_short_label

__all__ = ["ItemView", "QuestionnaireView", "choices", "problem_widget"]

log = logging.getLogger("focuskit.questionnaire")

def choices(instrument: Instrument, item: Item, facet_id: str) -> tuple[list[tuple], str]:
    """The options of one rating as (text, value) pairs, and how to show them.

    "cards" (one wide choice per line) when the choices carry level descriptors or are named
    categories, so they can be read before choosing; "pills" (one row of numbers) for plain
    rating scales, with the anchor words under their numbers.
    """
    scale = instrument.facet(facet_id).scale
    if scale.kind == "choice":
        return [(a.label, a.value) for a in scale.anchors], "cards"
    anchors = {a.value: a for a in scale.anchors}
    if item.levels and scale == instrument.scale:
        out, labels = [], [a for a in scale.anchors]
        for v in scale.values:
            if v in anchors:
                desc = item.levels.get(anchors[v].key)
                out.append((f"{anchors[v].label}: {desc}" if desc else anchors[v].label, v))
            else:
                below = max((a for a in labels if a.value < v), key=lambda a: a.value)
                above = min((a for a in labels if a.value > v), key=lambda a: a.value)
                out.append((f"Between {below.label.lower()} and {above.label.lower()}", v))
        return out, "cards"
    return [(f"{v}\n{anchors[v].label}" if v in anchors else str(v), v)
            for v in scale.values], "pills"


def _guard(method):
    """Run a widget callback so that no exception ever reaches the respondent's page."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:
            log.exception("questionnaire callback failed")
            try:
                self.state._say("Something went wrong on our side. Your answers so far are "
                                "saved; please try again.", "error")
            except Exception:
                log.exception("could not show the error")
    return run


class ItemView:
    """The widgets of one item: prompt (with its message), one choice group per facet, comment.

    Every widget here shares the view's Layout and Style models: each model is a message and an
    object in the browser, and a page of 18 ratings otherwise sends over 200 of them. The
    comment box is made when asked for, for the same reason.
    """

    def __init__(self, view: QuestionnaireView, item: Item):
        st, inst, sh = view.state, view.state.instrument, view.shared
        self.view, self.item = view, item
        self.radios: dict[str, w.RadioButtons] = {}
        self.comment: w.Textarea | None = None
        req = st.is_required(item)
        mark = ('<span class="fk-req" aria-hidden="true">*</span>'
                '<span class="fk-sr"> (required)</span>') if req else \
            ' <span class="fk-optional">(optional)</span>'
        self._prompt = (f'<div class="fk-prompt" id="fk-item-{escape(item.id)}">'
                        f'<span class="fk-num">{st.number(item.id)}.</span>'
                        f"{escape(item.prompt)}{mark}</div>")
        self.head = w.HTML(self._prompt, layout=sh["box"], style=sh["html"])
        facet_boxes = []
        given = st.answers.get(item.id, {})
        for fid in item.facets:
            facet = inst.facet(fid)
            options, kind = choices(inst, item, fid)
            radio = w.RadioButtons(options=options, index=None, layout=sh["full"],
                                   style=sh["radio"])
            if fid in given:
                radio.value = given[fid]
            radio.observe(functools.partial(view._on_choice, self, fid), "value")
            self.radios[fid] = radio
            optional = "" if (facet.required or not req) else \
                ' <span class="fk-optional">(optional)</span>'
            # Its id names the rating's radio group, with the question (radiogroups.js).
            label = w.HTML(f'<div class="fk-facet-label" id="{facet_label_id(item.id, fid)}">'
                           f"{escape(facet.label)}{optional}</div>",
                           layout=sh["box"], style=sh["html"])
            box = w.VBox([label, radio], layout=sh["box"])
            box.add_class("fk-facet")
            if kind == "pills":
                box.add_class("fk-pills")
            facet_boxes.append(box)
        self.facets = w.Box(facet_boxes, layout=sh["box"])
        self.facets.add_class("fk-facets")
        self.toggle = w.Button(description="Add a comment (optional)",
                               tooltip="Add a comment (optional)", layout=sh["box"],
                               style=sh["button"])
        self.toggle.add_class("fk-comment-toggle")
        self.toggle.on_click(functools.partial(view._on_toggle, self))
        self.box = w.VBox([self.head, self.facets, self.toggle], layout=sh["box"])
        self.box.add_class("fk-item")
        if inst.comment_label != "Comment (optional)" or st.comments.get(item.id):
            self.open_comment()  # evidence asked for, or a comment already written

    def open_comment(self) -> None:
        if self.comment is not None:
            return
        sh, st = self.view.shared, self.view.state
        label = w.HTML(f'<div class="fk-comment-label">{escape(st.instrument.comment_label)}'
                       "</div>", layout=sh["box"], style=sh["html"])
        self.comment = w.Textarea(value=st.comments.get(self.item.id, ""),
                                  continuous_update=False, rows=2, layout=sh["full"],
                                  placeholder=comment_placeholder(st.instrument),
                                  style=sh["text"])
        self.comment.observe(functools.partial(self.view._on_comment, self), "value")
        self.box.children = [self.head, self.facets, label, self.comment]
        self.toggle.close()

    def flag(self, message: str | None) -> None:
        if message:
            self.box.add_class("fk-missing")
            self.head.value = (f'{self._prompt}<div class="fk-msg" role="alert">'
                               f"{escape(message)}</div>")
        else:
            self.box.remove_class("fk-missing")
            self.head.value = self._prompt

    def close(self) -> None:
        for widget in (*self.box.children, self.box, self.toggle, *self.radios.values(),
                       *self.facets.children, self.facets):
            widget.close()


class QuestionnaireView:
    """The widget tree (``.widget``) showing ``state``; ``who`` feeds the intro page."""

    def __init__(self, state: Questionnaire, who: Respondent | None = None,
                 restart: str | None = None, defer: bool = False):
        self.state = state
        self.who = who
        self.restart = restart  # a link to start afresh, for a browser shared by several people
        self._pages: dict[int, tuple[w.VBox, dict[str, ItemView]]] = {}
        # Voila draws a page only once it has made every widget it was given, and a page of
        # questions is dozens: with ``defer`` the first page arrives with its heading, and
        # its questions follow as soon as the browser says it is ready (see ``ready``).
        self._deferred = state.page if defer and state.stage == "questions" else None
        # Layout and Style models shared by every widget whose look never changes.
        sh = self.shared = {"box": w.Layout(), "full": w.Layout(width="100%"),
                            "html": HTMLStyle(), "radio": DescriptionStyle(),
                            "button": w.ButtonStyle(), "text": TextStyle()}

        def html(value=""):
            return w.HTML(value, layout=sh["box"], style=sh["html"])

        self._html = html
        self.header = html()
        self.welcome = html(self._welcome() if state.resumed and state.stage == "questions"
                            else "")
        self.body = w.VBox(layout=sh["full"])
        self.notice = html()
        self.back = w.Button(description="Back", tooltip="Back to the previous page")
        self.forward = w.Button(description="Next")
        self.forward.add_class("fk-primary")
        self.back.on_click(self._on_back)
        self.forward.on_click(self._on_forward)
        self.nav = w.Box([self.back, self.forward])
        self.nav.add_class("fk-nav")
        self.saved = html()
        self.scripts = w.Output(layout=w.Layout(display="none"))  # scroll and focus on new pages
        self.ready = w.Button(layout=w.Layout(display="none"))  # clicked by the page's script
        self.ready.add_class(f"fk-ready-{id(self)}")
        self.ready.on_click(self._on_ready)
        self.widget = w.VBox([html(style_tag(__package__)), self.header, self.welcome, self.body,
                              self.notice,
                              self.nav, self.saved, self.scripts, self.ready])
        self.widget.add_class("fk-q")
        self.widget.add_class(f"fk-q-{id(self)}")
        state.observe(self._on_page, ["stage", "page"])
        state.observe(self._on_flags, "flagged")
        state.observe(self._on_notice, ["notice", "notice_kind"])
        state.observe(self._on_progress, ["answers", "saved"])
        state.observe(self._on_submitting, "submitting")
        self._show()

    @property
    def items(self) -> dict[str, ItemView]:
        """The item views of the page shown (empty on the intro and thank-you pages)."""
        st = self.state
        if st.stage != "questions":
            return {}
        return self._page(st.page)[1]

    # -- what is shown ------------------------------------------------------------------------
    def _show(self) -> None:
        st = self.state
        if st.stage == "intro":
            self.body.children = [self._intro()]
            self.back.layout.display = "none"
            self.forward.description = "Continue" if st.resumed else "Start"
            self.nav.layout.display = None
        elif st.stage == "questions":
            page, _ = self._page(st.page)
            self.body.children = [page]
            self.back.layout.display = None if st.page else "none"
            self.forward.description = "Submit answers" if st.is_last_page else "Next"
            self.forward.tooltip = self.forward.description
            self.nav.layout.display = None
        else:
            self.body.children = [self._html(self._thanks())]
            self.nav.layout.display = "none"
            self._close_pages()
        self._on_flags()
        self._on_notice()
        self._on_progress()

    def _build_ahead(self) -> None:
        # After a page is on its way, build the next: the respondent reads while the browser
        # makes its widgets, and Next then only swaps them in. Not for the first page shown:
        # Voila draws nothing until every widget it was given exists.
        st = self.state
        if st.stage == "questions" and st.page + 1 < st.page_count:
            self._page(st.page + 1)

    def _top(self) -> str:
        st, who = self.state, self.who
        title = escape(who.title if who else st.instrument.title)
        if st.stage != "questions":  # the intro and thank-you pages have the title as heading
            return ""
        done, total = st.progress()
        pct = round(100 * done / total) if total else 0
        line = f'<div class="fk-campaign">{title}</div>' if st.page else ""
        return (f'<div class="fk-top">{line}'
                f'<div class="fk-bar" role="progressbar" aria-label="Questions answered" '
                f'aria-valuemin="0" aria-valuemax="{total}" aria-valuenow="{done}">'
                f'<div style="width:{pct}%"></div></div>'
                f'<div class="fk-bar-text">Page {st.page + 1} of {st.page_count} · '
                f"{done} of {total} questions answered</div></div>")

    def _intro(self) -> w.Widget:
        return self._html(self._intro_html())

    def _intro_html(self) -> str:
        """Title, who asks, how long, and what happens to the answers: above the first page."""
        st, who, inst = self.state, self.who, self.state.instrument
        n = len(inst.items)
        org = escape(who.organisation) if who and who.organisation else ""
        outside = who is not None and who.group in ("customer", "partner")
        if outside:
            # The item banks speak as the organisation ("we", "our"); say who that is.
            lead = (f"{org or 'The organisation'} wants to know how well it focuses on its "
                    "customers and partners, as you see it. There are no right or wrong answers.")
        else:
            lead = escape(inst.description)
        facts = [f"About {inst.minutes} minutes: {n} questions on {st.page_count} "
                 f"page{'s' if st.page_count != 1 else ''}."]
        if who is not None:
            segment = f" ({escape(who.segment)})" if who.segment else ""
            facts.insert(0, f"You are answering as {escape(rater_group(who.group).respondent)}"
                            f"{segment}.")
        if outside and org:
            facts.append(f"In the questions, \u201cwe\u201d and \u201cour\u201d mean {org}.")
        privacy = ""
        if who is not None:
            privacy = (
                '<div class="fk-box fk-privacy"><p><b>Your answers are saved as you go</b>, so '
                "you can come back to them with the same link. We do not ask for your name, "
                f"and results are only reported for groups of at least {who.min_group_size} "
                "people.</p><details><summary>More about your answers</summary><p>Comments "
                "may be read by the people running this assessment, without your name: leave "
                "out anything that would identify you or others. Once sent, answers cannot be "
                "changed.</p></details></div>")
        items = "".join(f"<li>{text}</li>" for text in facts)
        return (f"<h1>{escape(who.title if who else inst.title)}</h1>"
                f'<p class="fk-lead">{lead}</p><ul class="fk-facts">{items}</ul>{privacy}')

    def _welcome(self) -> str:
        other = (f' Not you? <a href="{escape(self.restart)}">Start a new, empty '
                 "questionnaire</a>." if self.restart else "")
        return ('<div class="fk-notice info" role="status">Welcome back. Your earlier answers '
                f"are kept; you can carry on where you left off.{other}</div>")

    def _page(self, n: int):
        if n not in self._pages:
            st = self.state
            section = st.sections[n]
            # The first page opens with the intro: the first question is on the first screen.
            parts = [self._intro_html()] if n == 0 else []
            parts.append(f'<h2 tabindex="-1">{escape(section.title)}</h2>')
            if section.intro:
                parts.append(f'<p class="fk-lead">{escape(section.intro)}</p>')
            parts.append(self._legend(section, first=n == 0))
            head = w.HTML("".join(parts), layout=self.shared["box"], style=self.shared["html"])
            if n == self._deferred:
                wait = self._html('<p class="fk-legend">Loading the questions\u2026</p>')
                self._pages[n] = (w.VBox([head, wait], layout=self.shared["full"]), {})
            else:
                views = {item.id: ItemView(self, item) for item in section.items}
                box = w.VBox([head] + [v.box for v in views.values()], layout=self.shared["full"])
                self._pages[n] = (box, views)
        return self._pages[n]

    def _fill(self, n: int) -> None:
        """Put the questions into a page built without them."""
        box, views = self._pages[n]
        if views:
            return
        head, *waiting = box.children
        views = {item.id: ItemView(self, item) for item in self.state.sections[n].items}
        box.children = [head] + [v.box for v in views.values()]
        self._pages[n] = (box, views)
        for widget in waiting:
            widget.close()

    def page_script(self) -> str:
        """JavaScript for the page once: each rating a radio group (``radiogroups.js``), and a
        browser tab title naming the page and the campaign."""
        title = f"Questionnaire: {self.who.title if self.who else self.state.instrument.title}"
        return (_read_js("radiogroups.js")
                + f"document.title={js_string(title)};")

    def ready_script(self) -> str:
        """JavaScript that tells the kernel the page is drawn (clicks the hidden button)."""
        return (f"(function(){{var n=0;function go(){{var b=document.querySelector("
                f"'button.fk-ready-{id(self)}');if(b){{b.click();}}else if(n++<200)"
                "{setTimeout(go,50);}}go();})();")

    @_guard
    def _on_ready(self, button=None) -> None:
        """The browser has drawn the first page: now send its questions."""
        n, self._deferred = self._deferred, None
        if n is None or n not in self._pages:
            return
        self._fill(n)
        self._on_flags()
        self._build_ahead()

    def _legend(self, section, first: bool = True) -> str:
        st, inst = self.state, self.state.instrument
        out = []
        if any(st.is_required(i) for i in section.items):
            out.append('<p class="fk-legend">Questions marked <span class="fk-req">*</span> '
                       "need an answer.</p>")
        described = [a for a in inst.scale.anchors if a.description]
        if described and not any(i.levels for i in section.items):
            rows = "".join(f"<li><b>{a.value} {escape(a.label)}</b>: {escape(a.description)}</li>"
                           for a in described)
            out.append(f'<details class="fk-box"{" open" if first else ""}><summary>What the '
                       f"scores mean</summary><ul>{rows}</ul></details>")
        return "".join(out)

    def _thanks(self) -> str:
        st, inst = self.state, self.state.instrument
        head = ('<h1 tabindex="-1">Thank you</h1><p class="fk-lead">Your answers have been '
                "received. You can close this page now; answers cannot be changed once sent."
                "</p>")
        if not st.answers and not st.comments:
            return head + ("<p>Answers for this link were received earlier. If someone else "
                           "should answer too, please ask for a link of their own.</p>")
        parts = [head, '<div class="fk-profile"><h2>Your answers</h2>'
                       '<p class="fk-legend">What you chose, next to what each level means. '
                       "Only your own answers are shown here.</p>"]
        for section in inst.sections:
            parts.append(f"<h3>{escape(section.title)}</h3>")
            for item in section.items:
                given = st.answers.get(item.id, {})
                rows = []
                for fid in item.facets:
                    if fid not in given:
                        continue
                    rows.append(self._rating_html(item, fid, given[fid]))
                note = st.comments.get(item.id)
                if note:
                    rows.append(f'<div class="fk-your-comment">Your comment: {escape(note)}</div>')
                if not rows:
                    rows.append('<div class="fk-descriptor">Not answered.</div>')
                parts.append(f'<div class="fk-answer"><div class="fk-prompt">'
                             f'<span class="fk-num">{st.number(item.id)}.</span>'
                             f"{escape(item.prompt)}</div>{''.join(rows)}</div>")
        parts.append("</div>")
        return "".join(parts)

    def _rating_html(self, item: Item, fid: str, value: int) -> str:
        inst = self.state.instrument
        facet = inst.facet(fid)
        scale = facet.scale
        name = escape(facet_short_label(facet.label))
        label = scale.label(value)
        if scale.kind == "choice":
            return (f'<div class="fk-rating"><span class="fk-facet-name">{name}</span>'
                    f'<span class="fk-chosen">{escape(label)}</span></div>')
        dots = "".join(f'<i class="{"on" if v <= value else ""}"></i>' for v in scale.values)
        words = f"{value} of {scale.maximum}" + (f", {label}" if label != str(value) else "")
        desc = inst.descriptor(item.id, value) if scale == inst.scale else None
        if desc is None:
            anchor = next((a for a in scale.anchors if a.value == value), None)
            desc = anchor.description if anchor else None
        if desc is None and item.levels and scale == inst.scale:
            options, _ = choices(inst, item, fid)
            desc = dict((v, t) for t, v in options).get(value)
        return (f'<div class="fk-rating"><span class="fk-facet-name">{name}</span>'
                f'<span class="fk-dots" aria-hidden="true">{dots}</span>'
                f'<span class="fk-chosen">{escape(words)}</span></div>'
                + (f'<div class="fk-descriptor">{escape(desc)}</div>' if desc else ""))

    # -- following the state ------------------------------------------------------------------
    def _on_page(self, change=None) -> None:
        self.welcome.value = ""  # said once, on the page the respondent came back to
        if self._deferred is not None:
            self._on_ready()  # moved on before the browser said it was ready
        self._show()
        self._build_ahead()
        self._scroll_to_top()

    def _on_flags(self, change=None) -> None:
        if self.state.stage != "questions" or self.state.page not in self._pages:
            return
        for item_id, view in self._pages[self.state.page][1].items():
            view.flag(self.state.flagged.get(item_id))
        new = [i for i in (change.new if change else {}) if i not in (change.old or {})]
        if new:  # Next or Submit found gaps: show the first one, wherever the page was
            self.run_js(f"(function(){{var e=document.getElementById({js_string('fk-item-' + new[0])});"
                        "if(e){e.scrollIntoView({block:'center'});}})();")

    def _on_notice(self, change=None) -> None:
        st = self.state
        if not st.notice:
            self.notice.value = ""
            return
        role = "alert" if st.notice_kind != "info" else "status"
        self.notice.value = (f'<div class="fk-notice {st.notice_kind}" role="{role}">'
                             f"{escape(st.notice)}</div>")

    def _on_progress(self, change=None) -> None:
        self.header.value = self._top()
        if self.state.stage == "questions" and self.state.saver is not None:
            self.saved.value = ('<div class="fk-saved">Your answers are saved as you go.</div>'
                                if self.state.saved else "")
        else:
            self.saved.value = ""

    def _on_submitting(self, change) -> None:
        self.forward.disabled = bool(change.new)
        self.back.disabled = bool(change.new)
        if change.new:
            self.forward.description = "Sending…"
        elif self.state.stage == "questions":
            self.forward.description = "Submit answers" if self.state.is_last_page else "Next"

    def _scroll_to_top(self) -> None:
        # A new page starts at its top, with the keyboard focus on its heading.
        js = (f"(function(){{var r=document.querySelector('.fk-q-{id(self)}');if(!r)return;"
              "r.scrollIntoView({block:'start'});var h=r.querySelector('h1,h2');"
              "if(h){h.setAttribute('tabindex','-1');h.focus({preventScroll:true});}})();")
        self.run_js(js)

    def run_js(self, js: str) -> None:
        """Run a line of JavaScript in the page (scrolling, focus, keeping the link's code).

        Each call replaces the previous script, so give everything that must run together in
        one call.
        """
        with self.scripts:
            self.scripts.clear_output()
            display(Javascript(js))

    # -- what the respondent does -------------------------------------------------------------
    @_guard
    def _on_choice(self, view: ItemView, facet_id: str, change) -> None:
        if change.new == self.state.answers.get(view.item.id, {}).get(facet_id):
            return  # what the state holds already: the view putting back a refused choice
        try:
            self.state.answer(view.item.id, facet_id, change.new)
        except AnswerError as e:
            view.flag(str(e))
            self._reset(view.radios[facet_id], self.state.answers.get(view.item.id, {})
                        .get(facet_id))

    @_guard
    def _on_comment(self, view: ItemView, change) -> None:
        try:
            self.state.comment(view.item.id, change.new)
        except AnswerError as e:
            view.flag(str(e))
            return
        if view.item.id not in self.state.flagged:
            view.flag(None)

    @_guard
    def _on_toggle(self, view: ItemView, button) -> None:
        view.open_comment()

    @_guard
    def _on_back(self, button) -> None:
        self.state.back()

    @_guard
    def _on_forward(self, button) -> None:
        # The browser may send a click for a disabled button; the state decides, not the widget.
        st = self.state
        if st.stage == "intro":
            st.start()
        elif st.stage == "questions":
            if st.is_last_page:
                st.submit()
            else:
                st.next()

    def _reset(self, radio: w.RadioButtons, value) -> None:
        # The change this makes reaches _on_choice, which sees the state's own value and stops.
        if value is None:
            radio.index = None
        else:
            radio.value = value

    def _close_pages(self) -> None:
        # After submitting, nothing on the question pages can be changed or even addressed.
        for box, views in self._pages.values():
            for v in views.values():
                v.close()
            box.children[0].close()
            box.close()
        self._pages.clear()
        # Out of the tree first: a front end cannot draw a page holding a closed widget.
        self.widget.children = [c for c in self.widget.children if c is not self.nav]
        for widget in (self.back, self.forward, self.nav):
            widget.close()


#: What the comment box says before anything is typed; an instrument asking for evidence (its
#: own comment label, e.g. the contact review's) gets a hint of what evidence means.
COMMENT_HINT = "Type here if you want to add something"
EVIDENCE_HINT = ("What you saw or read that shows this, and where: for example a visit report, "
                 "the notes of a meeting, or figures from a survey")


def comment_placeholder(instrument: Instrument) -> str:
    return COMMENT_HINT if instrument.comment_label == "Comment (optional)" else EVIDENCE_HINT


def facet_label_id(item_id: str, facet_id: str) -> str:
    """The HTML id of a rating's label: also the name of its radio group."""
    return escape(f"fk-facet-{item_id}-{facet_id}")


def problem_widget(problem: Problem) -> w.Widget:
    """The friendly page for a link that cannot be answered."""
    box = w.VBox([w.HTML(style_tag(__package__)), w.HTML(
        f'<div class="fk-problem"><h1>{escape(problem.title)}</h1><p>{escape(problem.text)}</p>'
        "</div>")])
    box.add_class("fk-q")
    return box


@functools.cache
def _read_js(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def js_string(value: str) -> str:
    """A JavaScript string literal that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
