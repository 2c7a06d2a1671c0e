"""Pydantic-free parsing of the hot path: events, flow Parameters and settings (issue 13, cold start).

Importing pydantic and building the models costs a cold start ~60 ms (pydantic, pydantic_core,
annotated_types and the model classes), about a third of a handler's cold import; a caller hears
that as silence.  So every handler parses its input here first, with the SAME rules as the
pydantic models of :mod:`functions.models.connect`, :mod:`functions.models.contact_event`,
:mod:`functions.models.params` and :mod:`functions.settings` (their before-validators and
patterns are defined in this module and imported by them; the parameter models are derived from
the logic modules' :class:`Spec` s).  This module imports none of them: the pydantic fallback is
:mod:`functions.models.events` (events) and :func:`functions.logic.common.parse_params`.

The fast parsers are *sound, not complete*: they accept only what the pydantic model accepts,
with the same values, and answer ``None`` for anything else (a violation, but also anything
unusual: non-ASCII text around a trimmed edge, an int written as " 2", a timestamp in another
ISO 8601 form).  ``None`` means "ask the pydantic model", which is imported then (the error
path, or a rare input) and raises its usual ``ValidationError`` - so error behaviour (status,
``error_field``, logged field names) is pydantic's own.  tests/unit/functions/test_fn_lean_parsing.py
checks the fast parsers against the pydantic models on valid, invalid and odd inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

# ---- rules shared with the pydantic models ------------------------------------------------------

CONTACT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,127}$"
EVENT_ID_PATTERN = r"^[A-Za-z0-9-]{1,128}$"
EVENT_TYPE_PATTERN = r"^[A-Z_]{1,64}$"
RECORDED_EVENT_TYPES = ("INITIATED", "QUEUED", "CONNECTED_TO_AGENT", "DISCONNECTED")

LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"  # BCP-47-ish: uk, ru, pl, en-GB
SLUG = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
CASE_ID = r"^[A-Z]{2,3}-[A-Z2-7]{12}$"
REGION = r"^[a-z0-9*][a-z0-9_*-]{0,63}$"
AGENT_ARN = r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance/[A-Za-z0-9-]+/agent/[A-Za-z0-9-]+$"
COUNTRY_CODE = r"^[A-Za-z]{2,3}$"
_PHONE_LIKE = re.compile(r"\d[\d\s\-().]{5,}\d")
_NOTE = re.compile(r"^[A-Za-z0-9 _:.,/#-]{0,200}$")

SURVEY_ANSWERS = ("0", "1", "2", "3", "4", "5", "yes", "no", "prefer_not", "no_answer", "skipped")
# What a survey flow may pass: the caller's keys (digits, "*" prefer not to say) or a word.
SURVEY_ANSWER = r"^([0-9]{1,6}|\*|yes|no|prefer_not|no_answer|skipped)$"
SURVEY_KINDS = ("", "choice", "number", "yes_no")
CALLER_ID = re.compile(r"^[0-9a-f]{64}$")
CASE_ID_RE = re.compile(CASE_ID)
NO_VALUE = ("", "none", "null", "undefined")
CALL_TYPES = ("real", "silent", "prank", "abusive", "wrong_number", "information")
OUTCOMES = ("resolved", "referred", "information_given", "follow_up", "dropped")
PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
NOTE_MAX = 2000


def empty_to_none(value: object) -> object:
    return None if value == "" else value


def bool_text(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError("must be 'true' or 'false'")


def unset_is_false(value: object) -> object:
    """An unanswered question ("" from an unset contact attribute) is "false"."""
    return False if value in (None, "") else bool_text(value)


def lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def channel_note(value: object) -> object:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _NOTE.match(value) or _PHONE_LIKE.search(value):
        raise ValueError("channel_note must be short plain text without digit runs")
    return value


def optional_id(pattern: re.Pattern[str], name: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if value is None or (isinstance(value, str) and value.strip().lower() in NO_VALUE):
            return None
        if not isinstance(value, str) or not pattern.match(value.strip()):
            raise ValueError(f"{name} is not valid")
        return value.strip()

    return check


def lower_or(default: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        return default if value in (None, "") else lower(value)

    return check


def urgency(value: object) -> object:
    return "normal" if value in (None, "") else lower(value)


def partner_ids(value: object) -> object:
    if value in (None,) or (isinstance(value, str) and value.strip().lower() in NO_VALUE):
        return ""
    if not isinstance(value, str):
        raise ValueError("partner_ids must be a comma list")
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if len(ids) > 10 or not all(PARTNER_ID.match(i) for i in ids):
        raise ValueError("partner_ids must be a comma list of partner ids")
    return ",".join(dict.fromkeys(ids))


# ---- fast checks (sound: True only where pydantic agrees) ----------------------------------------

_ASCII_WS = " \t\n\r\x0b\x0c"
_SAFE_ASCII = re.compile(r"[\t\n\x0b\x0c\r\x20-\x7e]*")
_INT = re.compile(r"[0-9]{1,9}")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_compiled: dict[str, re.Pattern[str]] = {}


class Unsure(Exception):  # noqa: N818 - not an error: "let pydantic decide"
    """The fast parser cannot vouch for this input."""


def _pattern(pattern: str) -> re.Pattern[str]:
    compiled = _compiled.get(pattern)
    if compiled is None:
        # pydantic's regex (Rust) and Python's agree on these ASCII patterns for ASCII text;
        # fullmatch: "$" must not match before a trailing newline, as in Rust.
        compiled = _compiled[pattern] = re.compile(pattern)
    return compiled


def _plain(value: object) -> str:
    """A str whose pattern check means the same to Python's re and pydantic's Rust regex."""
    if type(value) is not str or not _SAFE_ASCII.fullmatch(value):
        raise Unsure
    return value


def _trimmed(value: object) -> str:
    """``str_strip_whitespace`` where Python's strip and Rust's trim agree (ASCII blanks only)."""
    if type(value) is not str:
        raise Unsure
    stripped = value.strip(_ASCII_WS)
    if stripped.strip() != stripped:  # a non-ASCII or \x1c-\x1f blank at an edge: ask pydantic
        raise Unsure
    return stripped


def _matches(value: str, pattern: str | None) -> str:
    if pattern is not None and not _pattern(pattern).fullmatch(_plain(value)):
        raise Unsure
    return value


def _opt_str(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and type(value) is not str:
        raise Unsure
    return value


def _opt_time(data: dict, key: str) -> datetime | None:
    value = data.get(key)
    return None if value is None else timestamp(value)


def _dict(value: object) -> dict:
    if type(value) is not dict:
        raise Unsure
    return value


def timestamp(value: object) -> datetime:
    """An RFC 3339 timestamp as EventBridge and Amazon Connect write it (other forms: Unsure)."""
    if type(value) is not str or not _TIMESTAMP.fullmatch(value):
        raise Unsure
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Unsure from None


# ---- flow Parameters ----------------------------------------------------------------------------

REQUIRED = object()  # a Field without a default


class Field:
    """One parameter: kind "str" / "opt_str" / "bool" / "int" / "literal", as in the pydantic model."""

    __slots__ = ("name", "kind", "default", "before", "pattern", "choices", "ge", "le", "max_length")

    def __init__(
        self,
        name: str,
        kind: str = "str",
        default: Any = REQUIRED,
        *,
        before: Callable[[object], object] | None = None,
        pattern: str | None = None,
        choices: tuple[str, ...] = (),
        ge: int | None = None,
        le: int | None = None,
        max_length: int | None = None,
    ) -> None:
        self.name, self.kind, self.default, self.before = name, kind, default, before
        self.pattern, self.choices, self.ge, self.le, self.max_length = pattern, choices, ge, le, max_length

    def parse(self, value: object) -> object:
        if self.before is not None:
            try:
                value = self.before(value)
            except ValueError:
                raise Unsure from None
        if self.kind == "opt_str" and value is None:
            return None
        if self.kind in ("str", "opt_str"):
            value = _trimmed(value)  # the params models strip whitespace
            if self.max_length is not None and len(value) > self.max_length:
                raise Unsure
            return _matches(value, self.pattern)
        if self.kind == "literal":
            if type(value) is not str or value not in self.choices:
                raise Unsure
            return value
        if self.kind == "bool":
            if type(value) is not bool:
                raise Unsure
            return value
        # int
        if type(value) is str and _INT.fullmatch(value):
            value = int(value)
        if type(value) is not int:
            raise Unsure
        if (self.ge is not None and value < self.ge) or (self.le is not None and value > self.le):
            raise Unsure
        return value


class Params:
    """The parsed parameters: attributes and ``model_dump()`` as the pydantic model has them."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is frozen")

    def model_dump(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values!r})"


