"""The respondent's questionnaire (``notebooks/take_assessment.ipynb``).

- ``state``: ``Questionnaire``, a traitlets ``HasTraits`` state (no widgets);
- ``session``: from a store and a signed link (``focuskit.links``) to a ready state, or to a
  ``Problem`` (the friendly page to show);
- ``view``: ``QuestionnaireView``, a thin ipywidgets view observing the state;
- ``app``: ``QuestionnaireApp``, what the notebook runs: open the store, read the link, show;
- ``invites``: a campaign's shared and personal links, made from its store;
- ``style.css``: its look, scoped to the questionnaire.

The state, the session and the invites load no widgets; ``QuestionnaireView``,
``QuestionnaireApp`` and ``questionnaire()`` load ipywidgets when first used. None of it loads
pandas, matplotlib or seaborn: a respondent's kernel stays small.

In a notebook (what ``notebooks/take_assessment.ipynb`` does)::

    from focuskit.apps.questionnaire import QuestionnaireApp
    app = QuestionnaireApp()
    app.show()          # in Voila: the link's ?campaign=...&group=...&sig=...&code=...

Links are signed with the store's secret: make them with ``shared_link`` and
``personal_links`` (or ``focuskit link``), never by hand.
"""

from .invites import personal_links, personal_links_csv, shared_link
from .session import Problem, Respondent, open_questionnaire
from .state import AnswerError, Questionnaire

_LAZY = {"QuestionnaireView": "view", "QuestionnaireApp": "app"}  # these import ipywidgets


def questionnaire(url: str | None = None, query: str | None = None):
    """Build the questionnaire over the default store (or ``url``) for ``query`` (default: this
    page's link) and return its widget for display: the questionnaire or a friendly page."""
    from .app import QuestionnaireApp

    return QuestionnaireApp(url).build(query)


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AnswerError", "Problem", "Questionnaire", "QuestionnaireApp", "QuestionnaireView",
           "Respondent", "open_questionnaire", "personal_links", "personal_links_csv",
           "questionnaire", "shared_link"]
