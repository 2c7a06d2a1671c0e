"""Flow diagrams for review by non-engineers: one SVG and one PNG per flow (graphviz ``dot``).

The graph itself (:func:`edges`, :func:`graph_of` and its DOT source) needs no Graphviz; only
drawing does. Without ``dot`` the ``.dot`` sources are written and :class:`DotMissing` says so.

Each box is one action: what it does and, for spoken actions, the words the caller hears in
the chosen language (recorded prompts show the text of the recording).

Errors: :class:`DiagramInputError` for an input file that cannot be read as a flow at all (bad
input), :class:`DiagramError` for a flow that cannot be rendered or drawn (the flow's fault).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import textwrap
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpline.config.schema import CountryConfig
from helpline.flows.render import LocalResolver, RenderedFlow, RenderError, render_local


class DiagramError(Exception):
    """A flow that cannot be rendered or drawn: the flow's fault."""


class DiagramInputError(DiagramError):
    """An input file that cannot be read as a flow at all (missing, not UTF-8, not JSON, not an object)."""


Progress = Callable[[int, int, str], None]  # (graphs drawn so far, graphs in all, the one drawn next or "")


LABELS = {
    "MessageParticipant": "Say",
    "MessageParticipantIteratively": "Say while waiting (repeats)",
    "GetParticipantInput": "Ask for a key",
    "InvokeLambdaFunction": "Run backend function",
    "CheckHoursOfOperation": "Open now?",
    "Compare": "Check",
    "Loop": "Try again?",
    "UpdateContactAttributes": "Note on the call",
    "UpdateContactTextToSpeechVoice": "Voice",
    "UpdateContactEventHooks": "Set flow for",
    "UpdateContactRecordingBehavior": "Record the call",
    "UpdateContactRecordingAndAnalyticsBehavior": "Record the call",
    "UpdateContactTargetQueue": "Choose queue",
    "UpdateContactCallbackNumber": "Call-back number",
    "UpdateFlowLoggingBehavior": "Flow logs on",
    "CreateCallbackContact": "Request a call back",
    "TransferContactToQueue": "Put through to an operator",
    "TransferToFlow": "Continue in flow",
    "DisconnectParticipant": "Hang up",
    "EndFlowExecution": "End",
    "ShowView": "Show the operator a screen",
}
COLORS = {
    "MessageParticipant": "#e3f2fd",
    "MessageParticipantIteratively": "#e3f2fd",
    "GetParticipantInput": "#fff3e0",
    "InvokeLambdaFunction": "#f3e5f5",
    "TransferContactToQueue": "#e8f5e9",
    "DisconnectParticipant": "#ffebee",
    "CreateCallbackContact": "#e8f5e9",
    "ShowView": "#fff8e1",
}


def _describe(
    action: dict[str, Any], cfg: CountryConfig, resolver: LocalResolver, spoken_lang: str | None, voices: dict[str, str]
) -> str:
    kind = action["Type"]
    params = action.get("Parameters") or {}
    lines = [f"{LABELS.get(kind, kind)}  [{action['Identifier']}]"]

    def text_of(p: dict[str, Any]) -> str | None:
        if "PromptId" in p:
            ref = resolver.lookup(p["PromptId"])
            if ref:
                lang, pid = ref[1].split("/", 1)
                if lang == "shared":
                    return f"({pid.replace('_', ' ')})"
                return f"({lang}, recording) " + cfg.spoken(lang).get(pid, pid)
        if "Text" in p:
            return p["Text"]
        return None

    said = text_of(params)
    if said is None and kind == "MessageParticipantIteratively":
        said = " / ".join(t for t in (text_of(m) for m in params.get("Messages", [])) if t)
    if said:
        lines.append("“" + said + "”")
    for key in (
        "LambdaFunctionARN",
        "QueueId",
        "ContactFlowId",
        "HoursOfOperationId",
        "TextToSpeechVoice",
        "ComparisonValue",
    ):
        if key in params:
            ref = resolver.lookup(str(params[key]))
            lines.append(ref[1] if ref else str(params[key]))
    if kind == "UpdateContactAttributes":
        lines.append(", ".join(f"{k}={v}" for k, v in (params.get("Attributes") or {}).items()))
    if kind == "UpdateContactEventHooks":
        for k, v in (params.get("EventHooks") or {}).items():
            ref = resolver.lookup(str(v))
            lines.append(f"{k}: {ref[1] if ref else v}")
    if kind == "Loop":
        lines.append(f"{params.get('LoopCount')} more tries")
    if kind == "ShowView":
        lines.extend(_screen_lines(params, resolver))
    out = []
    for ln in lines:
        out.extend(textwrap.wrap(ln, 48) or [""])
    return "\n".join(out)