class PartnerChoice:
    """``confirmed``: the partners the operator confirmed (``partner_ids``), as a list."""

    __slots__ = ()

    @property
    def confirmed(self) -> list[str]:
        return [p for p in self.partner_ids.split(",") if p]


class Spec:
    """The flow Parameters one logic module accepts (its ``PARAMS``): the fields, in order, and a
    mixin of both parsed forms.  ``fast`` parses without pydantic; the pydantic model of the same
    fields is :func:`functions.models.params.model_for` (the error path)."""

    def __init__(self, name: str, fields: list[Field], mixin: type | None = None) -> None:
        self.name, self.fields, self.mixin = name, fields, mixin
        self.result = Params if mixin is None else type(name, (mixin, Params), {"__slots__": ()})

    def fast(self, data: object) -> Params | None:
        if type(data) is not dict:
            return None
        values: dict[str, Any] = {}
        try:
            for f in self.fields:
                if f.name in data:
                    values[f.name] = f.parse(data[f.name])
                elif f.default is REQUIRED:
                    return None
                else:
                    values[f.name] = f.default  # defaults are not validated (pydantic's default)
        except Unsure:
            return None
        return self.result(values)


# Fields several Specs share.
REQUIRED_LANGUAGE = Field("language", pattern=LANGUAGE)
OPTIONAL_LANGUAGE = Field("language", "opt_str", None, pattern=LANGUAGE, before=empty_to_none)
CONSENT = Field("consent", "bool", False, before=bool_text)
OPTIONAL_CASE = Field("case_id", "opt_str", None, before=optional_id(CASE_ID_RE, "case_id"))
OPTIONAL_CALLER = Field("caller_id", "opt_str", None, before=optional_id(CALLER_ID, "caller_id"))


