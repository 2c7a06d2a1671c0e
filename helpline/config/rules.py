"""Rules that span several fields of a country file. Each failure names the exact field."""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

from helpline.config.errors import ConfigError
from helpline.config.messages import (
    LANGUAGE_NAME_PREFIX,
    OPERATOR_MESSAGES,
    PLACEHOLDERS,
    REQUIRED_MESSAGES,
    UNTRANSLATED,
)
from helpline.config.reference import CONNECT_REGIONS, EU_COUNTRIES, EU_REGIONS, LANGUAGES, NEEDS_CODES

if TYPE_CHECKING:
    from helpline.config.schema import CountryConfig, NumberSpec

# Outbound calling restrictions (admin guide): UIFN numbers are for inbound calls only and calls
# from them are blocked; toll-free numbers are not supported for international calling.
OUTBOUND_RESTRICTIONS = "https://docs.aws.amazon.com/connect/latest/adminguide/outbound-calling-restrictions.html"
INBOUND_ONLY_TYPES = {"UIFN"}
TOLL_FREE_TYPES = {"TOLL_FREE", "THIRD_PARTY_TF"}

# Main-menu keys used by the inbound flow (see contact_flows/ and the 'main_menu' message).
MAIN_MENU_DIGITS = {"0", "1", "2", "3"}
# Survey texts said before the person who answers an outbound call is identified (a voicemail or
# anyone on a shared phone may hear them): they must name nothing.
NEUTRAL_SURVEY_TEXTS = ("opener", "opener_goodbye")
# Word beginnings that tell who calls or why (helpline, refugees, survey, emergency), in the
# languages the blueprint ships. A safety net, not a proof: the review page asks a person to
# read every opener.
REVEALING_WORDS = (
    # en
    "helpline", "hotline", "refugee", "survey", "emergenc", "humanitarian", "unhcr",
    # uk
    "гаряч", "біжен", "опитуван", "екстрен", "гуманітарн",
    # ru
    "горяч", "беженц", "беженк", "опрос", "экстрен", "гуманитарн",
    # pl
    "infolini", "uchodź", "ankiet",
    # ro
    "refugia", "sondaj", "urgenț",
    # hu
    "menekült", "segélyvonal", "felmérés",
)  # fmt: skip


