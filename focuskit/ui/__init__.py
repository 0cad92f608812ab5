"""The widgets layer: parts every app shares, and the stylesheets.

- ``focuskit.ui.style``: the base stylesheet (design tokens) and each app's own, read as package
  data with ``importlib.resources``.
- ``focuskit.ui.parts``: small ipywidgets builders (an HTML block with a class, a wrapping row,
  a plot in a scrolling box).
- ``focuskit.ui.downloads``: a download link holding its bytes, the MIME types, the PDF maker.

Nothing here imports pandas or matplotlib at import time: the questionnaire uses this layer too.
"""
