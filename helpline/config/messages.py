"""The spoken messages every language of a country must have.

Standard translations live in ``countries/messages.yaml``; a country file may override any of
them under ``messages: {<lang>: {<key>: "..."}}``. Texts may use the placeholders listed in
``PLACEHOLDERS``; they are filled from the country file when flows are rendered.
"""

from __future__ import annotations

# key -> what it is for (shown in the country-file reference and in error messages)
REQUIRED_MESSAGES: dict[str, str] = {
    "language_option": "Offer of this language in the language menu, in the language itself ({digit})",
    "welcome": "Greeting after the language choice",
    "privacy_notice": "Recording and privacy notice (what is recorded, why, how long, rights)",
    "emergency_notice": "Danger first: call {emergency_number}; press {emergency_digit} for an operator now",
    "main_menu": "Main menu: 1 information, 2 report someone at risk, 3 feedback or complaint, 0 operator",
    "topics_menu_intro": "Introduction to the information menu",
    "after_info": "After information: 1 repeat, 2 back to the menu, 0 operator",
    "report_risk": "Before transfer for 'report someone at risk'",
    "feedback": "Before transfer for 'feedback or complaint' (mentions confidential complaints)",
    "closed": "Out of hours (a normal closed hour); says the opening hours ({hours}) and {emergency_number}",
    "closed_holiday": "Closed today (a holiday or closure, hours.closures) at an hour it is normally open: "
    "open again on the usual hours ({hours}); in danger call {emergency_number}",
    "callback_offer": "Out of hours: 1 to request a call back, 2 to end the call",
    "callback_confirmed": "Confirmation that a call back was requested",
    "transfer": "Before transfer to an operator",
    "transfer_priority": "Before transfer to the priority queue",
    "queue_hold": "Said at the start of every hold period in the queue; names the emergency number ({emergency_number})",
    "queue_callback_offer": "While waiting: press 1 for a call back instead of waiting",
    "invalid_input": "After a key that is not an option",
    "no_input": "After no key was pressed in time",
    "technical_problem": "A backend failed; the caller is connected to a person",
    "blocked": "Caller is temporarily blocked; still told the emergency number ({emergency_number})",
    "goodbye": "End of call; says the emergency number ({emergency_number}): the last words before a hang-up",
    "whisper_language": "Agent whisper, in the operators' language: the caller's language ({caller_language})",
    "whisper_priority": "Agent whisper: priority caller",
    "whisper_returning": "Agent whisper: returning caller with an open case",
    "queue_full": "No queue can take the call; says the emergency number ({emergency_number}) and to call again later",
    "callback_failed": "A call back could not be arranged; says the emergency number ({emergency_number})",
    "emergency_closed": "Emergency key out of hours: call {emergency_number} now, safe alternatives; then the call-back offer",
}

# What an operators' language that callers do not use needs (the whisper), besides the names of
# the caller languages (``language_name_<code>``).
OPERATOR_MESSAGES: tuple[str, ...] = ("whisper_language", "whisper_priority", "whisper_returning")

# Messages named per language of the country: ``language_name_<code>`` is the name of language
# <code> in the message's language (the whisper names the caller's language to the operator).
LANGUAGE_NAME_PREFIX = "language_name_"

PLACEHOLDERS: frozenset[str] = frozenset(
    {"digit", "emergency_number", "emergency_digit", "hours", "country", "caller_language"}
)
# Messages whose text is a template filled per caller language (not spoken as such).
TEMPLATE_MESSAGES: frozenset[str] = frozenset({"whisper_language"})

# Marks a text still to be written or translated (helpline new-country writes it); a country file
# with any such text is refused, naming each one.
UNTRANSLATED = "[untranslated]"