# ---- events -------------------------------------------------------------------------------------


class _Node:
    """Attribute access to a validated part of an event (like the frozen pydantic models)."""

    __slots__ = ("__dict__",)

    def __init__(self, /, **values: Any) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is frozen")


class FlowEventAccess:
    """What the logic reads of ``Details`` of a flow event (shared with the pydantic ``ContactFlowEvent``)."""

    @property
    def contact_id(self) -> str:
        return self.Details.ContactData.ContactId

    @property
    def parameters(self) -> dict[str, str]:
        return self.Details.Parameters

    @property
    def related_contact_id(self) -> str | None:
        """``ContactData.RelatedContactId``: for the guide's chat contact, the voice call's ContactId."""
        return self.Details.ContactData.RelatedContactId

    @property
    def customer_address(self) -> str | None:
        endpoint = self.Details.ContactData.CustomerEndpoint
        return endpoint.Address if endpoint is not None else None

    @property
    def channel(self) -> str:
        """``ContactData.Channel`` (VOICE, CHAT, TASK, ...)."""
        return self.Details.ContactData.Channel


class FlowEvent(FlowEventAccess, _Node):
    """An Amazon Connect ``ContactFlowEvent`` as :class:`functions.models.connect.ContactFlowEvent`."""


def _part(value: object, strs: tuple[str, ...] = (), times: tuple[str, ...] = ()) -> _Node | None:
    """An optional object of the event: its optional str and timestamp fields checked, extras kept."""
    if value is None:
        return None
    data = _dict(value)
    return _Node(**{**data, **{k: _opt_str(data, k) for k in strs}, **{k: _opt_time(data, k) for k in times}})


_CONTACT_STR = ("InitialContactId", "PreviousContactId", "InstanceARN", "InitiationMethod", "LanguageCode")


def related_contact_id(value: object) -> object:
    """``RelatedContactId``: absent or "" is None; otherwise the ContactId pattern applies."""
    return None if value == "" else value


