"""The views a ``ShowView`` action shows in the agent workspace, as the simulator and linter see them.

What Amazon Connect documents, and what this module relies on:

- ``ShowView`` "Initiates a UI-based workflow ... to create step-by-step guides for agents who
  are using the Amazon Connect agent workspace". Parameters ``ViewResource.Id``,
  ``InvocationTimeLimitSeconds``, ``ViewData`` ("Keys and values may be set statically or
  dynamically"), ``SensitiveDataConfiguration.HideResponseOn: ["TRANSCRIPT"]``. Result: "The
  result that the user selects when interacting with the View"; errors ``NoMatchingCondition``,
  ``NoMatchingError`` and ``TimeLimitExceeded`` ("no response before the configured
  InvocationTimeLimitSeconds"). "This action can be used in inbound flows and customer queue
  flows." (https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-showview.html)
- The button the operator chooses is the branch: "When a user chooses the button at runtime, the
  guide sends a response message to flows. The Action value determines the branching path from
  the Show view block." (https://docs.aws.amazon.com/connect/latest/adminguide/no-code-ui-builder-setting-actions-in-flows.html)
- AWS's own guides (aws-samples/amazon-connect-step-by-step-guides-module-library, in
  ../shared/flows-corpus/step-by-step-guides__*) fix what the reference leaves open, and this
  module follows them: every Form view branches on ``Back``, ``Next`` and ``Step`` (a wizard
  step); Detail and List views on ``ActionSelected`` (one of ``ViewData.Actions``, its name in
  ``$.Views.ViewResultData.actionName``) and ``Back``; Cards on ``ActionSelected``, ``Back``
  and ``NoMatchFound``; Confirmation on ``Next``. Buttons appear when ``ViewData`` has them
  (``Back``/``Next``: ``{"Label": ...}``). A form's inputs are ``Sections[].Items[]`` with a
  ``Name`` and a ``Type``; the guide reads them at ``$.Views.ViewResultData.FormData.<Name>``:
  a ``RadioGroup``, ``FormInput``, ``TextArea``, ``DatePicker`` or ``TimePicker`` gives a text
  (``...FormData.returnreason``, ``...FormData.passcode``), a ``Dropdown`` or
  ``CheckboxGroup`` a list (``...FormData.pickup.0``, ``...FormData.extras.1``). The
  DispositionCodes sample addresses a managed view as ``arn:aws:connect:<region>:aws:view/form:1``
  and its guide ends with DisconnectParticipant; the handler flows show the guide reading the
  call's attributes (``$.Attributes.CustomerPhoneNumber`` set before the agent answered).
- Customer-managed views are ``AWS::Connect::View`` resources
  (https://docs.aws.amazon.com/connect/latest/adminguide/view-resources-custom-view.html);
  the guide needs none: every screen is an AWS-managed view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MANAGED_VIEWS: dict[str, str] = {
    "detail": "Detail: a heading, an attribute bar, sections of label/value pairs, action buttons",
    "form": "Form: inputs the operator fills in; the data comes back in $.Views.ViewResultData.FormData",
    "confirmation": "Confirmation: what was done, one button to continue",
    "list": "List: items to choose from",
    "cards": "Cards: cards to choose from",
}
# The results (branches) each managed view can give, as AWS's sample guides branch on them.
VIEW_RESULTS: dict[str, tuple[str, ...]] = {
    "form": ("Back", "Next", "Step"),
    "detail": ("ActionSelected", "Back"),
    "list": ("ActionSelected", "Back"),
    "cards": ("ActionSelected", "Back", "NoMatchFound"),
    "confirmation": ("Next",),
}
TEXT_INPUTS = ("FormInput", "TextArea", "DatePicker", "TimePicker", "RadioGroup")  # give a text
LIST_INPUTS = ("Dropdown", "CheckboxGroup", "Toggle")  # give a list (DispositionCodes reads survey.0)
CHOICE_INPUTS = ("RadioGroup", "Dropdown", "CheckboxGroup")  # have Options
FREE_TEXT_INPUTS = ("FormInput", "TextArea")
VIEW_ERRORS = ("NoMatchingCondition", "NoMatchingError", "TimeLimitExceeded")


class ViewError(ValueError):
    """ViewData the view cannot show, or operator input the view cannot accept."""


def managed_view_arn(region: str, name: str) -> str:
    """An AWS-managed view's ARN (account ``aws``, version 1, as in AWS's DispositionCodes sample)."""
    if name not in MANAGED_VIEWS:
        raise ViewError(f"unknown AWS-managed view {name!r}; known: {', '.join(MANAGED_VIEWS)}")
    return f"arn:aws:connect:{region}:aws:view/{name}:1"


def view_name(view_id: str) -> str | None:
    """The managed view an Id names: ``form``, ``view/form``, ``arn:...:aws:view/form:1`` -> form."""
    name = str(view_id).rsplit("view/", 1)[-1].split(":", 1)[0]
    return name if name in MANAGED_VIEWS else None


def offered_results(view: str, view_data: dict[str, Any]) -> list[str]:
    """The results the operator can give on this view with this ViewData (its buttons)."""
    data = view_data or {}
    out = []
    for result in VIEW_RESULTS.get(view, ()):
        if result == "ActionSelected":
            present = bool(data.get("Actions")) or (view == "cards" and bool(data.get("Cards")))
        elif result == "Step":
            present = bool(data.get("Wizard"))
        else:
            present = result in data or (view == "confirmation" and result == "Next")
        if present:
            out.append(result)
    return out


@dataclass(frozen=True)
class FormInput:
    name: str
    kind: str
    required: bool
    options: tuple[str, ...]


def form_inputs(view_data: dict[str, Any]) -> dict[str, FormInput]:
    """The named inputs of a Form view's ViewData (``Sections[].Items[]`` with a ``Name``)."""
    out: dict[str, FormInput] = {}
    sections = view_data.get("Sections") or []
    for section in sections if isinstance(sections, list) else []:
        for item in (section.get("Items") or []) if isinstance(section, dict) else []:
            if not isinstance(item, dict) or "Name" not in item or "Type" not in item:
                continue  # a DataSection's label/value item
            name, kind = str(item["Name"]), str(item.get("Type", ""))
            if kind not in TEXT_INPUTS + LIST_INPUTS:
                raise ViewError(
                    f"form input {name!r}: Type {kind!r} is not one of {', '.join(TEXT_INPUTS + LIST_INPUTS)}"
                )
            options = tuple(str(o.get("Value")) for o in item.get("Options") or [])
            if kind in CHOICE_INPUTS and not options:
                raise ViewError(f"form input {name!r}: a {kind} needs Options")
            out[name] = FormInput(name, kind, item.get("Required") in (True, "true", "True"), options)
    return out


