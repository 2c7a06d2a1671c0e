"""Operator scripts: what the operator does on each screen of the step-by-step guide, offline.

A script is a small YAML file (``helpline call pl --lang uk --press - 0 --operator script.yaml``)::

    # who handles the call: the agent's user id in the instance; the guide reads it as
    # $.Agent.ARN (arn:aws:connect:...:instance/<id>/agent/<agent>)
    agent: operator-1
    supervisor: false              # whether that user has the supervisor security profile
    screens:                       # screen = the ShowView action's Identifier in agent_guide
      context-view: ActionSelected # short form: only the result (button) chosen
      calltype-view:
        action: Next
        data: {call_type: real}    # form inputs by Name; choices by their Value
      screening-view:
        action: Next
        data: {region: mazowieckie, urgency: urgent, consent: "true", note: "free text"}
      block-view: timeout          # the operator lets the screen time out (TimeLimitExceeded)
      closing-view: error          # the workspace fails to show it (NoMatchingError)

Rules (checked before the call starts, each problem one clear error naming the file and the
key): ``agent`` is a user id (letters, digits, ``-``), ``supervisor`` true or false; every
screen named must be a ShowView of the guide; an action is one of the results the view offers
(``Next``, ``Back`` on forms and confirmations, ``ActionSelected`` on detail views whose one
action button is then chosen, or ``data: {actionName: ...}`` among several; see
:mod:`helpline.flows.views`), ``timeout`` or ``error``; form data must name the form's inputs
and options (checked when the screen is shown). A screen the script does not
name is left alone by the operator: it times out, as in Connect, and the transcript says so.
A screen shown twice gets the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TIMEOUT = "timeout"  # the operator does not answer: TimeLimitExceeded
FAILS = "error"  # the view cannot be shown: NoMatchingError
_AGENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")  # a Connect user id, as block_caller parses it
DEFAULT_AGENT = "operator-1"


class OperatorScriptError(ValueError):
    """An operator script that cannot be used (message: where and why)."""


@dataclass(frozen=True)
class ScreenStep:
    action: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class OperatorScript:
    agent: str = DEFAULT_AGENT
    supervisor: bool = False
    screens: dict[str, ScreenStep] = field(default_factory=dict)
    source: str = "operator script"

    def step(self, screen: str) -> ScreenStep | None:
        return self.screens.get(screen)

    def check_screens(self, known: list[str]) -> None:
        """Every screen the script names is a ShowView of the guide flow."""
        for name in self.screens:
            if name not in known:
                raise OperatorScriptError(
                    f"{self.source}: screens.{name}: the guide has no such screen; its screens: {', '.join(known)}"
                )


def _value(source: str, where: str, value: Any) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
        return [str(_value(source, where, v)) for v in value]
    raise OperatorScriptError(f"{source}: {where}: give a text, a choice or a list of choices")


def _step(source: str, name: str, raw: Any) -> ScreenStep:
    if isinstance(raw, str):
        raw = {"action": raw}
    if not isinstance(raw, dict):
        raise OperatorScriptError(f"{source}: screens.{name}: give an action (Next) or {{action: ..., data: {{...}}}}")
    unknown = sorted(set(raw) - {"action", "data"})
    if unknown:
        raise OperatorScriptError(f"{source}: screens.{name}.{unknown[0]}: unknown key (use action, data)")
    action = raw.get("action")
    if not isinstance(action, str) or not action:
        raise OperatorScriptError(
            f"{source}: screens.{name}.action: missing (a button such as Next, or timeout, error)"
        )
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        raise OperatorScriptError(f"{source}: screens.{name}.data: give the form inputs as a mapping")
    if data and action in (TIMEOUT, FAILS):
        raise OperatorScriptError(f"{source}: screens.{name}: no data with action {action!r}")
    values = {str(k): _value(source, f"screens.{name}.data.{k}", v) for k, v in data.items()}
    return ScreenStep(action, values)


def parse_operator_script(raw: Any, source: str = "operator script") -> OperatorScript:
    if not isinstance(raw, dict):
        raise OperatorScriptError(f"{source}: must be a mapping with 'agent' and 'screens'")
    unknown = sorted(set(raw) - {"agent", "supervisor", "screens"})
    if unknown:
        raise OperatorScriptError(f"{source}: {unknown[0]}: unknown key (use agent, supervisor, screens)")
    supervisor = raw.get("supervisor", False)
    if not isinstance(supervisor, bool):
        raise OperatorScriptError(f"{source}: supervisor: give true or false")
    agent = str(raw.get("agent", DEFAULT_AGENT))
    if not _AGENT.match(agent):
        raise OperatorScriptError(f"{source}: agent: {agent!r} is not a user id (letters, digits, -)")
    screens = raw.get("screens") or {}
    if not isinstance(screens, dict):
        raise OperatorScriptError(f"{source}: screens: must map screen names to what the operator does")
    steps = {str(name): _step(source, str(name), value) for name, value in screens.items()}
    return OperatorScript(agent=agent, supervisor=supervisor, screens=steps, source=source)


def load_operator_script(path: Path) -> OperatorScript:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise OperatorScriptError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise OperatorScriptError(f"{path}: not valid YAML: {exc}") from None
    return parse_operator_script(raw, source=str(path))
