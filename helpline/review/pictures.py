"""The flow pictures of the review page: every rendered flow drawn by Graphviz as inline SVG."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from helpline.config.schema import CountryConfig


@dataclass(frozen=True)
class Picture:
    name: str
    svg: str  # inline <svg> element


# Called after each flow picture is drawn: (flow name, how many pictures there are in all).
Drawn = Callable[[str, int], None]
NO_DOT = "graphviz 'dot' is not installed (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz)"


def draw_pictures(cfg: CountryConfig, drawn: Drawn | None = None) -> tuple[list[Picture], str]:
    """Flow diagrams as inline SVG (the page is one file), or a note saying why there are none."""
    from helpline.flows.diagram import DiagramError, flow_graph, svg_of
    from helpline.flows.render import RenderError, render_local

    if shutil.which("dot") is None:
        return [], f"Flow pictures left out: {NO_DOT}."
    try:
        flows, resolver = render_local(cfg)
        pictures = []
        for name in sorted(flows):
            svg = svg_of(flow_graph(flows[name], cfg, resolver))
            pictures.append(Picture(name, _inline_svg(svg)))
            if drawn is not None:
                drawn(name, len(flows))
    except (DiagramError, RenderError, OSError, subprocess.CalledProcessError) as exc:
        return [], f"Flow pictures left out: {str(exc).rstrip('.')}."
    return pictures, ""


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG file as an element to put in HTML: no XML prolog, doctype or comments."""
    svg = svg[svg.index("<svg") :]
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S)