def fast_flow_event(event: object) -> FlowEvent | None:
    try:
        event = _dict(event)
        if event.get("Name") != "ContactFlowEvent" or type(event["Name"]) is not str:
            return None
        details = _dict(event.get("Details"))
        data = _dict(details.get("ContactData"))
        contact_id = _matches(data.get("ContactId"), CONTACT_ID_PATTERN)
        channel = data.get("Channel", "VOICE")
        related = related_contact_id(data.get("RelatedContactId"))
        if related is not None:
            related = _matches(related, CONTACT_ID_PATTERN)
        attributes = _dict(data.get("Attributes", {}))
        parameters = _dict(details.get("Parameters", {}))
        if type(channel) is not str or not all(type(k) is str for k in attributes):
            return None
        if not all(type(k) is str and type(v) is str for k, v in parameters.items()):
            return None
        contact = _Node(
            **{
                **data,
                **{k: _opt_str(data, k) for k in _CONTACT_STR},
                "ContactId": contact_id,
                "RelatedContactId": related,
                "Channel": channel,
                "CustomerEndpoint": _part(data.get("CustomerEndpoint"), ("Address", "Type")),
                "SystemEndpoint": _part(data.get("SystemEndpoint"), ("Address", "Type")),
                "Attributes": dict(attributes),
                "Queue": _part(data.get("Queue"), ("ARN", "Name")),
            }
        )
        return FlowEvent(
            **{**event, "Details": _Node(**{**details, "ContactData": contact, "Parameters": dict(parameters)})}
        )
    except (Unsure, KeyError, TypeError):  # TypeError: a key that is not a str
        return None


class ContactEventView(_Node):
    """An EventBridge contact event as :class:`functions.models.contact_event.ContactEvent`."""

    @property
    def contact_id(self) -> str:
        return self.detail.contactId


_DETAIL_STR = (
    "initialContactId",
    "previousContactId",
    "channel",
    "instanceArn",
    "initiationMethod",
    "disconnectReason",
)


def fast_contact_event(event: object) -> ContactEventView | None:
    try:
        event = _dict(event)
        if event.get("detail-type") != "Amazon Connect Contact Event" or event.get("source") != "aws.connect":
            return None
        if "detail_type" in event:  # pydantic reads the alias only; let it say what this is
            return None
        d = _dict(event.get("detail"))
        detail = _Node(
            **{
                **d,
                **{k: _opt_str(d, k) for k in _DETAIL_STR},
                "eventType": _matches(d.get("eventType"), EVENT_TYPE_PATTERN),
                "contactId": _matches(d.get("contactId"), CONTACT_ID_PATTERN),
                "initiationTimestamp": _opt_time(d, "initiationTimestamp"),
                "disconnectTimestamp": _opt_time(d, "disconnectTimestamp"),
                "queueInfo": _part(d.get("queueInfo"), ("queueArn", "queueType"), ("enqueueTimestamp",)),
                "agentInfo": _part(d.get("agentInfo"), ("agentArn",), ("connectedToAgentTimestamp",)),
            }
        )
        fields = {k: v for k, v in event.items() if k != "detail-type"}
        return ContactEventView(
            **{
                **fields,
                "id": _matches(event.get("id"), EVENT_ID_PATTERN),
                "detail_type": "Amazon Connect Contact Event",
                "time": timestamp(event.get("time")),
                "detail": detail,
            }
        )
    except (Unsure, TypeError):
        return None


# ---- settings -----------------------------------------------------------------------------------


def settings_values(fields: dict[str, tuple[Any, dict[str, Any]]], values: dict[str, Any]) -> dict[str, Any] | None:
    """Validated settings (defaults filled in), or None when only the pydantic model can tell."""
    out: dict[str, Any] = {}
    for name, (default, rule) in fields.items():
        if name not in values:
            out[name] = default
            continue
        value = values[name]
        if isinstance(default, int):
            if type(value) is str and _INT.fullmatch(value):
                value = int(value)
            if type(value) is not int or value < rule.get("ge", value):
                return None
        else:
            if type(value) is not str:
                return None
            try:
                _matches(value, rule.get("pattern"))
            except Unsure:
                return None
        out[name] = value
    return out
