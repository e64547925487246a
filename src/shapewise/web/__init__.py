"""The local web page (``shapewise serve``) and what it asks the engine, plus the notebook display.

``api`` answers the page's questions (it runs in worker processes), ``server`` is the HTTP side (standard
library only), ``notebook`` is the self-contained HTML that notebooks show. The page itself is in ``static/``.
"""