def _screen_lines(params: dict[str, Any], resolver: LocalResolver) -> list[str]:
    """A guide screen: the view, its heading (in the operators' language) and its inputs."""
    ref = resolver.lookup(str((params.get("ViewResource") or {}).get("Id", "")))
    data = params.get("ViewData") or {}
    lines = [f"{ref[1] if ref else 'view'}: “{data.get('Heading', '')}”"]
    inputs = [
        str(item.get("Label", item.get("Name")))
        for section in data.get("Sections") or []
        for item in section.get("Items") or []
        if "Name" in item
    ]
    if inputs:
        lines.append("inputs: " + "; ".join(inputs))
    return lines


def flow_graph(flow: RenderedFlow, cfg: CountryConfig, resolver: LocalResolver) -> Any:
    """The graphviz graph of a rendered country flow (the words callers hear in each box)."""
    voices = {lg.voice: lg.code for lg in cfg.languages if lg.voice}
    return graph_of(
        flow.name,
        f"{cfg.name}: {flow.name} ({flow.type})\n{flow.description}",
        flow.content,
        lambda action: _describe(action, cfg, resolver, flow.language, voices),
        start_label="call starts" if flow.name == "inbound" else "start",
    )


def edges(content: Any) -> list[tuple[str, str, str, str]]:
    """The graph model of any flow: (from, to, label, kind) with kind next/condition/error/after-queue.

    Reads any JSON without raising; branches that are not strings are left out (the linter
    reports them).
    """
    out: list[tuple[str, str, str, str]] = []
    for action in _l(_d(content).get("Actions")):
        if not isinstance(action, dict) or not isinstance(action.get("Identifier"), str):
            continue
        ident = action["Identifier"]
        tr = _d(action.get("Transitions"))
        for c in _l(tr.get("Conditions")):
            if isinstance(c, dict) and isinstance(c.get("NextAction"), str):
                raw = _d(c.get("Condition")).get("Operands")
                operands = raw if isinstance(raw, list) else [raw]
                out.append((ident, c["NextAction"], "= " + ", ".join(str(o) for o in operands), "condition"))
        for e in _l(tr.get("Errors")):
            if isinstance(e, dict) and isinstance(e.get("NextAction"), str):
                out.append((ident, e["NextAction"], str(e.get("ErrorType", "error")), "error"))
        if isinstance(tr.get("NextAction"), str):
            if action.get("Type") == "TransferContactToQueue":
                out.append((ident, tr["NextAction"], "(after the queue)", "after-queue"))
            else:
                out.append((ident, tr["NextAction"], "otherwise" if tr.get("Conditions") else "", "next"))
    return out


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def graph_of(name: str, title: str, content: Any, describe: Any, *, start_label: str = "start") -> Any:
    """A graphviz graph (its ``.source`` is DOT; drawing it needs ``dot``, building it does not)."""
    import graphviz

    g = graphviz.Digraph(
        name=name,
        graph_attr={"rankdir": "TB", "label": title, "labelloc": "t", "fontname": "Helvetica"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    content = _d(content)
    actions = [a for a in _l(content.get("Actions")) if isinstance(a, dict) and isinstance(a.get("Identifier"), str)]
    known = {a["Identifier"] for a in actions}
    g.node("__start", start_label, shape="circle", fillcolor="#ffffff")
    if isinstance(content.get("StartAction"), str):
        g.edge("__start", content["StartAction"])
    for action in actions:
        kind = action.get("Type")
        g.node(
            action["Identifier"],
            describe(action),
            fillcolor=COLORS.get(kind if isinstance(kind, str) else "", "#fafafa"),
        )
    for src, dst, label, kind in edges(content):
        if dst not in known:
            g.node(dst, f"missing action\n{dst}", fillcolor="#ffcdd2", style="dashed,filled")
        if kind == "error":
            g.edge(src, dst, label=label, color="#c62828", fontcolor="#c62828", style="dashed")
        elif kind == "after-queue":
            g.edge(src, dst, label=label, style="dotted")
        else:
            g.edge(src, dst, label=label)
    return g


def describe_any(action: dict[str, Any]) -> str:
    """A box for an action of any flow file: what it does, what it says, what it names."""
    kind = action.get("Type")
    kind = kind if isinstance(kind, str) else repr(kind)
    params = _d(action.get("Parameters"))
    lines = [f"{LABELS.get(kind, kind)}  [{action.get('Identifier')}]"]
    said = params.get("Text") or params.get("SSML")
    if not said and isinstance(params.get("Messages"), list):
        said = " / ".join(
            str(m.get("Text") or m.get("SSML") or "(recording)") for m in params["Messages"] if isinstance(m, dict)
        )
    if said:
        lines.append("“" + str(said)[:300] + "”")
    for key in (
        "LambdaFunctionARN",
        "QueueId",
        "ContactFlowId",
        "FlowModuleId",
        "HoursOfOperationId",
        "ComparisonValue",
    ):
        if key in params:
            lines.append(f"{key}: {_arn_name(params[key])}")
    out = []
    for ln in lines:
        out.extend(textwrap.wrap(ln, 48) or [""])
    return "\n".join(out)


def _arn_name(value: Any) -> str:
    """The readable end of an ARN ('.../queue/abc' -> 'queue/abc'), else the value."""
    text = str(value)
    parts = text.split("/")
    return "/".join(parts[-2:]) if text.startswith("arn:") and len(parts) > 2 else text[:80]


DOT_MISSING = (
    "graphviz 'dot' is not installed, so no pictures were drawn; the DOT sources (.dot, plain text "
    "any Graphviz viewer opens) were written instead. Install it for SVG/PNG "
    "(Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz)"
)


class DotMissing(DiagramError):
    """``dot`` is missing: the DOT sources were written (``paths``), no pictures."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(DOT_MISSING)
        self.paths = paths


_SVG_TEXT = re.compile(r"<text\b([^>]*)>([^<]*)</text>")


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in html.unescape(text))


def svg_of(graph: Any) -> str:
    """The graph as SVG, each line of right-to-left text (Arabic, Hebrew ...) marked ``direction="rtl"``:
    Graphviz writes every ``<text>`` left to right, so a browser put an Arabic sentence's full stop and
    closing quote at its start (the review page inlines these pictures)."""

    def mark(m: re.Match[str]) -> str:
        attrs, text = m.group(1), m.group(2)
        if not _is_rtl(text) or "direction=" in attrs:
            return m.group(0)
        return f'<text{attrs} direction="rtl" unicode-bidi="embed">{text}</text>'

    return _SVG_TEXT.sub(mark, graph.pipe(format="svg").decode("utf-8"))


def _write(graphs: list[tuple[Path, Any]], formats: tuple[str, ...], progress: Progress | None = None) -> list[Path]:
    """Write ``<stem>.dot`` for every graph, then each format when ``dot`` is installed; ``progress`` is
    told before each graph is drawn and once at the end."""
    written: list[Path] = []
    for stem, g in graphs:
        stem.parent.mkdir(parents=True, exist_ok=True)
        path = stem.with_suffix(".dot")
        path.write_text(g.source, encoding="utf-8")
        written.append(path)
    if shutil.which("dot") is None:
        raise DotMissing(written)
    for done, (stem, g) in enumerate(graphs):
        if progress is not None:
            progress(done, len(graphs), stem.name)
        for fmt in formats:
            path = stem.with_suffix("." + fmt)
            try:
                path.write_bytes(svg_of(g).encode("utf-8") if fmt == "svg" else g.pipe(format=fmt))
            except subprocess.CalledProcessError as exc:  # dot refused the graph it was given
                why = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines() or [str(exc)]
                raise DiagramError(f"{stem.with_suffix('.dot')}: dot could not draw it as {fmt}: {why[0]}") from None
            written.append(path)
    if progress is not None:
        progress(len(graphs), len(graphs), "")
    return written


def write_diagrams(
    cfg: CountryConfig,
    out_dir: Path,
    *,
    lang: str | None = None,
    formats: tuple[str, ...] = ("svg", "png"),
    progress: Progress | None = None,
) -> list[Path]:
    """Write ``<out>/<country>/<flow>.dot`` and ``.svg``/``.png``; ``lang``: only that language's flows (plus shared).

    Without graphviz ``dot`` the DOT sources are written and :class:`DotMissing` says so; a flow that
    cannot be rendered is a :class:`DiagramError`.
    """
    try:
        flows, resolver = render_local(cfg)
    except RenderError as exc:
        raise DiagramError(f"{cfg.code}: the flows cannot be rendered: {exc}") from None
    target = out_dir / cfg.code
    graphs = [
        (target / name, flow_graph(flow, cfg, resolver))
        for name, flow in flows.items()
        if not (lang and flow.language and flow.language != lang)
    ]
    return _write(graphs, formats, progress)


def write_file_diagrams(
    files: list[Path], out_dir: Path, formats: tuple[str, ...] = ("svg",), progress: Progress | None = None
) -> list[Path]:
    """Diagrams of flow files (any export): ``<out>/<file stem>.dot`` and ``.svg``.

    A file that cannot be read, is not JSON or whose JSON is not an object is a
    :class:`DiagramInputError`; a JSON object that is a broken flow is drawn as far as it can be
    read (the linter says what is wrong).
    """
    import json

    graphs = []
    for f in files:
        try:
            content = json.loads(Path(f).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, RecursionError, json.JSONDecodeError) as exc:
            raise DiagramInputError(f"{f}: not a readable JSON flow ({exc})") from None
        if not isinstance(content, dict):
            raise DiagramInputError(f"{f}: not a flow: the JSON is a {type(content).__name__}, not an object")
        meta = _d(_d(content).get("Metadata"))
        title = f"{Path(f).name}" + (f" ({meta.get('type')})" if meta.get("type") else "")
        graphs.append((out_dir / Path(f).stem, graph_of(Path(f).stem, title, content, describe_any)))
    return _write(graphs, formats, progress)
