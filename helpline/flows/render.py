"""Render the contact-flow templates in ``contact_flows/`` for one country.

ONE renderer, two resolvers (DESIGN.md, "offline proof chain"): the stack and the simulator
both call :func:`render_country`; only ``resolve(kind, name)`` differs. The stack's resolver
returns CloudFormation tokens, :class:`LocalResolver` returns readable local names. Every
reference in the output JSON comes from a ``resolve`` call made inside ``render_country``.

Template language (a Flow-language JSON document plus a few template constructs):

- ``"Template": {name, type, per_language, description}`` at top level: the flow's name
  (``${lang}`` allowed for per-language flows), its Connect flow type and description.
  Removed from the output.
- ``${var}`` inside any string: a variable. ``lang`` (current language), ``first_lang``,
  ``last_lang``, ``operator_lang`` (the operators' working language), ``case_prefix`` (``PL-``: case ids), ``first_topic``, ``emergency_digit``; inside ``$each``: ``lang``/``digit``
  (languages) or ``topic``/``digit`` (topics) and ``next`` (see below).
- ``{{kind:name}}`` inside a string: a reference. ``queue``, ``lambda``, ``hours``, ``flow``
  go to ``resolve(kind, name)`` (hours: ``main`` or ``weekly``, see :data:`HOURS_RESOURCES`);
  ``voice:<lang>`` is the language's Amazon Polly voice; ``engine:<lang>`` that voice's engine (Standard where
  the voice has it, else Neural); ``cfg:<key>`` is a number from the country file (see :data:`CFG_VALUES`).
- ``"$say": "<prompt id>"`` in a Parameters object or a message object: the spoken text in
  the action's language: ``{"Text": ...}`` for an Amazon Polly language, ``{"PromptId":
  resolve("prompt", "<lang>/<prompt id>")}`` for a language with recorded prompts. The text
  comes from ``cfg.spoken(lang)``; templates hold no sentence.
- ``"$audio": "<id>"`` in a message object: ``{"PromptId": resolve("prompt", "shared/<id>")}``,
  generated audio shared by every language (``hold_music``, see :mod:`helpline.prompts`).
- ``"$in": "<lang>"`` on an action: speak that language instead of ``${lang}``.
- ``"before_identification": [<action id>, ...]`` in ``Template`` (only with ``only_if:
  outbound_survey``): the actions a survey call placed by the helpline says before the person who
  answered is identified (the opener, its retry and its neutral goodbye). They may speak only
  :data:`NEUTRAL_PROMPTS` and name nothing, not even the emergency number: a voicemail or whoever
  picks up a shared phone must not learn the connection. A call that ends having heard nothing
  else counts as safe in the simulator (``CallResult.ended_before_identification``). Kept as
  ``RenderedFlow.before_identification``; checked here (:func:`_before_identification`).
- ``"only_if": "post_call_survey"`` or ``"outbound_survey"`` in ``Template``: render the flow only
  for a country with a survey of that kind (``post_call_survey.json``, ``outbound_survey.json``).
  ``${survey}``/``${first_question}`` are the post-call survey's id and first question and
  ``$each: survey_questions`` repeats over its questions; ``${outbound}``/``${outbound_first_question}``
  and ``$each: outbound_questions`` are the same for the outbound survey. A question row holds
  ``q``, ``qkind``, ``qchoices``, ``qdigits``, ``qtimeout`` and ``qretries``.
- ``"$if": <condition or list of conditions>`` on an action: keep the action only if every
  condition holds: ``post_call_survey`` / ``outbound_survey`` (the country has one), ``polly`` / ``recorded`` (its language uses Amazon Polly / recorded
  prompts), ``multi_language`` / ``single_language`` (the country offers several languages /
  one), ``default_language`` (the action's language is the first, the default one), ``analytics`` / ``no_analytics`` (Contact Lens analyses its language),
  ``analytics_redacted`` / ``analytics_unredacted`` (and can / cannot redact it), ``never``. A
  dropped action is bypassed: whatever pointed at it points at its ``"$skip_to"`` if given,
  else at its ``NextAction``.
- ``{{analytics:<lang>}}``: the Contact Lens analytics locale of a language (e.g. ro-RO).
- ``{{label:<key>}}``: a label of the operators' guide in the operators' language
  (:mod:`helpline.guide`; a missing label is a :class:`RenderError`).
- ``{{langname:<lang>}}``: a caller language's name in the operators' language (shown to them).
- ``{{view:<name>}}``: a view shown by ``ShowView``, resolved like queues (``resolve("view",
  name)``): an AWS-managed view (:data:`helpline.flows.views.MANAGED_VIEWS`) or one of ours.
- ``{"$each": <list>, "items": [...], "then": "<id>"}`` in ``Actions`` or in a
  ``Conditions``/``Errors`` list: the items repeated for every element of ``languages``,
  ``languages_but_last``, ``last_language``, ``topics``, ``topics_but_last`` or
  ``last_topic``; and for the guide's forms ``regions``, ``call_types``, ``outcomes``,
  ``block_hours``, ``needs_families`` (``code``, ``mark``) and ``needs_subcodes`` (``code``,
  ``family``, ``mark``). ``${next}`` is the first action of the next repetition (``then`` after
  the last one).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpline.config.schema import CountryConfig, Survey

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "contact_flows"
FLOW_VERSION = "2019-10-30"
MAX_CONTENT_CHARS = 256_000

# The templates, in rendering order. Per-language templates render once per language.
TEMPLATE_FILES: tuple[str, ...] = (
    "inbound.json",
    "inbound_lang.json",
    "customer_queue.json",
    "agent_whisper.json",
    "agent_guide.json",
    "post_call_survey.json",
    "outbound_survey.json",
)

# Which Connect flow type each flow name has (per-language names use the ``_<lang>`` suffix).
FLOW_TYPES: dict[str, str] = {
    "inbound": "CONTACT_FLOW",
    "inbound_<lang>": "CONTACT_FLOW",
    "customer_queue": "CUSTOMER_QUEUE",
    "agent_whisper": "AGENT_WHISPER",
    # The disconnect flow (CustomerRemaining hook): AWS's sample disconnect flow is an inbound
    # flow (adminguide/sample-disconnect.html).
    "post_call_survey": "CONTACT_FLOW",
    # The step-by-step guide: ShowView "can be used in inbound flows and customer queue flows"
    # (APIReference/participant-actions-showview.html); AWS's own guide samples are inbound flows.
    "agent_guide": "CONTACT_FLOW",
    # The outbound needs survey, per language: StartOutboundVoiceContact's ContactFlowId is "the
    # identifier of the flow for the outbound call", a contact flow (APIReference/
    # API_StartOutboundVoiceContact.html).
    "outbound_survey_<lang>": "CONTACT_FLOW",
}
# Flows rendered only when the country has a survey of this kind (Template "only_if").
ONLY_IF = ("post_call_survey", "outbound_survey")
# The flow a phone number is associated with.
ENTRY_FLOW = "inbound"

# The only prompts an action listed in a template's "before_identification" may say: the outbound
# survey's opener and its neutral goodbye, and the general "not an option" / "no choice" messages.
NEUTRAL_PROMPTS = ("survey_${outbound}_opener", "survey_${outbound}_opener_goodbye", "invalid_input", "no_input")
BEFORE_IDENTIFICATION_TYPES = ("GetParticipantInput", "MessageParticipant")

# Resolver kinds; ``resolve(kind, name)`` must handle each.
RESOLVE_KINDS = ("queue", "lambda", "hours", "flow", "prompt", "view")

# The hours of operation a template may name (``{{hours:<name>}}``), each an
# ``AWS::Connect::HoursOfOperation`` the stack creates with the country's weekly hours and time
# zone (stacks/constructs/telephony.py). ``main`` (the queues' hours) also carries the closures
# (``hours.closures``) as CLOSED overrides; ``weekly`` carries none, so where ``main`` says
# closed, ``weekly`` tells a closure (open by the week) from a normal closed hour. Name -> whether
# it carries the closures; the simulator evaluates each by its own definition.
HOURS_RESOURCES: dict[str, bool] = {"main": True, "weekly": False}

Resolver = Callable[[str, str], str]

_VAR = re.compile(r"\$\{([a-z_]+)\}")
_REF = re.compile(r"\{\{([a-z_]+):([^{}]+)\}\}")


class RenderError(Exception):
    """A template is wrong (unknown variable, reference, list or prompt)."""


@dataclass
class RenderedFlow:
    name: str
    type: str
    description: str
    content: dict[str, Any]
    language: str | None = None
    references: list[tuple[str, str]] = field(default_factory=list)
    # Actions said before the person who answered a placed call is identified (Template
    # "before_identification"): a call that heard only these may end without the emergency number.
    before_identification: tuple[str, ...] = ()

    def json(self) -> str:
        return json.dumps(self.content, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def cfg_values(cfg: CountryConfig) -> dict[str, str]:
    """Numbers a template may read with ``{{cfg:<key>}}``."""
    return {
        "input_timeout": str(cfg.ivr.input_timeout_seconds),
        "lambda_timeout": str(cfg.ivr.lambda_timeout_seconds),
        "retries": str(cfg.ivr.max_attempts - 1),
        "queue_message_seconds": str(cfg.ivr.queue_message_seconds),
        # The emergency option is offered right after the privacy notice; a short window
        # (never longer than the menu time-out) keeps every other caller moving.
        "emergency_window": str(min(3, cfg.ivr.input_timeout_seconds)),
        "queue_offer_timeout": str(min(5, cfg.ivr.input_timeout_seconds)),
    }


CFG_VALUES = tuple(
    ("input_timeout", "lambda_timeout", "retries", "queue_message_seconds", "emergency_window", "queue_offer_timeout")
)


def _guide_lists(cfg: CountryConfig) -> dict[str, list[dict[str, str]]]:
    """``$each`` lists of the operators' guide forms (helpline/guide)."""
    from helpline import guide

    return {
        "regions": [{"region": r} for r in cfg.regions],
        "call_types": [{"call_type": c} for c in guide.CALL_TYPES],
        "outcomes": [{"outcome": o} for o in guide.OUTCOMES],
        "block_hours": [{"hours": h} for h in guide.BLOCK_HOURS],
        "needs_families": guide.needs_families(),
        "needs_subcodes": guide.needs_subcodes(),
    }


