"""Contact-attribute keys that would carry personal data: never written by a flow.

Why one list: Amazon Connect keeps contact records, their contact attributes included, for 24
months ("Contact records are retained for 24 months", https://docs.aws.amazon.com/connect/latest/
adminguide/ctr-data-model.html; attributes are part of the record,
https://docs.aws.amazon.com/connect/latest/adminguide/connect-contact-attributes.html), and
DeleteContactData redacts only the customer endpoint
(https://docs.aws.amazon.com/connect/latest/APIReference/API_DeleteContactData.html). A value
written with UpdateContactAttributes (TargetContact Current or Related) is therefore out of reach
of ``helpline erase``. What a flow needs about the caller is looked up by contact id in the
helpline's own tables (ContactLinks; functions.logic.voice_call), and what the operators' guide
learns between its screens stays in flow attributes (UpdateFlowAttributes: "not carried over to
the subsequent flows").

Used by the flow linter (FL113 ``personal-attribute``) and the template assertion
tests/infrastructure/test_no_personal_attributes.py. docs/audit.md, "What Connect keeps", says
per key why it is personal and where it lives instead.
"""

from __future__ import annotations

PERSONAL_ATTRIBUTES: frozenset[str] = frozenset(
    {
        # who: the pseudonym links every call of one person and is recomputable from the number
        "caller_id",
        # the case links Connect's record to a case holding needs codes (special-category data)
        # and links a person's calls to each other
        "case_id",
        # needs and protection (special-category data)
        "need",
        "needs_codes",
        "subcode",
        "protection",
        "urgency",
        "urgent",
        # consent and where the person is
        "consent",
        "region",
        # what the operator wrote or saw
        "note",
        "last_interactions",
        "blocked",
        "blocked_until",
        # referrals: partners name the kind of help (a GBV service), refs let a partner be asked
        "suggested_partner_ids",
        "suggested_partner_names",
        "referred_partner_ids",
        "partner_ids",
        "referral_refs",
        "referral_ref",
        # the call type the operator chose (prank / abusive describe the person)
        "call_type",
    }
)


def personal_writes(action: dict) -> list[str]:
    """The personal keys an UpdateContactAttributes action writes (Current or Related)."""
    if not isinstance(action, dict) or action.get("Type") != "UpdateContactAttributes":
        return []
    parameters = action.get("Parameters")
    attributes = parameters.get("Attributes") if isinstance(parameters, dict) else None
    if not isinstance(attributes, dict):
        return []
    return sorted(k for k in attributes if isinstance(k, str) and k.lower() in PERSONAL_ATTRIBUTES)
