"""Flow pictures read right to left where the words do: Graphviz writes every SVG <text> left to right, so an
Arabic line's full stop and closing quote would sit at its start in a browser (the review page inlines them)."""

from __future__ import annotations

import re

from helpline.config import load_country
from helpline.flows.diagram import flow_graph, svg_of
from helpline.flows.render import render_local
from tests.unit.written_countries import chad

ARABIC = re.compile("[\u0600-\u06ff]")


def _texts(svg: str) -> list[tuple[str, str]]:
    return re.findall(r"<text\b([^>]*)>([^<]*)</text>", svg)


def test_arabic_lines_are_marked_right_to_left_and_french_lines_are_not(tmp_path):
    cfg = load_country(chad(tmp_path))
    flows, resolver = render_local(cfg)
    arabic = svg_of(flow_graph(flows["inbound_ar"], cfg, resolver))
    french = svg_of(flow_graph(flows["inbound_fr"], cfg, resolver))
    assert any(ARABIC.search(text) for _, text in _texts(arabic))
    assert any(not ARABIC.search(text) for _, text in _texts(french))
    for svg in (arabic, french):  # a line is marked exactly when it holds Arabic words
        for attrs, text in _texts(svg):
            assert ('direction="rtl"' in attrs) == bool(ARABIC.search(text)), text