def _err(file: str, field: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(file, field, problem, fix)


def _check_placeholders(file: str, field: str, text: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise _err(
            file, field, f"broken placeholder ({exc})", "write placeholders as {name}; a literal brace as {{"
        ) from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise _err(
            file,
            field,
            f"unknown placeholder {{{sorted(unknown)[0]}}}",
            f"use only {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}",
        )


def _missing_translations(cfg: CountryConfig, lang: str) -> list[str]:
    """Every text the country needs in ``lang`` and does not have, as field paths, in file order."""
    msgs = cfg.messages.get(lang, {})
    missing = [f"messages.{lang}.{key}" for key in REQUIRED_MESSAGES if not msgs.get(key, "").strip()]
    if not cfg.hours.spoken.get(lang, "").strip():
        missing.append(f"hours.spoken.{lang}")
    for i, topic in enumerate(cfg.topics):
        for part in ("menu", "info"):
            if not getattr(topic, part).get(lang, "").strip():
                missing.append(f"topics[{i}].{part}.{lang}")
    return missing


def _check_all_translated(cfg: CountryConfig, file: str) -> None:
    """Several texts missing, in one language or in several (a new text after an upgrade is missing in every
    language), are all named in one error, not one per run."""
    per_lang = {lang: _missing_translations(cfg, lang) for lang in cfg.language_codes}
    missing = [path for paths in per_lang.values() for path in paths]
    if len(missing) < 2:
        return  # none, or exactly one: the precise per-field check below names it with its fix
    langs = [LANGUAGES[lang].english for lang, paths in per_lang.items() if paths]
    named = " and ".join(langs)
    raise _err(
        file,
        missing[0],
        f"{len(missing)} {named} texts are missing: {', '.join(missing)}",
        f"add each of them in {named} (docs/country-file.md shows where each one goes)",
    )


def _spoken_texts(cfg: CountryConfig) -> list[tuple[str, str]]:
    """(field path, text) of every text a caller or operator hears or reads."""
    texts = [(f"messages.{lang}.{key}", text) for lang, msgs in cfg.messages.items() for key, text in msgs.items()]
    texts += [(f"hours.spoken.{lang}", text) for lang, text in cfg.hours.spoken.items()]
    for i, topic in enumerate(cfg.topics):
        for part in ("menu", "info"):
            texts += [(f"topics[{i}].{part}.{lang}", text) for lang, text in getattr(topic, part).items()]
    for field, per_lang in _survey_texts(cfg):
        texts += [(f"{field}.{lang}", text) for lang, text in per_lang.items()]
    return texts


def _survey_texts(cfg: CountryConfig) -> list[tuple[str, dict[str, str]]]:
    """(field path, {lang: text}) of every survey text."""
    out = []
    for i, survey in enumerate(cfg.surveys):
        out += [(f"surveys[{i}].consent", survey.consent), (f"surveys[{i}].thanks", survey.thanks)]
        if survey.kind == "outbound":
            out.append((f"surveys[{i}].declined", survey.declined))
            out += [(f"surveys[{i}].{name}", getattr(survey, name)) for name in NEUTRAL_SURVEY_TEXTS]
        out += [(f"surveys[{i}].questions[{j}].text", q.text) for j, q in enumerate(survey.questions)]
    return out


def _check_surveys(cfg: CountryConfig, file: str) -> None:
    """Every survey text in every language; unique ids; the last words name the emergency number."""
    seen: set[str] = set()
    for i, survey in enumerate(cfg.surveys):
        if survey.id in seen:
            raise _err(file, f"surveys[{i}].id", f"survey '{survey.id}' is listed twice", "give each survey its own id")
        seen.add(survey.id)
        ids = [q.id for q in survey.questions]
        twice = sorted({q for q in ids if ids.count(q) > 1})
        if twice:
            raise _err(
                file, f"surveys[{i}].questions", f"question '{twice[0]}' is listed twice", "give each its own id"
            )
        reserved = [q for q in ids if q in ("consent", "thanks", "declined", *NEUTRAL_SURVEY_TEXTS)]
        if reserved:  # prompt ids survey_<id>_consent / _thanks / _declined / _opener... (CountryConfig.spoken)
            raise _err(file, f"surveys[{i}].questions", f"question id '{reserved[0]}' is reserved", "rename it")
    # One disconnect flow (CustomerRemaining hook) per contact; one outbound flow per language.
    for kind in ("post_call", "outbound"):
        same = [(i, s.id) for i, s in enumerate(cfg.surveys) if s.kind == kind]
        if len(same) > 1:
            raise _err(
                file,
                f"surveys[{same[1][0]}].kind",
                f"{len(same)} {kind} surveys ({', '.join(sid for _, sid in same)})",
                f"keep one {kind} survey per country",
            )
    texts = _survey_texts(cfg)
    missing = [
        f"{field}.{lang}"
        for field, per_lang in texts
        for lang in cfg.language_codes
        if not per_lang.get(lang, "").strip()
    ]
    if missing:
        raise _err(
            file,
            missing[0],
            f"{len(missing)} survey texts are missing: {', '.join(missing)}",
            "write each one in its language",
        )
    for field, per_lang in texts:
        for lang, text in per_lang.items():
            if lang not in cfg.language_codes:
                raise _err(file, f"{field}.{lang}", "text for a language the country does not offer", "remove it")
            _check_placeholders(file, f"{field}.{lang}", text)
            if field.endswith(tuple(f".{name}" for name in NEUTRAL_SURVEY_TEXTS)):
                survey = cfg.surveys[int(re.match(r"surveys\[(\d+)\]", field).group(1))]  # type: ignore[union-attr]
                _check_neutral(cfg, file, f"{field}.{lang}", text, survey.id)
            last_words = field.endswith((".thanks", ".declined"))
            if last_words and "{emergency_number}" not in text and cfg.emergency.number not in text:
                raise _err(
                    file,
                    f"{field}.{lang}",
                    "the survey's last words do not name the emergency number",
                    "add {emergency_number} (a survey call must end with a safe message)",
                )


def _check_neutral(cfg: CountryConfig, file: str, field: str, text: str, survey_id: str) -> None:
    """An outbound survey's opener and its goodbye name nothing: they are said before the person
    is identified, to a voicemail or whoever picks up a shared phone. Refused: any placeholder
    (each fills in the emergency number, hours or country), the emergency number, the country's
    name, the survey id's words and REVEALING_WORDS."""
    lowered = text.casefold()
    placeholder = re.search(r"\{[a-z_]*\}", text)
    found = ""
    if placeholder:
        found = placeholder.group(0)
    elif cfg.emergency.number in text:
        found = cfg.emergency.number
    elif cfg.name.casefold() in lowered:
        found = cfg.name
    else:
        words = [w for w in survey_id.split("_") if len(w) >= 3] + list(REVEALING_WORDS)
        found = next((w for w in words if re.search(rf"(?<!\w){re.escape(w.casefold())}", lowered)), "")
    if found:
        raise _err(
            file,
            field,
            f"the text said before the person is identified names '{found}'",
            "name nothing (not the helpline, refugees, the survey or its topic, the country, the emergency "
            "services): a voicemail or whoever picks up a shared phone hears it",
        )


def _check_nothing_untranslated(cfg: CountryConfig, file: str) -> None:
    marked = [field for field, text in _spoken_texts(cfg) if UNTRANSLATED in text]
    marked += [f"operators.labels.{key}" for key, text in cfg.operators.labels.items() if UNTRANSLATED in text]
    if marked:
        raise _err(
            file,
            marked[0],
            f"{len(marked)} texts are still marked {UNTRANSLATED}, the first: {', '.join(marked[:4])}"
            + (f" and {len(marked) - 4} more" if len(marked) > 4 else ""),
            f"write each one in its language and remove the {UNTRANSLATED} mark",
        )


def _rule_code(cfg: CountryConfig, file: str, stem: str) -> None:
    if cfg.code != stem:
        raise _err(
            file,
            "code",
            f"'{cfg.code}' does not match the file name",
            f"set code: {stem} or rename the file",
        )


def _rule_region(cfg: CountryConfig, file: str, stem: str) -> None:
    # Regions: Amazon Connect must exist there; EU countries stay in EU Regions.
    if cfg.region not in CONNECT_REGIONS:
        raise _err(
            file,
            "region",
            f"Amazon Connect is not offered in '{cfg.region}'",
            f"use one of {', '.join(sorted(CONNECT_REGIONS))}",
        )
    if cfg.code in EU_COUNTRIES and cfg.region not in EU_REGIONS:
        eu_connect = sorted(CONNECT_REGIONS & EU_REGIONS)
        raise _err(
            file,
            "region",
            f"'{cfg.region}' is outside the EU but {cfg.code.upper()} is an EU member state (GDPR)",
            f"use {', '.join(eu_connect)} (the EU Regions with Amazon Connect)",
        )


def _rule_languages(cfg: CountryConfig, file: str, stem: str) -> None:
    # Languages.
    seen_codes: set[str] = set()
    seen_digits: dict[str, str] = {}
    for i, lang in enumerate(cfg.languages):
        field = f"languages[{i}]"
        info = LANGUAGES.get(lang.code)
        if info is None:
            raise _err(
                file,
                f"{field}.code",
                f"unknown language code '{lang.code}'",
                f"use an ISO 639-1 code the project knows: {', '.join(sorted(LANGUAGES))}",
            )
        if lang.code in seen_codes:
            raise _err(file, f"{field}.code", f"language '{lang.code}' is listed twice", "list each language once")
        seen_codes.add(lang.code)
        if lang.digit in seen_digits:
            raise _err(
                file,
                f"{field}.digit",
                f"menu digit {lang.digit} is already used by '{seen_digits[lang.digit]}'",
                "give every language its own digit",
            )
        seen_digits[lang.digit] = lang.code
        if lang.voice and lang.recorded:
            raise _err(file, f"{field}", "has both a Polly voice and recorded: true", "choose one of them")
        if lang.voice and lang.voice not in info.polly_voices:
            voices = ", ".join(info.polly_voices) or "none"
            raise _err(
                file,
                f"{field}.voice",
                f"'{lang.voice}' is not an Amazon Polly voice for {info.english}",
                f"use one of: {voices}" if info.polly_voices else "set recorded: true and provide recordings",
            )
        if not lang.voice and not lang.recorded:
            if info.polly_voices:
                raise _err(
                    file,
                    f"{field}.voice",
                    f"{info.english} needs a voice or recorded prompts",
                    f"set voice: {info.polly_voices[0]} (or recorded: true)",
                )
            raise _err(
                file,
                f"{field}",
                f"{info.english} ({lang.code}) has no Amazon Polly voice and no recorded prompts",
                f"set recorded: true and record the prompts (list them with: helpline prompts {cfg.code})",
            )


def _rule_content(cfg: CountryConfig, file: str, stem: str) -> None:
    # Spoken content: every message, topic and hours text in every language.
    langs = cfg.language_codes
    _check_nothing_untranslated(cfg, file)
    _check_all_translated(cfg, file)
    for lang in langs:
        msgs = cfg.messages.get(lang, {})
        for key in REQUIRED_MESSAGES:
            if key not in msgs or not msgs[key].strip():
                raise _err(
                    file,
                    f"messages.{lang}.{key}",
                    f"missing {LANGUAGES[lang].english} translation",
                    f'add messages: {{{lang}: {{{key}: "..."}}}} ({REQUIRED_MESSAGES[key]})',
                )
        for key, text in msgs.items():
            named = key.removeprefix(LANGUAGE_NAME_PREFIX)
            if key not in REQUIRED_MESSAGES and not (key.startswith(LANGUAGE_NAME_PREFIX) and named in LANGUAGES):
                raise _err(
                    file,
                    f"messages.{lang}.{key}",
                    "unknown message key",
                    "remove it or use one of the keys in helpline/config/messages.py",
                )
            _check_placeholders(file, f"messages.{lang}.{key}", text)
        if lang not in cfg.hours.spoken or not cfg.hours.spoken[lang].strip():
            raise _err(
                file,
                f"hours.spoken.{lang}",
                f"missing {LANGUAGES[lang].english} translation of the opening hours",
                f'add hours: {{spoken: {{{lang}: "..."}}}}',
            )
    for lang in cfg.hours.spoken:
        if lang not in langs:
            raise _err(file, f"hours.spoken.{lang}", "text for a language the country does not offer", "remove it")


def _rule_topics(cfg: CountryConfig, file: str, stem: str) -> None:
    langs = cfg.language_codes
    seen_topic_digits: dict[str, str] = {}
    seen_keys: set[str] = set()
    for i, topic in enumerate(cfg.topics):
        field = f"topics[{i}]"
        if topic.key in seen_keys:
            raise _err(file, f"{field}.key", f"topic '{topic.key}' is listed twice", "list each topic once")
        seen_keys.add(topic.key)
        if topic.digit in seen_topic_digits:
            raise _err(
                file,
                f"{field}.digit",
                f"menu digit {topic.digit} is already used by topic '{seen_topic_digits[topic.digit]}'",
                "give every topic its own digit (0 is the operator)",
            )
        seen_topic_digits[topic.digit] = topic.key
        for part in ("menu", "info"):
            texts = getattr(topic, part)
            for lang in langs:
                if lang not in texts or not texts[lang].strip():
                    raise _err(
                        file,
                        f"{field}.{part}.{lang}",
                        f"missing {LANGUAGES[lang].english} translation",
                        f"add {part}: {{{lang}: \"...\"}} to topic '{topic.key}'",
                    )
                _check_placeholders(file, f"{field}.{part}.{lang}", texts[lang])
            for lang in texts:
                if lang not in langs:
                    raise _err(
                        file,
                        f"{field}.{part}.{lang}",
                        "text for a language the country does not offer",
                        "remove it",
                    )


def _rule_emergency_digits(cfg: CountryConfig, file: str, stem: str) -> None:
    langs = cfg.language_codes
    for i, topic in enumerate(cfg.topics):
        if topic.digit == cfg.emergency.digit:
            raise _err(
                file,
                f"topics[{i}].digit",
                f"digit {topic.digit} is the emergency digit, which every menu keeps for 'in danger'",
                "give the topic another digit from 1 to 9",
            )
    op = cfg.operator_language
    if op not in LANGUAGES:
        raise _err(
            file,
            "operators.language",
            f"unknown language code '{op}'",
            f"use an ISO 639-1 code the project knows: {', '.join(sorted(LANGUAGES))}",
        )
    if op not in langs:  # operators work in a language callers do not use: the whisper's voice and texts
        voices = LANGUAGES[op].polly_voices
        if cfg.operators.voice is not None and cfg.operators.voice not in voices:
            raise _err(
                file,
                "operators.voice",
                f"'{cfg.operators.voice}' is not an Amazon Polly voice for {LANGUAGES[op].english}",
                f"use one of: {', '.join(voices)}" if voices else "remove it",
            )
        if not voices:
            raise _err(
                file,
                "operators.language",
                f"{LANGUAGES[op].english} has no Amazon Polly voice for the whisper and callers do not use it",
                f"choose an operators' language with a Polly voice or one of {', '.join(langs)}",
            )
        msgs = cfg.messages.get(op, {})
        for key, text in msgs.items():
            if key not in OPERATOR_MESSAGES and not key.startswith(LANGUAGE_NAME_PREFIX):
                raise _err(
                    file,
                    f"messages.{op}.{key}",
                    f"not needed in {LANGUAGES[op].english}: callers do not use the operators' language",
                    f"remove it (only {', '.join(OPERATOR_MESSAGES)} and {LANGUAGE_NAME_PREFIX}<code> are said to "
                    "operators)",
                )
            _check_placeholders(file, f"messages.{op}.{key}", text)
        for key in OPERATOR_MESSAGES:
            if not msgs.get(key, "").strip():
                raise _err(
                    file,
                    f"messages.{op}.{key}",
                    f"missing {LANGUAGES[op].english} text for the operators",
                    f'add messages: {{{op}: {{{key}: "..."}}}} ({REQUIRED_MESSAGES[key]})',
                )
    op = cfg.operator_language
    for code in langs:  # the whisper names every caller language in the operators' language
        key = f"{LANGUAGE_NAME_PREFIX}{code}"
        if not cfg.messages.get(op, {}).get(key, "").strip():
            raise _err(
                file,
                f"messages.{op}.{key}",
                f"missing the name of {LANGUAGES[code].english} in {LANGUAGES[op].english} (the operators' language)",
                f'add messages: {{{op}: {{{key}: "..."}}}}',
            )
    for i, lang in enumerate(cfg.languages):
        if len(cfg.languages) > 1 and lang.digit == cfg.emergency.digit:
            raise _err(
                file,
                f"languages[{i}].digit",
                f"digit {lang.digit} is the emergency digit, which the language menu keeps for 'in danger'",
                "give the language another digit",
            )
    if cfg.emergency.digit in MAIN_MENU_DIGITS:
        raise _err(
            file,
            "emergency.digit",
            f"digit {cfg.emergency.digit} is already a main-menu option (0-3)",
            "use a digit from 4 to 9, e.g. 9",
        )


def _rule_regions(cfg: CountryConfig, file: str, stem: str) -> None:
    # Regions: the operators' guide offers them in a drop-down (a Form view's Dropdown needs Options).
    if not cfg.regions:
        raise _err(
            file,
            "regions",
            "no regions: the operators' guide asks which region the caller is in and needs at least one",
            "list the country's regions, e.g. regions: [north, centre, south] (one name for the whole country works)",
        )
    bad = [r for r in cfg.regions if not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", r)]
    if bad or len(set(cfg.regions)) != len(cfg.regions):
        raise _err(
            file,
            "regions",
            f"'{bad[0]}' is not a region name" if bad else "a region is listed twice",
            "use lower-case names with letters, digits, - or _ (e.g. mazowieckie), each once",
        )


def _rule_partners(cfg: CountryConfig, file: str, stem: str) -> None:
    # Partners: the referral directory.
    seen_partners: set[str] = set()
    for i, partner in enumerate(cfg.partners):
        field = f"partners[{i}]"
        if partner.id in seen_partners:
            raise _err(
                file,
                f"{field}.id",
                f"partner id '{partner.id}' is used twice",
                "give every partner its own id",
            )
        seen_partners.add(partner.id)
        for j, code in enumerate(partner.services):
            if code not in NEEDS_CODES:
                raise _err(
                    file,
                    f"{field}.services[{j}]",
                    f"'{code}' is not a UNHCR specific-needs code",
                    "use a code such as SV, SC-UC, SM-CC, LP-ND (list: helpline/config/reference.py)",
                )
        for j, lang in enumerate(partner.languages):
            if lang not in LANGUAGES:
                raise _err(
                    file,
                    f"{field}.languages[{j}]",
                    f"unknown language code '{lang}'",
                    "use an ISO 639-1 code",
                )
        for j, region in enumerate(partner.regions):
            if cfg.regions and region != "*" and region not in cfg.regions:  # no regions: its own error
                raise _err(
                    file,
                    f"{field}.regions[{j}]",
                    f"'{region}' is not one of the country's regions",
                    "add it to regions: or use '*' for the whole country",
                )


def _rule_numbers(cfg: CountryConfig, file: str, stem: str) -> None:
    if cfg.instance.arn is not None and cfg.instance.arn.split(":")[3] != cfg.region:
        _wrong_region(cfg, file, "instance.arn", cfg.instance.arn)
    _check_number(cfg, file, "phone_number", cfg.phone_number)
    _check_outbound_number(cfg, file)


def _rule_partner_phones(cfg: CountryConfig, file: str, stem: str) -> None:
    # Partners reached by phone get a quick connect, which Connect accepts in E.164 only.
    for i, partner in enumerate(cfg.partners):
        if partner.channel.type == "phone" and partner.channel.e164 is None:
            raise _err(
                file,
                f"partners[{i}].channel.address",
                f"'{partner.channel.address}' is not an international number (E.164)",
                "write it with + and the country code, e.g. +48 22 000 00 01",
            )


def _rule_audit(cfg: CountryConfig, file: str, stem: str) -> None:
    # Audit archive: signed checkpoints must outlive the records they anchor.
    anchored = max(cfg.retention_days.cases, cfg.retention_days.interactions, cfg.retention_days.referrals)
    if cfg.archive_retention_days < anchored:
        raise _err(
            file,
            "audit.archive_retention_days",
            f"the archive keeps records {cfg.archive_retention_days} days but cases, interactions or "
            f"referrals are kept {anchored} days, so their checkpoints would expire first",
            f"set audit.archive_retention_days: {anchored} or more",
        )


def _wrong_region(cfg: CountryConfig, file: str, field: str, arn: str) -> None:
    raise _err(
        file,
        field,
        f"is in {arn.split(':')[3]} but the country deploys to {cfg.region}",
        f"set region: {arn.split(':')[3]} or name a resource in {cfg.region}",
    )


def _check_number(cfg: CountryConfig, file: str, field: str, number: NumberSpec) -> None:
    """An existing number (arn, in the country's Region) or one to claim (type and country_code)."""
    if number.arn is None and (number.type is None or number.country_code is None):
        raise _err(
            file,
            field,
            "needs either arn (a number you already have) or type and country_code (a number to claim)",
            f"add type: DID and country_code: {cfg.code.upper()}, or arn: <phone number ARN>",
        )
    if number.arn is not None and number.arn.split(":")[3] != cfg.region:
        _wrong_region(cfg, file, f"{field}.arn", number.arn)
    if number.country_code is not None and number.country_code.lower() != cfg.code and cfg.code not in {"xx"}:
        raise _err(
            file,
            f"{field}.country_code",
            f"'{number.country_code}' is not {cfg.code.upper()}",
            f"set country_code: {cfg.code.upper()}",
        )


def _check_outbound_number(cfg: CountryConfig, file: str) -> None:
    """The number the helpline calls out from (callbacks, operators' calls, the outbound survey).

    Every country offers callbacks, so the queues' caller ID must be able to call out. UIFN numbers
    "cannot be used for outbound calling ... the calls will be blocked" (OUTBOUND_RESTRICTIONS):
    an error. Toll-free numbers: see :func:`config_warnings`.
    """
    inbound, outbound = cfg.phone_number, cfg.phone_number.outbound
    fix = f"add phone_number.outbound: {{type: DID, country_code: {cfg.code.upper()}}} or {{arn: <DID ARN>}}"
    if outbound is None:
        if inbound.type in INBOUND_ONLY_TYPES:
            raise _err(
                file,
                "phone_number.outbound",
                f"a {inbound.type} number cannot call out (Connect blocks it), so callbacks and operators' "
                "calls would fail",
                fix,
            )
        return
    _check_number(cfg, file, "phone_number.outbound", outbound)
    if outbound.type in INBOUND_ONLY_TYPES:
        raise _err(file, "phone_number.outbound.type", f"a {outbound.type} number cannot call out", "use type: DID")
    if outbound.arn is not None and outbound.arn == inbound.arn:
        raise _err(
            file,
            "phone_number.outbound.arn",
            "is the inbound number itself",
            "remove phone_number.outbound (the inbound number is the default)",
        )


def config_warnings(cfg: CountryConfig, file: str) -> list[str]:
    """One line per doubt the docs leave open; the deploy goes on (printed by validate and synth).

    A toll-free inbound number without ``phone_number.outbound``: Connect "does not support the
    use of toll-free numbers for international calling" (OUTBOUND_RESTRICTIONS), so a caller with a
    foreign mobile number cannot be called back from it, and whether it may call out at all
    within the country is listed per country (Amazon Connect Telecoms Country Coverage Guide),
    not decided by a rule the docs state for every country: a warning, not an error.
    """
    return _toll_free_caller_id(cfg, file)


def content_warnings(cfg: CountryConfig, file: str) -> list[str]:
    """Doubtful choices in the country's content (printed by validate and synth)."""
    return _overlapping_closures(cfg, file) + _wrong_script(cfg, file)


# The script a language is written in (the first word of a letter's Unicode name); LATIN otherwise.
SCRIPTS = {"ar": "ARABIC", "uk": "CYRILLIC", "ru": "CYRILLIC", "zh": "CJK", "my": "MYANMAR"}


def _wrong_script(cfg: CountryConfig, file: str) -> list[str]:
    """A text with letters but none of its language's script: most often a text pasted into the wrong
    language (a French sentence under ar). A warning: a name or an acronym alone may be deliberate."""
    import unicodedata

    out = []
    for field, text in _spoken_texts(cfg):
        parts = field.split(".")
        lang = parts[1] if parts[0] == "messages" else parts[-1]
        if lang not in LANGUAGES or parts[-1].startswith(LANGUAGE_NAME_PREFIX):
            continue
        letters = [c for c in re.sub(r"\{[a-z_]+\}", "", text) if c.isalpha()]
        script = SCRIPTS.get(lang, "LATIN")
        if len(letters) >= 4 and not any(unicodedata.name(c, "").startswith(script) for c in letters):
            english = LANGUAGES[lang].english
            out.append(f"{file}: {field}: has no {script.title()} letters: is it written in another language "
                       f"than {english}?; fix: write it in {english}")  # fmt: skip
    return out


def _overlapping_closures(cfg: CountryConfig, file: str) -> list[str]:
    """Two closures sharing a day: harmless for callers (closed either way) but often a typo or a
    holiday listed twice, so a warning naming the later one."""
    import datetime as dt

    from helpline.config.schema import RECURRING_YEARS

    closures = cfg.hours.closures
    start = dt.date.today().year
    years = range(min([start, *(c.date.year for c in closures)]), start + RECURRING_YEARS + 1)
    out = []
    for j, later in enumerate(closures):
        for i, earlier in enumerate(closures[:j]):
            shared = next(
                (
                    max(a[0], b[0])
                    for y in years
                    if (a := earlier.in_year(y)) and (b := later.in_year(y)) and a[0] <= b[1] and b[0] <= a[1]
                ),
                None,
            )
            if shared is not None:
                out.append(
                    f"{file}: hours.closures[{j}]: '{later.name}' overlaps hours.closures[{i}] '{earlier.name}' "
                    f"(both close {shared}); fix: remove one or give them separate days, unless that is intended"
                )
                break
    return out


def _toll_free_caller_id(cfg: CountryConfig, file: str) -> list[str]:
    inbound = cfg.phone_number
    if inbound.outbound is not None or inbound.type not in TOLL_FREE_TYPES:
        return []
    return [
        f"{file}: phone_number.outbound: the {inbound.type} number is the caller ID of callbacks, operators' "
        "calls and the outbound survey; Connect does not support toll-free numbers for international calls "
        "(callers with foreign numbers), and the Telecoms Country Coverage Guide says per country whether it "
        "may call out at all; fix: add "
        f"phone_number.outbound: {{type: DID, country_code: {cfg.code.upper()}}} or {{arn: <DID ARN>}}"
    ]


def _check_closures(cfg: CountryConfig, file: str) -> None:
    """Connect keeps at most 50 overrides per hours of operation (not adjustable)."""
    import datetime as dt

    from helpline.config.schema import MAX_OVERRIDES, RECURRING_YEARS

    spans = cfg.hours.closure_spans(dt.date.today())
    if len(spans) > MAX_OVERRIDES:
        raise _err(
            file,
            "hours.closures",
            f"the closures make {len(spans)} Amazon Connect overrides but one hours of operation holds at most "
            f"{MAX_OVERRIDES} (not adjustable; a closure with every_year: true counts {RECURRING_YEARS})",
            "remove closures that are over, or merge neighbouring days into one closure with until:",
        )


def _open_spans(cfg: CountryConfig, day: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The helpline's opening hours on ``day`` (MONDAY...), touching ranges merged."""
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for slot in sorted((sl for sl in cfg.hours.slots if sl.day == day), key=lambda sl: sl.start):
        if spans and slot.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], slot.end))
        else:
            spans.append((slot.start, slot.end))
    return spans


def _hm(clock: str) -> tuple[int, int]:
    """'10:00' -> (10, 0)."""
    hours, minutes = clock.split(":")
    return int(hours), int(minutes)


def _minutes(hm: tuple[int, int]) -> int:
    return hm[0] * 60 + hm[1]


def _clock(hm: tuple[int, int]) -> str:
    return f"{hm[0]:02d}:{hm[1]:02d}"


def _days_text(days: list[str]) -> str:
    """['MONDAY', ..., 'FRIDAY', 'SUNDAY'] -> 'mon-fri,sun' (week order, as calling_hours.days takes it)."""
    from helpline.config.schema import DAY_ALIASES

    alias = {v: k for k, v in DAY_ALIASES.items()}
    order = list(DAY_ALIASES.values())
    idx = sorted(order.index(d) for d in days)
    runs: list[list[int]] = []
    for i in idx:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return ",".join(alias[order[r[0]]] if len(r) == 1 else f"{alias[order[r[0]]]}-{alias[order[r[-1]]]}" for r in runs)


def _check_calling_hours(cfg: CountryConfig, file: str) -> None:
    """An outbound survey offers 9 (speak with the helpline now): its calls are placed only while
    the helpline is open, on every calling day (hours.weekly; closure days are skipped at run
    time: the runner gets them as closed_dates)."""
    from helpline.config.schema import DAY_ALIASES

    for i, survey in enumerate(cfg.surveys):
        if survey.campaign is None:
            continue
        ch = survey.campaign.calling_hours
        start, end = _hm(ch.start), _hm(ch.end)

        def fits(day: str, start=start, end=end) -> bool:
            return any(s <= start and end <= e for s, e in _open_spans(cfg, day))

        bad = next((d for d in ch.day_names if not fits(d)), None)
        if bad is None:
            continue
        short = _days_text([bad])
        spans = _open_spans(cfg, bad)
        good = [d for d in ch.day_names if fits(d)] or [d for d in DAY_ALIASES.values() if fits(d)]
        if spans:
            near = max(spans, key=lambda sp: _minutes(min(sp[1], end)) - _minutes(max(sp[0], start)))
            opening = ", ".join(f"{_clock(s)}-{_clock(e)}" for s, e in spans)
            why = f"the helpline is open only {opening} that day (hours.weekly)"
            fix = f"call within {_clock(near[0])}-{_clock(near[1])} (from/to) or take {short} out of days"
        else:
            why = f"the helpline is closed on {bad.lower()}s (hours.weekly)"
            fix = f"take {short} out of days"
        if good:
            fix += f" (e.g. days: {_days_text(good)})"
        raise _err(
            file,
            f"surveys[{i}].campaign.calling_hours",
            f"survey calls would be placed on {bad.lower()} {ch.start}-{ch.end} but {why}, "
            "so 9 (speak with the helpline now) would reach a closed helpline",
            f"keep the calling hours inside the opening hours of every calling day: {fix}",
        )


# Texts whose role is to leave the person safe: each must say the emergency number.
SAFE_EXIT_MESSAGES: tuple[str, ...] = (
    "emergency_notice",
    "closed",
    "closed_holiday",
    "emergency_closed",
    "queue_hold",
    "queue_full",
    "callback_failed",
    "blocked",
    "goodbye",
)
"""Messages that are the last (or the only) words a caller hears before the call ends or waits with
nobody on the line: the danger notice, out of hours (closed, closed for a holiday or closure, the
emergency key out of hours), the hold message, a full queue, a failed call back, a blocked caller
and the goodbye. Each must contain
``{emergency_number}`` in every language, so no call ends without it (survey ``thanks`` and
``declined`` are checked by :func:`_check_surveys`)."""

# Amazon Polly SynthesizeSpeech: "a maximum of 6000 characters total, of which no more than 3000
# can be billed characters" (TextLengthExceededException; SSML tags are not billed).
POLLY_MAX_BILLED_CHARS = 3000
POLLY_LIMIT_URL = (
    "https://docs.aws.amazon.com/botocore/latest/reference/services/polly/client/exceptions/"
    "TextLengthExceededException.html"
)


def _rule_safe_exits(cfg: CountryConfig, file: str, stem: str) -> list:
    """One error per text of SAFE_EXIT_MESSAGES (field path and language) without the number."""
    return [
        _err(
            file,
            f"messages.{lang}.{key}",
            "does not say {emergency_number}, and a call can end with these words",
            "add {emergency_number} to it, e.g. '... If you are in danger, call {emergency_number}.'",
        )
        for lang in cfg.language_codes
        for key in SAFE_EXIT_MESSAGES
        if "{emergency_number}" not in cfg.messages.get(lang, {}).get(key, "{emergency_number}")
    ]


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _rule_polly_length(cfg: CountryConfig, file: str, stem: str) -> list:
    """A text Amazon Polly would refuse (more than 3,000 billed characters once its placeholders are filled)."""
    out = []
    for field, text in _spoken_texts(cfg):
        lang = field.rsplit(".", 1)[1]
        try:
            filled = text.format_map(_Keep(cfg._values(lang)))
        except (ValueError, IndexError):
            filled = text  # a broken placeholder is reported by the placeholder rule
        if len(filled) > POLLY_MAX_BILLED_CHARS:
            out.append(
                _err(
                    file,
                    field,
                    f"is {len(filled):,} characters; Amazon Polly speaks at most {POLLY_MAX_BILLED_CHARS:,} in one "
                    f"prompt ({POLLY_LIMIT_URL})",
                    f"shorten it to {POLLY_MAX_BILLED_CHARS:,} characters or fewer (a caller cannot take in more)",
                )
            )
    return out


def _rule_guide_labels(cfg: CountryConfig, file: str, stem: str) -> None:
    """The operators' guide shows its screens in the operators' language: the shipped label set
    of that language and the country's operators.labels together give every label."""
    from helpline.guide import GuideLabelError, has_label_set, labels, missing_labels

    op = cfg.operator_language
    own = cfg.operators.labels
    try:
        missing, unknown = missing_labels(op, own)
    except GuideLabelError as exc:
        raise _err(
            file, "operators.labels", f"the shipped guide labels in '{op}' are unusable ({exc})", "report it"
        ) from None
    if unknown:
        raise _err(
            file,
            f"operators.labels.{unknown[0]}",
            f"unknown guide label ({len(unknown)} unknown: {', '.join(unknown[:5])})",
            "use the keys of helpline/guide/labels/en.yaml",
        )
    if missing:
        shown = ", ".join(missing[:6]) + (", ..." if len(missing) > 6 else "")
        where = "" if has_label_set(op) else f" (the project ships no guide labels in '{op}')"
        raise _err(
            file,
            "operators.labels",
            f"{len(missing)} guide labels missing in {LANGUAGES[op].english}{where}: {shown}",
            f"add them under operators.labels in {LANGUAGES[op].english} (keys and English texts: "
            "helpline/guide/labels/en.yaml; helpline new-country writes them all)",
        )
    try:
        labels(op, own)
    except GuideLabelError as exc:
        raise _err(
            file,
            "operators.labels",
            f"the operators' guide has no usable labels in '{op}' ({exc})",
            "give every label a text",
        ) from None


# (rule, needs known language codes): run in this order; check_rules raises the first problem,
# collect_problems lists them all.
RULES = (
    (_rule_code, False),
    (_rule_region, False),
    (_rule_languages, False),
    (_rule_content, True),
    (_rule_topics, True),
    (_rule_emergency_digits, True),
    (_rule_regions, False),
    (_rule_partners, False),
    (_rule_numbers, False),
    (_rule_partner_phones, False),
    (_rule_audit, False),
    (lambda cfg, file, stem: _check_closures(cfg, file), False),
    (lambda cfg, file, stem: _check_surveys(cfg, file), True),
    (lambda cfg, file, stem: _check_calling_hours(cfg, file), False),
)
# What synthesis, the prompts and the linter would refuse later: checked by the gate
# (helpline.config.gate.check_country, used by `helpline validate` and app.py), not on every load.
GATE_RULES = (
    (_rule_safe_exits, True),
    (_rule_polly_length, True),
    (_rule_guide_labels, True),
)


def collect_problems(cfg: CountryConfig, file: str, *, file_stem: str, gate: bool = False) -> list:
    """Every rule's problems (ConfigError), in rule order; rules about texts are skipped while a
    language code is unknown (the language's own error says what to fix)."""
    errors: list = []
    known = all(code in LANGUAGES for code in cfg.language_codes)
    for rule, needs_languages in RULES + (GATE_RULES if gate else ()):
        if needs_languages and not known:
            continue
        try:
            errors.extend(rule(cfg, file, file_stem) or [])
        except ConfigError as exc:  # anything else would be a bug in a rule: it propagates
            errors.append(exc)
    return errors


def check_rules(cfg: CountryConfig, file: str, *, file_stem: str) -> None:
    """Raise the first problem the rules find (loading a country for any tool)."""
    errors = collect_problems(cfg, file, file_stem=file_stem)
    if errors:
        raise errors[0]
