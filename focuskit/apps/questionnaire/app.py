"""What ``notebooks/take_assessment.ipynb`` runs: open the store, read the link, show the page.

Split in two so that a preheated Voila kernel does the slow part (imports, opening the store)
before anyone opens the link, and only reading the link and building the first page are left
for when somebody does.
"""

from __future__ import annotations

import os

import ipywidgets as w
from IPython.display import display

from ...config import kernel_log
from ...links import Link, LinkError, parse_link
from ...serving.kernel_query import query_string
from .session import Problem, Respondent, open_questionnaire
from .state import Questionnaire
from .view import QuestionnaireView, js_string, problem_widget

__all__ = ["QuestionnaireApp"]

log = kernel_log("focuskit.questionnaire")


def _in_voila() -> bool:
    return "VOILA_BASE_URL" in os.environ


class QuestionnaireApp:
    """A respondent's questionnaire, shown by ``show()``.

    Parameters
    ----------
    url : str, optional
        The store's database URL (default: ``$FOCUSKIT_DB_URL``, else ``data/focuskit.db``).
        It must have been set up by focuskit (``focuskit demo`` or ``Store``); the
        questionnaire opens it with ``RespondentStore``, which never creates tables.

    Examples
    --------
    In Voila the link's query string says what to show. In JupyterLab, give it yourself:

    >>> app = QuestionnaireApp()                                    # doctest: +SKIP
    >>> app.show("campaign=demo-focus-levels&group=self&sig=...")  # doctest: +SKIP
    """

    def __init__(self, url: str | None = None):
        self.store = None
        self.state: Questionnaire | None = None
        self.view: QuestionnaireView | None = None
        self.who: Respondent | None = None
        self.problem: Problem | None = None
        self._url = url
        self._open_store()

    def _open_store(self) -> None:
        try:
            # Not Store: the respondent's store speaks DB-API and spares the kernel SQLAlchemy.
            from ...store.respondent import RespondentStore

            self.store = RespondentStore(self._url)
        except Exception:
            log.exception("cannot open the store")

    def show(self, query: str | None = None) -> None:
        """Display the questionnaire for ``query`` (default: this page's link)."""
        display(self.build(query))

    def build(self, query: str | None = None) -> w.Widget:
        """The widget for ``query``: the questionnaire, or a friendly page. Never raises."""
        try:
            if query is None:
                query = query_string()
            return self._build(query)
        except Exception:
            log.exception("cannot show the questionnaire")
            self.problem = Problem("unavailable")
            return problem_widget(self.problem)

    def _build(self, query: str | None) -> w.Widget:
        self.problem = None  # what an earlier build found is not this link's problem
        try:
            link: Link | LinkError = parse_link(query)
        except LinkError as e:
            log.info("link refused: %s", e)
            link = e
        if self.store is None:
            # A preheated kernel may have started before the store was set up (RespondentStore
            # never creates it): try again for this visitor.
            self._open_store()
        if self.store is None:
            self.problem = Problem("unavailable")
            return problem_widget(self.problem)
        opened = open_questionnaire(self.store, link)
        if opened == Problem("unsigned") and isinstance(link, Link) and link.device:
            # A code this browser kept (from an older focuskit, or a store set up again) that
            # no longer passes: the shared link itself may still be good, so start afresh on
            # it rather than send the browser back to the same dead end on every visit.
            link = Link(link.campaign, link.group, link.segment, sig=link.sig, new=True)
            opened = open_questionnaire(self.store, link)
        if isinstance(opened, Problem):
            self.problem = opened
            return problem_widget(opened)
        self.state, self.who = opened
        made = self.who.code if self.who.code_made_here else None
        voila = _in_voila()
        self.view = QuestionnaireView(self.state, self.who, restart=self._restart_link(link),
                                      defer=voila)
        if voila:
            js = (self._keep_code(link, made) + self.view.page_script()
                  + self.view.ready_script())
            if self.state.stage == "done":
                js += self._forget_code()
            self.view.run_js(js)
            self.state.observe(self._on_stage, "stage")
        return self.view.widget

    def _restart_link(self, link: Link) -> str | None:
        """"Not you? Start a new one" for a code this browser remembered, not one sent to them."""
        if not link.device:
            return None
        return "?" + Link(link.campaign, link.group, link.segment, sig=link.sig,
                          new=True).query()

    # -- the respondent's code in the browser -------------------------------------------------
    def _storage_key(self) -> str:
        who = self.who
        return f"focuskit:{who.campaign}:{who.group}:{who.segment or ''}"

    def _keep_code(self, link: Link, made: str | None) -> str:
        """Put the code into the address bar, so a reload or bookmark resumes.

        A shared link (no code) also remembers the code in this browser: opening the same
        shared link again resumes too, until the answers are sent. ``new=1`` starts afresh.
        """
        js = [f"var code={js_string(self.who.code)},key={js_string(self._storage_key())};",
              "var u=new URL(window.location.href);"]
        if made is not None:
            js.append("try{var kept=" + ("null" if link.new else "localStorage.getItem(key)") + ";"
                      "if(kept&&kept!==code&&/^[A-Za-z0-9_-]{6,64}$/.test(kept)){"
                      "u.searchParams.set('code',kept);u.searchParams.set('device','1');"
                      "u.searchParams.delete('new');window.location.replace(u.toString());"
                      "return;}localStorage.setItem(key,code);}catch(e){}")
        js.append("u.searchParams.set('code',code);u.searchParams.delete('new');"
                  "window.history.replaceState(window.history.state,'',u.toString());")
        return "(function(){" + "".join(js) + "})();"

    def _forget_code(self) -> str:
        """Once the answers are sent, this browser stops resuming the shared link."""
        return (f"(function(){{try{{var key={js_string(self._storage_key())};"
                f"if(localStorage.getItem(key)==={js_string(self.who.code)})"
                "localStorage.removeItem(key);}catch(e){}})();")

    def _on_stage(self, change) -> None:
        if change.new == "done":
            self.view.run_js(self._forget_code())
