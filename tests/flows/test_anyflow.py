"""Flow tools on any flow file: ``helpline call FILE.json`` and ``helpline diagram FILE.json``
on every shared corpus flow, and diagrams without Graphviz (the graph is checked, not drawn)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.flows.anyflow import call_file, find_flow_file
from helpline.flows.diagram import DOT_MISSING, DotMissing, edges, flow_graph, write_diagrams, write_file_diagrams
from helpline.flows.render import render_local

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "flows-corpus"
FILES = sorted(CORPUS.glob("*.json"))
MAIN = CORPUS / "gitlab-cicd-terraform__acme_main_AUTO.json"
runner = CliRunner()


def test_the_corpus_is_there():
    assert len(FILES) == 34


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[-40:])
def test_call_walks_every_corpus_flow(path):
    walk = call_file(path, keys=["1", "-"])
    assert walk.outcome and not walk.outcome.startswith("stopped"), walk
    assert walk.flows[0] == path.name
    for item in walk.unmodelled:  # named: type and identifier
        kind, ident = item.split(" ", 1)
        assert kind and ident


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[-40:])
def test_diagram_graph_of_every_corpus_flow(path, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(DotMissing) as caught:
        write_file_diagrams([path], tmp_path)
    [dot] = caught.value.paths
    source = dot.read_text(encoding="utf-8")
    content = json.loads(path.read_text(encoding="utf-8"))
    assert source.startswith("digraph")
    for action in content["Actions"]:
        assert json.dumps(action["Identifier"]) in source or action["Identifier"] in source
    # one edge per branch plus the start edge
    assert source.count(" -> ") == len(edges(content)) + 1


def test_modules_and_transfers_continue_in_files_of_the_same_folder():
    walk = call_file(MAIN, intents=["Sales"])
    assert walk.flows == [
        MAIN.name,
        "gitlab-cicd-terraform__acme_contact_flow_module_AUTO.json",
        "gitlab-cicd-terraform__acme_queue_transfer_AUTO.json",
    ]
    assert walk.outcome == "queued (the queue accepts)"
    assert any("Lambda acme-exampleFunction" in s and "unknown" in s for s in walk.stubs)
    assert walk.unmodelled == ["ConnectParticipantWithLexBot f713e89c-d360-49a9-93ee-1fbaa5e0ff72"]
    assert find_flow_file("${F:nothing:F}", CORPUS) is None


def test_lambda_stub_file_and_error_option(tmp_path):
    stubs = tmp_path / "stubs.yaml"
    stubs.write_text("acme-exampleFunction:\n  error: true\n")
    from helpline.flows.anyflow import load_stubs

    walk = call_file(MAIN, stubs=load_stubs(stubs))
    assert walk.outcome == "caller disconnected" and "technical difficulties" in walk.transcript[-1]
    assert walk.stubs == ["Lambda acme-exampleFunction: error (stub file)"]
    assert call_file(MAIN, lambda_default="error").outcome == "caller disconnected"


def _hours_flow(tmp_path: Path) -> Path:
    flow = {
        "Version": "2019-10-30",
        "StartAction": "h",
        "Actions": [
            {
                "Identifier": "h",
                "Type": "CheckHoursOfOperation",
                "Parameters": {"HoursOfOperationId": "arn:aws:connect:r:1:instance/i/operating-hours/abc"},
                "Transitions": {
                    "NextAction": "closed",
                    "Conditions": [
                        {"NextAction": "open", "Condition": {"Operator": "Equals", "Operands": ["True"]}},
                        {"NextAction": "closed", "Condition": {"Operator": "Equals", "Operands": ["False"]}},
                    ],
                    "Errors": [{"NextAction": "closed", "ErrorType": "NoMatchingError"}],
                },
            },
            {
                "Identifier": "open",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "We are open"},
                "Transitions": {"NextAction": "x"},
            },
            {
                "Identifier": "closed",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "We are closed"},
                "Transitions": {"NextAction": "x"},
            },
            {"Identifier": "x", "Type": "CreateTask", "Parameters": {}, "Transitions": {"NextAction": "bye"}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }
    path = tmp_path / "hours.json"
    path.write_text(json.dumps(flow))
    return path


def test_hours_are_stubbed_by_option_and_unmodelled_actions_named(tmp_path):
    path = _hours_flow(tmp_path)
    walk = call_file(path, hours="closed")
    assert walk.transcript[0] == "system: We are closed"
    assert walk.stubs == ["hours operating-hours/abc: closed (--hours)"] or "closed (--hours)" in walk.stubs[0]
    assert walk.unmodelled == ["CreateTask x"] and "CreateTask x: not modelled" in walk.transcript[1]
    assert call_file(path).transcript[0] == "system: We are open"


@pytest.mark.parametrize("text", [b"[]", b'"x"', b"{", b"\xff\xfe", b'{"Actions": 5}'])
def test_call_on_any_file_is_one_clear_line(tmp_path, text):
    path = tmp_path / "f.json"
    path.write_bytes(text)
    r = runner.invoke(app, ["call", str(path)])
    assert r.exit_code == 1 and "outcome: stopped: f.json" in r.stdout and "Traceback" not in r.stdout


def test_cli_call_and_diagram_on_a_corpus_file(tmp_path, monkeypatch):
    r = runner.invoke(app, ["call", str(MAIN), "--intent", "Finance", "--lambda", "error"])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (
        "stubbed: Lambda" in r.stdout
        and "not modelled (took its success path): ConnectParticipantWithLexBot" in r.stdout
    )
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = runner.invoke(app, ["diagram", str(MAIN), "--out", str(tmp_path)])
    assert r.exit_code == 0 and "note: graphviz 'dot' is not installed" in r.stderr
    assert (tmp_path / f"{MAIN.stem}.dot").is_file()


def test_country_graph_without_graphviz(tmp_path, monkeypatch):
    """The graph of a country flow is checked from its model and DOT source; drawing is optional."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    cfg = load_country("pl")
    flows, resolver = render_local(cfg)
    flow = flows["inbound"]
    source = flow_graph(flow, cfg, resolver).source
    assert f"__start -> {flow.content['StartAction']}" in source
    assert source.count(" -> ") == len(edges(flow.content)) + 1
    assert any(kind == "error" for *_, kind in edges(flow.content))
    with pytest.raises(DotMissing) as caught:
        write_diagrams(cfg, tmp_path)
    assert str(caught.value) == DOT_MISSING
    assert {p.name for p in caught.value.paths} == {f"{name}.dot" for name in flows}


def test_no_mutated_flow_crashes_call_or_diagram(tmp_path_factory):
    """The linter's Hypothesis strategy of mutated flows, through the walker and the graph."""
    from hypothesis import HealthCheck, given, settings

    from helpline.flows.anyflow import Walker
    from helpline.flows.diagram import describe_any, graph_of
    from tests.flows.test_lint_rules import mutated

    folder = tmp_path_factory.mktemp("mutated")

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated())
    def run(flow):
        path = folder / "flow.json"
        path.write_text(json.dumps(flow), encoding="utf-8")
        walk = Walker(path, keys=["1", "-", "2"]).run()
        assert walk.outcome
        assert graph_of("f", "f", flow, describe_any).source.startswith("digraph")

    run()