def _survey_questions(survey: Survey | None) -> list[dict[str, str]]:
    """``$each: survey_questions`` / ``outbound_questions``: a survey's questions (``q``, ``qkind``,
    ``qchoices``, ``qdigits`` (1 for a key answer), ``qtimeout``, ``qretries``)."""
    if survey is None:
        return []
    return [
        {
            "q": q.id,
            "qkind": q.kind,
            "qchoices": str(len(q.choices) or 2),
            "qdigits": str(q.max_digits if q.kind == "number" else 1),
            "qtimeout": str(q.timeout_seconds),
            "qretries": str(q.retries),
        }
        for q in survey.questions
    ]


def load_template(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RenderError(f"{path.name}: not valid JSON: {exc}") from None
    if "Template" not in data:
        raise RenderError(f"{path.name}: no 'Template' header (name, type, per_language, description)")
    return data


class _Renderer:
    def __init__(self, cfg: CountryConfig, resolve: Resolver, template_name: str, lang: str | None):
        self.cfg = cfg
        self.resolve = resolve
        self.template = template_name
        self.lang = lang
        self.references: list[tuple[str, str]] = []
        self.spoken: dict[str, dict[str, str]] = {}
        self.values = cfg_values(cfg)
        langs = cfg.language_codes
        self.globals = {
            "first_lang": langs[0],
            "last_lang": langs[-1],
            "operator_lang": cfg.operator_language,
            "case_prefix": f"{cfg.code.upper()}-",  # case ids: functions/logic/common.py case_id_for
            "first_topic": cfg.topics[0].key,
            "emergency_digit": cfg.emergency.digit,
        }
        survey = cfg.post_call_survey
        if survey is not None:
            self.globals["survey"] = survey.id
            self.globals["first_question"] = survey.questions[0].id
        outbound = cfg.outbound_survey
        if outbound is not None:
            self.globals["outbound"] = outbound.id
            self.globals["outbound_first_question"] = outbound.questions[0].id
        if lang:
            self.globals["lang"] = lang

    # ---- strings -------------------------------------------------------------------------
    def subst_vars(self, text: str, env: dict[str, str]) -> str:
        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in env:
                raise RenderError(f"{self.template}: unknown variable ${{{name}}} in {text!r}")
            return env[name]

        return _VAR.sub(repl, text)

    def voice(self, lang: str) -> str:
        """The language's Amazon Polly voice (``{{voice:<lang>}}``)."""
        try:
            voice = self.cfg.language(lang).voice
        except KeyError:
            raise RenderError(f"{self.template}: {{{{voice:{lang}}}}}: unknown language") from None
        if not voice:
            raise RenderError(f"{self.template}: {{{{voice:{lang}}}}}: language has no Polly voice")
        return voice

    def subst_refs(self, text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            kind, name = m.group(1), m.group(2)
            if kind in ("queue", "lambda", "hours", "flow", "view"):
                self.references.append((kind, name))
                return self.resolve(kind, name)
            if kind == "voice":
                return self.voice(name)
            if kind == "engine":  # the voice's engine, explicit (helpline/config/reference.py, POLLY_ENGINES)
                from helpline.config.reference import polly_engine

                return polly_engine(self.voice(name))
            if kind == "analytics":
                from helpline.config.reference import CONTACT_LENS_LANGUAGES

                if name not in CONTACT_LENS_LANGUAGES:
                    raise RenderError(f"{self.template}: {{{{analytics:{name}}}}}: Contact Lens does not analyse it")
                return CONTACT_LENS_LANGUAGES[name]
            if kind == "label":
                return self.label(name)
            if kind == "langname":
                return self.language_name(name)
            if kind == "cfg":
                if name not in self.values:
                    raise RenderError(f"{self.template}: unknown {{{{cfg:{name}}}}}; known: {', '.join(self.values)}")
                return self.values[name]
            raise RenderError(f"{self.template}: unknown reference kind {kind!r} in {text!r}")

        return _REF.sub(repl, text)

    def label(self, key: str) -> str:
        from helpline.guide import GuideLabelError, labels

        try:
            table = labels(self.cfg.operator_language, self.cfg.operators.labels)
        except GuideLabelError as exc:
            raise RenderError(f"{self.template}: {exc}") from None
        if key not in table:
            raise RenderError(
                f"{self.template}: unknown label {{{{label:{key}}}}} (not in helpline/guide/labels/en.yaml)"
            )
        return table[key]

    def language_name(self, code: str) -> str:
        from helpline.config.messages import LANGUAGE_NAME_PREFIX

        names = self.cfg.messages.get(self.cfg.operator_language, {})
        if f"{LANGUAGE_NAME_PREFIX}{code}" not in names:
            raise RenderError(f"{self.template}: {{{{langname:{code}}}}}: no {LANGUAGE_NAME_PREFIX}{code} message")
        return names[f"{LANGUAGE_NAME_PREFIX}{code}"]

    def say(self, prompt_id: str, lang: str) -> dict[str, str]:
        if lang not in self.spoken:
            self.spoken[lang] = self.cfg.spoken(lang)
        if prompt_id not in self.spoken[lang]:
            raise RenderError(f"{self.template}: unknown prompt {prompt_id!r} for language {lang!r}")
        if self.cfg.uses_recordings(lang):
            name = f"{lang}/{prompt_id}"
            self.references.append(("prompt", name))
            return {"PromptId": self.resolve("prompt", name)}
        return {"Text": self.spoken[lang][prompt_id]}

    # ---- structure -----------------------------------------------------------------------
    def each_items(self, selector: str) -> list[dict[str, str]]:
        langs = [{"lang": lg.code, "digit": lg.digit} for lg in self.cfg.languages]
        topics = [{"topic": t.key, "digit": t.digit} for t in self.cfg.topics]
        table = {
            "languages": langs,
            "languages_but_last": langs[:-1],
            "last_language": langs[-1:],
            "topics": topics,
            "topics_but_last": topics[:-1],
            "last_topic": topics[-1:],
        }
        table.update(_guide_lists(self.cfg))
        table["survey_questions"] = _survey_questions(self.cfg.post_call_survey)
        table["outbound_questions"] = _survey_questions(self.cfg.outbound_survey)
        if selector not in table:
            raise RenderError(f"{self.template}: unknown $each list {selector!r}; known: {', '.join(table)}")
        return table[selector]

    def expand_list(self, items: list[Any], env: dict[str, str], *, actions: bool) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, dict) and "$each" in item:
                rows = self.each_items(item["$each"])
                body = item.get("items", [])
                for i, row in enumerate(rows):
                    sub = {**env, **row}
                    if actions:
                        if i + 1 < len(rows):
                            nxt_env = {**env, **rows[i + 1]}
                            sub["next"] = self.subst_vars(body[0]["Identifier"], {**nxt_env, "next": ""})
                        else:
                            sub["next"] = self.subst_vars(item.get("then", ""), sub) if item.get("then") else ""
                    out.extend(self.expand_list(body, sub, actions=actions))
            else:
                value = self.expand_value(item, env)
                if actions and isinstance(value, dict) and "lang" in env:
                    value.setdefault("$in", env["lang"])
                out.append(value)
        return out

    def expand_value(self, value: Any, env: dict[str, str]) -> Any:
        if isinstance(value, str):
            return self.subst_vars(value, env)
        if isinstance(value, list):
            return self.expand_list(value, env, actions=False)
        if isinstance(value, dict):
            return {k: self.expand_value(v, env) for k, v in value.items()}
        return value

    def speech(self, value: Any, lang: str) -> Any:
        """Replace every ``$say`` (after variables) by Text or PromptId, then references."""
        if isinstance(value, str):
            return self.subst_refs(value)
        if isinstance(value, list):
            return [self.speech(v, lang) for v in value]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                if k == "$say":
                    out.update(self.say(v, lang))
                elif k == "$audio":  # generated audio shared by every language (e.g. hold music)
                    name = f"shared/{v}"
                    self.references.append(("prompt", name))
                    out["PromptId"] = self.resolve("prompt", name)
                else:
                    out[k] = self.speech(v, lang)
            return out
        return value

    def holds(self, cond: str, lang: str, action_id: str | None) -> bool:
        """An ``$if`` condition, for an action spoken in ``lang``."""
        from helpline.config.reference import CONTACT_LENS_LANGUAGES, CONTACT_LENS_REDACTION

        analysed = self.cfg.instance.contact_lens and lang in CONTACT_LENS_LANGUAGES
        redacted = analysed and lang in CONTACT_LENS_REDACTION
        table = {
            "polly": not self.cfg.uses_recordings(lang),
            "recorded": self.cfg.uses_recordings(lang),
            "multi_language": len(self.cfg.languages) > 1,
            "default_language": lang == self.cfg.language_codes[0],
            "single_language": len(self.cfg.languages) == 1,
            "analytics": analysed,
            "analytics_redacted": redacted,
            "analytics_unredacted": analysed and not redacted,
            "no_analytics": not analysed,
            "post_call_survey": self.cfg.post_call_survey is not None,
            "outbound_survey": self.cfg.outbound_survey is not None,
            "never": False,
        }
        if cond not in table:
            raise RenderError(f"{self.template}: unknown $if {cond!r} on {action_id}; known: {', '.join(table)}")
        return table[cond]

    def render(self, data: dict[str, Any]) -> dict[str, Any]:
        env = dict(self.globals)
        actions = self.expand_list(data["Actions"], env, actions=True)
        start = self.subst_vars(data["StartAction"], env)

        kept: list[dict[str, Any]] = []
        bypass: dict[str, str] = {}
        for action in actions:
            lang = action.pop("$in", None) or self.lang or self.globals["first_lang"]
            cond = action.pop("$if", None)
            skip_to = action.pop("$skip_to", None)
            conds = [cond] if isinstance(cond, str) else list(cond or [])
            if not all(self.holds(c, lang, action.get("Identifier")) for c in conds):
                bypass[action["Identifier"]] = skip_to or action.get("Transitions", {}).get("NextAction", "")
                continue
            kept.append(self.speech(action, lang))

        def follow(target: str) -> str:
            seen = set()
            while target in bypass and target not in seen:
                seen.add(target)
                target = bypass[target]
            return target

        for action in kept:
            tr = action.get("Transitions", {})
            if "NextAction" in tr:
                tr["NextAction"] = follow(tr["NextAction"])
            for key in ("Conditions", "Errors"):
                for branch in tr.get(key, []):
                    branch["NextAction"] = follow(branch["NextAction"])
        # Connect's own exports order the keys like this.
        ordered = [{k: a[k] for k in ("Parameters", "Identifier", "Type", "Transitions") if k in a} for a in kept]
        return {"Version": data.get("Version", FLOW_VERSION), "StartAction": follow(start), "Actions": ordered}


def _before_identification(data: dict[str, Any], content: dict[str, Any], file: str) -> tuple[str, ...]:
    """The template's ``before_identification`` actions, checked: only in an ``only_if:
    outbound_survey`` template (a call the helpline places), each an input or message action of the
    rendered flow that says one of :data:`NEUTRAL_PROMPTS` and nothing else."""
    header = data["Template"]
    ids = header.get("before_identification", [])
    if not ids:
        return ()
    if header.get("only_if") != "outbound_survey":
        raise RenderError(
            f"{file}: before_identification is only for a call the helpline places (only_if: outbound_survey)"
        )
    template = {a.get("Identifier"): a for a in data["Actions"] if isinstance(a, dict) and "Identifier" in a}
    rendered = {a["Identifier"] for a in content["Actions"]}
    for ident in ids:
        action = template.get(ident)
        if action is None or ident not in rendered:
            raise RenderError(f"{file}: before_identification names {ident!r}, which is no action of the flow")
        said = (action.get("Parameters") or {}).get("$say")
        if action.get("Type") not in BEFORE_IDENTIFICATION_TYPES or said not in NEUTRAL_PROMPTS:
            raise RenderError(
                f"{file}: before_identification action {ident!r} must be a {' or '.join(BEFORE_IDENTIFICATION_TYPES)}"
                f" saying one of {', '.join(NEUTRAL_PROMPTS)} (it says {said!r})"
            )
    return tuple(ids)


def render_template(
    cfg: CountryConfig, resolve: Resolver, data: dict[str, Any], *, lang: str | None = None, file: str = "template"
) -> RenderedFlow:
    header = data["Template"]
    r = _Renderer(cfg, resolve, file, lang)
    content = r.render(copy.deepcopy(data))
    name = r.subst_vars(header["name"], r.globals)
    return RenderedFlow(
        name=name,
        type=header["type"],
        description=header.get("description", ""),
        content=content,
        language=lang,
        references=r.references,
        before_identification=_before_identification(data, content, file),
    )


def render_country(
    cfg: CountryConfig, resolve: Resolver, templates_dir: Path = TEMPLATES_DIR
) -> dict[str, RenderedFlow]:
    """Every flow of the country: name -> :class:`RenderedFlow` (stable names, stable order).

    Names: ``inbound`` (the phone number's flow), ``inbound_<lang>`` for each language,
    ``customer_queue`` (CUSTOMER_QUEUE), ``agent_whisper`` (AGENT_WHISPER) and ``agent_guide``
    (CONTACT_FLOW: the operators' step-by-step guide, started by the DefaultAgentUI hook), with a
    post-call survey ``post_call_survey`` (the disconnect flow) and with an outbound survey
    ``outbound_survey_<lang>`` for each language (the flow a survey call placed by
    StartOutboundVoiceContact runs).
    """
    flows: dict[str, RenderedFlow] = {}
    for filename in TEMPLATE_FILES:
        data = load_template(templates_dir / filename)
        header = data["Template"]
        only_if = header.get("only_if")
        if only_if is not None and only_if not in ONLY_IF:
            raise RenderError(f"{filename}: unknown only_if {only_if!r}; known: {', '.join(ONLY_IF)}")
        if only_if == "post_call_survey" and cfg.post_call_survey is None:
            continue  # only countries with a post-call survey get the disconnect flow
        if only_if == "outbound_survey" and cfg.outbound_survey is None:
            continue  # only countries with an outbound survey get its flows
        langs: list[str | None] = list(cfg.language_codes) if header.get("per_language") else [None]
        for lang in langs:
            flow = render_template(cfg, resolve, data, lang=lang, file=filename)
            if flow.name in flows:
                raise RenderError(f"{filename}: flow name {flow.name!r} rendered twice")
            flows[flow.name] = flow
    for flow in flows.values():
        for kind, name in flow.references:
            if kind == "flow" and name not in flows:
                raise RenderError(f"flow {flow.name}: refers to flow {name!r}, which is not rendered")
    return flows


def flow_type(name: str) -> str:
    """Connect flow type of a flow name returned by :func:`render_country`."""
    if name in FLOW_TYPES:
        return FLOW_TYPES[name]
    if name.startswith("inbound_"):
        return FLOW_TYPES["inbound_<lang>"]
    if name.startswith("outbound_survey_"):
        return FLOW_TYPES["outbound_survey_<lang>"]
    raise KeyError(name)


class LocalResolver:
    """Readable local names (``queue/uk``, ``lambda/identify_caller``, ``prompt/uk/welcome``,
    ``view/form``...).

    Keeps the reverse map so the simulator can tell what a rendered value refers to.
    """

    def __init__(self, cfg: CountryConfig):
        self.cfg = cfg
        self.reverse: dict[str, tuple[str, str]] = {}

    def __call__(self, kind: str, name: str) -> str:
        if kind not in RESOLVE_KINDS:
            raise RenderError(f"unknown reference kind {kind!r}")
        if kind == "queue" and name not in self.cfg.queue_names():
            raise RenderError(f"unknown queue {name!r}; known: {', '.join(self.cfg.queue_names())}")
        if kind == "hours" and name not in HOURS_RESOURCES:
            raise RenderError(f"unknown hours {name!r}; known: {', '.join(HOURS_RESOURCES)}")
        if kind == "view":
            from helpline.flows.views import MANAGED_VIEWS

            if name not in MANAGED_VIEWS:
                raise RenderError(f"unknown view {name!r}; known: {', '.join(MANAGED_VIEWS)}")
        value = f"{kind}/{name}"
        self.reverse[value] = (kind, name)
        return value

    def lookup(self, value: str) -> tuple[str, str] | None:
        return self.reverse.get(value)


def render_local(cfg: CountryConfig) -> tuple[dict[str, RenderedFlow], LocalResolver]:
    resolver = LocalResolver(cfg)
    return render_country(cfg, resolver), resolver
