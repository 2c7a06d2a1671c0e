"""`helpline diagram`: build/diagrams by default, --format json lists the files and their bytes, a progress bar
on standard error while drawing, exit 1 for a flow that cannot be drawn and 2 for an input that is no flow."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from rich.console import Console
from typer.testing import CliRunner

from helpline import cli
from helpline.cli import app
from helpline.flows import diagram
from helpline.flows.render import RenderError

runner = CliRunner()
FLOW = {
    "Version": "2019-10-30",
    "StartAction": "bye",
    "Actions": [{"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}],
}


@pytest.fixture
def no_graphviz(monkeypatch):
    """Without `dot` only the DOT sources are written: quick, and the same on every machine."""
    monkeypatch.setattr(shutil, "which", lambda name: None)


@pytest.fixture
def fake_dot(monkeypatch):
    """A `dot` that draws every graph as a few bytes, so drawing (and its progress) runs on every machine."""
    monkeypatch.setattr(shutil, "which", lambda name: "dot")
    monkeypatch.setattr("graphviz.Digraph.pipe", lambda self, format: f"<{format} of {self.name}>".encode())


def test_the_default_folder_is_build_diagrams_and_json_lists_what_the_table_shows(tmp_path, monkeypatch, no_graphviz):
    monkeypatch.chdir(tmp_path)
    text = runner.invoke(app, ["diagram", "pl", "--lang", "ru"])
    as_json = runner.invoke(app, ["diagram", "pl", "--lang", "ru", "--format", "json"])
    assert text.exit_code == as_json.exit_code == 0, text.output
    data = json.loads(as_json.stdout)
    assert data["out"] == "build/diagrams" and data["pictures"] is False and "not installed" in data["note"]
    names = {item["file"] for item in data["files"]}
    assert "build/diagrams/pl/inbound_ru.dot" in names and "build/diagrams/pl/inbound_uk.dot" not in names
    for item in data["files"]:
        assert (tmp_path / item["file"]).stat().st_size == item["bytes"]
        assert item["file"] in text.stdout
    assert "note: graphviz 'dot' is not installed" in as_json.stderr  # the note: never on stdout in json
    assert not (tmp_path / "diagrams").exists()


def test_drawing_shows_progress_on_stderr_and_json_stays_clean(tmp_path, monkeypatch, fake_dot):
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=100))  # a terminal
    result = runner.invoke(app, ["diagram", "pl", "--lang", "uk", "--out", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    svgs = [item for item in data["files"] if item["file"].endswith(".svg")]
    assert data["pictures"] is True and data["note"] is None and svgs
    assert (tmp_path / "pl" / "inbound_uk.png").read_bytes() == b"<png of inbound_uk>"
    assert "drawing" in screen.getvalue() and f"{len(svgs)}/{len(svgs)}" in screen.getvalue()  # every graph drawn


def test_progress_is_told_before_each_graph_and_at_the_end(tmp_path, fake_dot):
    told = []
    files = []
    for name in ("a", "b"):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(FLOW), encoding="utf-8")
    diagram.write_file_diagrams(files, tmp_path / "out", progress=lambda *args: told.append(args))
    assert told == [(0, 2, "a"), (1, 2, "b"), (2, 2, "")]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"{not json", "not a readable JSON flow"),
        (b"\xff\xfe", "not a readable JSON flow"),
        (b"[1, 2]", "not a flow: the JSON is a list, not an object"),
    ],
)
def test_a_file_that_is_no_flow_is_bad_input(tmp_path, content, says, no_graphviz):
    path = tmp_path / "f.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["diagram", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: ") and says in line


def test_a_missing_file_or_unknown_country_is_bad_input(tmp_path, no_graphviz):
    missing = runner.invoke(app, ["diagram", str(tmp_path / "gone.json"), "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "gone.json: not a readable JSON flow" in missing.stderr
    unknown = runner.invoke(app, ["diagram", "zz", "--out", str(tmp_path)])
    assert unknown.exit_code == 2 and "zz.yaml: file not found" in unknown.stderr


def test_a_broken_flow_object_is_still_drawn(tmp_path, no_graphviz):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"StartAction": "a", "Actions": [{"Identifier": "a", "Transitions": 5}]}))
    result = runner.invoke(app, ["diagram", str(path), "--out", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["files"][0]["file"].endswith("broken.dot")


def test_flows_that_cannot_be_rendered_exit_1(tmp_path, monkeypatch, no_graphviz):
    def broken(cfg):
        raise RenderError("inbound_lang.json: unknown variable ${nowhere} in 'x'")

    monkeypatch.setattr(diagram, "render_local", broken)
    result = runner.invoke(app, ["diagram", "pl", "--out", str(tmp_path)])
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        result.stderr.strip()
        == "pl: the flows cannot be rendered: inbound_lang.json: unknown variable ${nowhere} in 'x'"
    )


def test_a_graph_dot_refuses_exits_1(tmp_path, monkeypatch, fake_dot):
    import subprocess

    def refuse(self, format):
        raise subprocess.CalledProcessError(1, ["dot"], stderr=b"Error: syntax error in line 3\nmore")

    monkeypatch.setattr("graphviz.Digraph.pipe", refuse)
    path = tmp_path / "f.json"
    path.write_text(json.dumps(FLOW), encoding="utf-8")
    result = runner.invoke(app, ["diagram", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"{tmp_path / 'out' / 'f.dot'}: dot could not draw it as svg: Error: syntax error in line 3"
    )
