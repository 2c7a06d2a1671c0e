"""Flow diagrams for review by non-engineers: one SVG and one PNG per flow (graphviz ``dot``).

Each box is one action: what it does and, for spoken actions, the words the caller hears in
the chosen language (recorded prompts show the text of the recording).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

from helpline.config.schema import CountryConfig
from helpline.flows.render import LocalResolver, RenderedFlow, render_local


class DiagramError(Exception):
    pass


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


def require_dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise DiagramError(
            "graphviz 'dot' is not installed; install it (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz)"
        )
    return dot


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
    import graphviz

    voices = {lg.voice: lg.code for lg in cfg.languages if lg.voice}
    g = graphviz.Digraph(
        name=flow.name,
        graph_attr={
            "rankdir": "TB",
            "label": f"{cfg.name}: {flow.name} ({flow.type})\n{flow.description}",
            "labelloc": "t",
            "fontname": "Helvetica",
        },
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    g.node("__start", "call starts" if flow.name == "inbound" else "start", shape="circle", fillcolor="#ffffff")
    g.edge("__start", flow.content["StartAction"])
    for action in flow.content["Actions"]:
        ident = action["Identifier"]
        g.node(
            ident,
            _describe(action, cfg, resolver, flow.language, voices),
            fillcolor=COLORS.get(action["Type"], "#fafafa"),
        )
        tr = action.get("Transitions") or {}
        targets_done: set[tuple[str, str]] = set()
        for c in tr.get("Conditions") or []:
            label = "= " + ", ".join(str(o) for o in c["Condition"].get("Operands", []))
            g.edge(ident, c["NextAction"], label=label)
            targets_done.add((c["NextAction"], label))
        for e in tr.get("Errors") or []:
            g.edge(ident, e["NextAction"], label=e["ErrorType"], color="#c62828", fontcolor="#c62828", style="dashed")
        if "NextAction" in tr and action["Type"] not in ("TransferContactToQueue",):
            g.edge(ident, tr["NextAction"], label="" if not tr.get("Conditions") else "otherwise")
        elif "NextAction" in tr:
            g.edge(ident, tr["NextAction"], label="(after the queue)", style="dotted")
    return g


def write_diagrams(
    cfg: CountryConfig, out_dir: Path, *, lang: str | None = None, formats: tuple[str, ...] = ("svg", "png")
) -> list[Path]:
    """Write ``<out>/<country>/<flow>.svg|png``. ``lang``: only that language's flows (plus shared)."""
    require_dot()
    flows, resolver = render_local(cfg)
    target = out_dir / cfg.code
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, flow in flows.items():
        if lang and flow.language and flow.language != lang:
            continue
        g = flow_graph(flow, cfg, resolver)
        for fmt in formats:
            path = target / f"{name}.{fmt}"
            path.write_bytes(g.pipe(format=fmt))
            written.append(path)
    return written
