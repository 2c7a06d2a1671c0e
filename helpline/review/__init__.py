"""``helpline review XX [--out DIR]``: one HTML page about a country's helpline that a programme
manager can read and sign.

Country managers and protection staff check what callers will hear and where they will be
referred without reading YAML or flow JSON: the caller's journey told in plain words first,
hours and holidays, languages, the menu tree with every prompt in every language exactly as
callers hear it (placeholders filled), the partners with their contacts, which needs have no
partner in which region, how long data is kept, the flow pictures, and (when the cost tool is
present) what it costs. Everything comes from the validated country file and the rendered
flows, so the page says what will be deployed.

Every text carries its language (``lang``) and direction (``dir``: Arabic and the other
right-to-left scripts read right to left). The page is one self-contained file (inline CSS, the
flow pictures as inline SVG), written to ``build/review/`` (ignored by git) unless ``--out``
says otherwise; without Graphviz the page says the pictures were left out.
"""

from helpline.review.cli import DEFAULT_OUT, command
from helpline.review.content import MAIN_MENU, NEEDS_NAMES, RTL_LANGUAGES, coverage, direction, journey
from helpline.review.page import page_context, render_review, warnings, write_review
from helpline.review.pictures import NO_DOT, Drawn, Picture

__all__ = [
    "DEFAULT_OUT",
    "MAIN_MENU",
    "NEEDS_NAMES",
    "NO_DOT",
    "RTL_LANGUAGES",
    "Drawn",
    "Picture",
    "command",
    "coverage",
    "direction",
    "journey",
    "page_context",
    "render_review",
    "warnings",
    "write_review",
]
