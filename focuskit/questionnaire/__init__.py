"""The respondent's questionnaire: a widget-free state, a thin ipywidgets view, and links.

``Questionnaire`` (the state), ``parse_link``/``make_link`` and ``open_questionnaire`` load no
widgets; ``QuestionnaireView`` and ``QuestionnaireApp`` load ipywidgets when first used. None of
it loads pandas, matplotlib or seaborn.

In a notebook (what ``notebooks/take_assessment.ipynb`` does)::

    from focuskit.questionnaire import QuestionnaireApp
    app = QuestionnaireApp()
    app.show()          # in Voila: the link's ?campaign=...&group=...&sig=...&code=...

Links are signed with the store's secret: make them with ``shared_link`` and
``personal_links`` (or ``focuskit link``), never by hand.
"""

from .invites import personal_links, personal_links_csv, shared_link
from .links import Link, LinkError, check_link, make_link, new_code, parse_link, query_string, sign_link
from .session import Problem, Respondent, open_questionnaire
from .state import AnswerError, Questionnaire

_LAZY = {"QuestionnaireView": "view", "QuestionnaireApp": "app"}  # these import ipywidgets


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'focuskit.questionnaire' has no attribute {name!r}")


__all__ = ["AnswerError", "Link", "LinkError", "Problem", "Questionnaire", "QuestionnaireApp",
           "QuestionnaireView", "Respondent", "check_link", "make_link", "new_code",
           "open_questionnaire", "parse_link", "personal_links", "personal_links_csv",
           "query_string", "shared_link", "sign_link"]