def form_result(inputs: dict[str, FormInput], data: dict[str, Any], action: str) -> dict[str, Any]:
    """The ViewResultData of a form filled in with ``data`` and left with ``action``.

    ``{"FormData": {name: value}}``: lists for Dropdown and CheckboxGroup, texts otherwise.
    Required inputs must be filled to submit (``Next``); Back returns what was filled in.
    """
    unknown = sorted(set(data) - set(inputs))
    if unknown:
        raise ViewError(f"the form has no input {unknown[0]!r}; its inputs: {', '.join(inputs)}")
    form: dict[str, Any] = {}
    for name, spec in inputs.items():
        if name not in data:
            if spec.required and action == "Next":
                raise ViewError(f"input {name!r} is required")
            continue
        value = data[name]
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if spec.kind in CHOICE_INPUTS:
            if spec.kind != "CheckboxGroup" and len(values) != 1:
                raise ViewError(f"input {name!r} is a {spec.kind}: choose exactly one of {', '.join(spec.options)}")
            bad = [v for v in values if v not in spec.options]
            if bad:
                raise ViewError(f"input {name!r} has no option {bad[0]!r}; options: {', '.join(spec.options)}")
        elif isinstance(value, list):
            raise ViewError(f"input {name!r} is a {spec.kind}: give one text")
        form[name] = values if spec.kind in LIST_INPUTS else values[0]
    return {"FormData": form}
