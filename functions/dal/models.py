"""PynamoDB models: the single source of truth for the helpline's DynamoDB tables.

The CDK stack generates its tables from these classes (keys, attribute types, GSIs, TTL,
streams), so keep them introspectable: every model has ``LOGICAL_NAME`` (stable
CloudFormation logical id stem), ``TABLE_ENV`` (environment variable holding the physical
table name, read at import into ``Meta.table_name``), ``RETENTION_ENV`` (env var with the TTL in
days, or None) and ``TTL_ATTRIBUTE`` (name of the TTLAttribute, or None).

No name is stored anywhere and callers are keyed by an HMAC pseudonym. The one phone number kept is
the outbound survey list's (``CampaignContact.phone``: consented people, removed when done, short TTL).  The only
free text is the operator's screening note (``Case.note``, encrypted table, never logged, never in
a chain payload, removed by the archive).

Streams (``Meta.stream_view_type``): Cases, Interactions and Referrals stream NEW_AND_OLD_IMAGES to
the archive (archive_records); the Outbox streams NEW_IMAGE to deliver_outbox (the referral
notifications).  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html

Retention: each TTL-bearing item gets ``expires_at``.  All records of one interaction chain
carry the *same* ``expires_at`` (fixed by the chain's first record and copied forward), so a
chain expires as a whole and never shows a gap at its start.  A case's chain records, referrals and
outbox messages carry the case's ``expires_at``: they expire with their case.  DynamoDB deletes
expired items only eventually (typically within days), so every read of the repository treats an
item whose ``expires_at`` is in the past as absent (``functions.dal.repository.live``).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
"""

from __future__ import annotations

import os

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from functions.settings import DEFAULT_MAX_RETRIES

# The statuses of an open case: a referral is work in progress; only "closed" ends a case.
OPEN_STATUSES = ("open", "referred")


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class _BaseMeta:
    billing_mode = "PAY_PER_REQUEST"

    @classmethod
    def configure(cls, table_env: str, logical_name: str) -> None:
        cls.table_name = os.environ.get(table_env) or f"helpline-{logical_name.lower()}"
        cls.region = _region()
        cls.connect_timeout_seconds = _int_env("DDB_CONNECT_TIMEOUT", 1)
        cls.read_timeout_seconds = _int_env("DDB_READ_TIMEOUT", 2)
        cls.max_retry_attempts = _int_env("DDB_MAX_RETRIES", DEFAULT_MAX_RETRIES)


class Caller(Model):
    """One item per pseudonymous caller; holds everything identify_caller needs (one GetItem)."""

    LOGICAL_NAME = "Callers"
    TABLE_ENV = "CALLERS_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_CALLERS"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        pass

    caller_id = UnicodeAttribute(hash_key=True)  # HMAC-SHA256 hex of the E.164 number
    preferred_language = UnicodeAttribute(null=True)
    open_case_id = UnicodeAttribute(null=True)
    blocked_until = UTCDateTimeAttribute(null=True)
    first_contact_id = UnicodeAttribute(null=True)
    last_contact_id = UnicodeAttribute(null=True)
    last_contact_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class CasesByCaller(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-caller"
        projection = AllProjection()

    caller_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Case(Model):
    LOGICAL_NAME = "Cases"
    TABLE_ENV = "CASES_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_CASES"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        stream_view_type = "NEW_AND_OLD_IMAGES"

    case_id = UnicodeAttribute(hash_key=True)
    country = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | referred | closed
    topic = UnicodeAttribute()
    language = UnicodeAttribute()
    priority = UnicodeAttribute(default="normal")  # normal | urgent
    needs_codes = ListAttribute(of=UnicodeAttribute, default=list)
    consent = BooleanAttribute(default=False)
    caller_id = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute()
    channel_note = UnicodeAttribute(null=True)
    partner_ids = ListAttribute(of=UnicodeAttribute, default=list)
    # contact id -> comma list of partner ids referred during that contact (idempotency of referrals)
    referral_sets = MapAttribute(default=dict)
    # Head of the case's interaction chain (case#<case_id>): seq and record_hash of its last record.
    # Every append to the chain changes these in the same transaction, conditioned on the values it
    # read, so concurrent appends cannot fork the chain (see functions.logic.cases).
    chain_seq = NumberAttribute(null=True)
    chain_head = UnicodeAttribute(null=True)
    # contact id -> seq of the chain record that contact wrote (idempotency of create_case per contact)
    contact_seqs = MapAttribute(default=dict)
    last_contact_id = UnicodeAttribute(null=True)
    last_contact_at = UTCDateTimeAttribute(null=True)
    # Operators' guide: screening and closing (functions.logic.guide)
    region = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)  # free text: only here (encrypted table), never logged or chained
    call_type = UnicodeAttribute(null=True)  # last classification: real | silent | prank | ...
    outcome = UnicodeAttribute(null=True)  # resolved | referred | information_given | follow_up | dropped
    follow_up = BooleanAttribute(null=True)
    callback_requested = BooleanAttribute(null=True)
    # "<operation>:<ContactId>:<digest of the parameters>" -> seq of the chain record it appended
    # (idempotency of the guide's handlers per contact: a replay finds its key and writes nothing)
    op_seqs = MapAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)

    by_caller = CasesByCaller()


class InteractionsByContact(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-contact"
        projection = KeysOnlyProjection()

    contact_id = UnicodeAttribute(hash_key=True)
    recorded_at = UnicodeAttribute(range_key=True)


class Interaction(Model):
    """Append-only, hash-chained records. Chain id: ``case#<case_id>`` or ``contact#<ContactId>``."""

    LOGICAL_NAME = "Interactions"
    TABLE_ENV = "INTERACTIONS_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_INTERACTIONS"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        stream_view_type = "NEW_AND_OLD_IMAGES"

    chain_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)  # 1, 2, 3 ... without gaps
    record_type = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    case_id = UnicodeAttribute(null=True)
    event_id = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(default="system")
    occurred_at = UnicodeAttribute()  # ISO-8601 UTC, kept as text so the hash is stable
    recorded_at = UnicodeAttribute()
    payload = MapAttribute(default=dict)  # flat map of short strings (ids, codes), never PII
    prev_hash = UnicodeAttribute()
    record_hash = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)

    by_contact = InteractionsByContact()


class ReferralsByPartner(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-partner"
        projection = AllProjection()

    partner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Referral(Model):
    """One referral of a case to a partner, made during one contact (idempotent per contact)."""

    LOGICAL_NAME = "Referrals"
    TABLE_ENV = "REFERRALS_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_REFERRALS"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        stream_view_type = "NEW_AND_OLD_IMAGES"

    case_id = UnicodeAttribute(hash_key=True)
    referral_id = UnicodeAttribute(range_key=True)  # sha256(case, partner, contact) -> "R-..."
    partner_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    needs_codes = ListAttribute(of=UnicodeAttribute, default=list)
    consent = BooleanAttribute()
    urgent = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="pending")  # pending | accepted | declined | closed
    referral_ref = UnicodeAttribute(null=True)  # short reference read to the caller ("K7Q-M2P")
    region = UnicodeAttribute()
    language = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    record_hash = UnicodeAttribute()  # sha256 over the referral's creation fields (tamper evidence)
    expires_at = TTLAttribute(null=True)  # the case's: a referral expires with its case

    by_partner = ReferralsByPartner()


class Partner(Model):
    """Referral directory entry, seeded from the country file (see functions.dal.partners).

    The seeding overwrites these items on every deploy and deletes the partners the country file no
    longer lists; ``active`` false also stops referrals.  The open-referral counter is NOT here (a
    seeding PutItem would reset it): it is :class:`PartnerLoad`.
    """

    LOGICAL_NAME = "Partners"
    TABLE_ENV = "PARTNERS_TABLE"
    RETENTION_ENV = None
    TTL_ATTRIBUTE = None

    class Meta(_BaseMeta):
        pass

    partner_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    services = ListAttribute(of=UnicodeAttribute, default=list)
    regions = ListAttribute(of=UnicodeAttribute, default=list)
    languages = ListAttribute(of=UnicodeAttribute, default=list)
    channel_type = UnicodeAttribute()
    channel_address = UnicodeAttribute()
    capacity = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)


class PartnerService(Model):
    """Which partners serve a needs code: one item per (code, partner), seeded with the directory.

    A partner listing a family (``SM``) gets an item for the family and one per sub-code
    (``SM-CC``, ``SM-MI``, ...) with ``match`` "family"; a listed code gets ``match`` "exact".  One
    Query on the need's code finds every partner serving it (no Scan per referral).
    """

    LOGICAL_NAME = "PartnerServices"
    TABLE_ENV = "PARTNER_SERVICES_TABLE"
    RETENTION_ENV = None
    TTL_ATTRIBUTE = None

    class Meta(_BaseMeta):
        pass

    service_code = UnicodeAttribute(hash_key=True)
    partner_id = UnicodeAttribute(range_key=True)
    match = UnicodeAttribute()  # exact | family


class PartnerLoad(Model):
    """Open referrals per partner (never seeded): +1 with each referral, -1 when one closes."""

    LOGICAL_NAME = "PartnerLoads"
    TABLE_ENV = "PARTNER_LOADS_TABLE"
    RETENTION_ENV = None
    TTL_ATTRIBUTE = None

    class Meta(_BaseMeta):
        pass

    partner_id = UnicodeAttribute(hash_key=True)
    open_referrals = NumberAttribute(default=0)


class OutboxPending(GlobalSecondaryIndex):
    """Sparse index of undelivered messages (``pending`` is removed on delivery)."""

    class Meta:
        index_name = "pending"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)  # always "pending" while undelivered
    created_at = UnicodeAttribute(range_key=True)


class OutboxMessage(Model):
    """A notification to publish to EventBridge, written in the same transaction as its referral.

    deliver_outbox (stream of this table + a schedule) publishes it and marks it delivered.
    """

    LOGICAL_NAME = "Outbox"
    TABLE_ENV = "OUTBOX_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_REFERRALS"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        stream_view_type = "NEW_IMAGE"

    message_id = UnicodeAttribute(hash_key=True)  # "referral#<referral_id>"
    source = UnicodeAttribute()
    detail_type = UnicodeAttribute()
    detail = UnicodeAttribute()  # JSON: ids and codes only
    status = UnicodeAttribute(default="pending")  # pending | delivered
    pending = UnicodeAttribute(null=True)  # "pending" while undelivered (sparse index)
    attempts = NumberAttribute(default=0)
    claimed_until = NumberAttribute(null=True)  # epoch seconds: a deliverer is publishing it
    created_at = UnicodeAttribute()
    delivered_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    by_pending = OutboxPending()


class SurveyResponse(Model):
    """Post-call survey answers, keyed by sha256(ContactId) (not by caller) - no caller link stored."""

    LOGICAL_NAME = "SurveyResponses"
    TABLE_ENV = "SURVEYS_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_SURVEYS"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        pass

    response_key = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)  # <survey_id>#<question_id>
    survey_id = UnicodeAttribute()
    question_id = UnicodeAttribute()
    answer = UnicodeAttribute()
    language = UnicodeAttribute(null=True)  # the language the question was asked in
    campaign_id = UnicodeAttribute(null=True)  # outbound needs survey: the campaign (no person)
    answered_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)


class SurveyCampaign(Model):
    """An outbound needs-survey campaign (``helpline survey-campaign start``), plus one runner item.

    ``campaign_id`` "#runner" is not a campaign: it holds the runner's lease (one
    run_survey_campaign at a time) and the token bucket of StartOutboundVoiceContact, whose rate
    quota is per account and Region (API reference: "2 per second, burst 5" by default).
    """

    LOGICAL_NAME = "SurveyCampaigns"
    TABLE_ENV = "SURVEY_CAMPAIGNS_TABLE"
    RETENTION_ENV = None
    TTL_ATTRIBUTE = None

    class Meta(_BaseMeta):
        pass

    campaign_id = UnicodeAttribute(hash_key=True)  # [a-z0-9-]{3,40}, or "#runner"
    survey_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)  # active | paused | done
    created_at = UTCDateTimeAttribute(null=True)
    list_expires_at = NumberAttribute(null=True)  # epoch seconds: every number of the list is gone by then
    contacts = NumberAttribute(null=True)  # how many were loaded
    lease_until = NumberAttribute(null=True)  # "#runner": epoch seconds, a runner is working
    lease_owner = UnicodeAttribute(null=True)
    bucket_tokens = NumberAttribute(null=True)  # "#runner": tokens left at bucket_at
    bucket_at = NumberAttribute(null=True)


class CampaignContactsDue(GlobalSecondaryIndex):
    """Contacts by ``<campaign_id>#<state>``, oldest ``due_at`` first (what to call next, what is in flight)."""

    class Meta:
        index_name = "by-state"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)  # "<campaign_id>#<state>"
    due_at = UnicodeAttribute(range_key=True)  # ISO-8601 UTC: when it may be called (pending) / was dialled


class CampaignContact(Model):
    """One consented person on a campaign's list: the only table that holds a phone number.

    The number (E.164) is needed to dial; it is removed as soon as the person is done (completed,
    declined, asked for help, a final no_input, unreached after the last attempt, opted out). A
    waiting entry (with its number) expires ``list_retention_days`` after loading (TTL); an entry
    in a final state (no number) expires ``retention_days.surveys`` after it got there, with the
    survey answers, so erasure still finds every call (``contact_ids``). The table is encrypted
    with the country's customer-managed key like every table. ``contact_key`` is random: it is the
    only id passed to Connect (contact attribute), so Connect's records hold no pseudonym.
    States: pending -> dialing -> completed | declined | help | no_input | pending again (not
    answered, attempts left) | unreached; opted_out when on the opt-out list. no_input: when the
    flow reports that nothing was pressed through the consent's retries (often an answering
    machine) the person is called again while attempts remain; a person who picked up and hung up
    before choosing is a final no_input, never called again.
    """

    LOGICAL_NAME = "SurveyCampaignContacts"
    TABLE_ENV = "SURVEY_CONTACTS_TABLE"
    RETENTION_ENV = None  # expires_at is set from the survey's campaign.list_retention_days
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        pass

    campaign_id = UnicodeAttribute(hash_key=True)
    contact_key = UnicodeAttribute(range_key=True)  # random hex, 32 chars
    pseudonym = UnicodeAttribute()  # HMAC of the number, as Callers.caller_id (opt-out, erasure)
    phone = UnicodeAttribute(null=True)  # E.164; removed when the person is done
    language = UnicodeAttribute()
    consent_ref = UnicodeAttribute()  # where and when the person agreed to be called (from the list)
    state = UnicodeAttribute(default="pending")
    queue = UnicodeAttribute(null=True)  # "<campaign_id>#<state>" (index), absent once done
    due_at = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    contact_id = UnicodeAttribute(null=True)  # Connect ContactId of the last attempt
    contact_ids = ListAttribute(of=UnicodeAttribute, null=True)  # every attempt's (erasure: Connect records, answers)
    dialled_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    by_state = CampaignContactsDue()


class SurveyOptOut(Model):
    """Never call this person for a survey again (declined on a survey call, or asked an operator).

    Keyed by pseudonym, kept without expiry: a suppression list holds no number. ``helpline erase``
    keeps it (erasing it would let the person be called again).
    """

    LOGICAL_NAME = "SurveyOptOuts"
    TABLE_ENV = "SURVEY_OPTOUTS_TABLE"
    RETENTION_ENV = None
    TTL_ATTRIBUTE = None

    class Meta(_BaseMeta):
        pass

    pseudonym = UnicodeAttribute(hash_key=True)
    source = UnicodeAttribute()  # declined | operator
    opted_out_at = UTCDateTimeAttribute()


class IdempotencyMarker(Model):
    """De-duplication markers for EventBridge deliveries (key ``event#<id>``), short TTL."""

    LOGICAL_NAME = "Idempotency"
    TABLE_ENV = "IDEMPOTENCY_TABLE"
    RETENTION_ENV = "IDEMPOTENCY_TTL_HOURS"  # hours, not days
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        pass

    idempotency_key = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)


class ContactLinksByCaller(GlobalSecondaryIndex):
    """Every contact of one caller, oldest first (erasure finds each one; no call is missed)."""

    class Meta:
        index_name = "by-caller"
        projection = KeysOnlyProjection()

    caller_id = UnicodeAttribute(hash_key=True)
    linked_at = UTCDateTimeAttribute(range_key=True)


class ContactLink(Model):
    """One item per Amazon Connect contact of a known caller: contact id -> pseudonym (and case).

    Why it exists: Connect keeps contact attributes in its contact records for 24 months, beyond
    the reach of erasure (DeleteContactData redacts the customer endpoint only,
    https://docs.aws.amazon.com/connect/latest/APIReference/API_DeleteContactData.html ... see
    docs/audit.md), so no pseudonym, case, need or consent is written as a contact attribute.
    Whatever a later Lambda of the same call (create_case, the operators' guide through the guide
    contact's RelatedContactId) needs about the caller is looked up here by contact id, and
    ``helpline erase`` finds EVERY contact of a caller through the ``by-caller`` index (the
    Callers item alone keeps only the first and the last). Written by identify_caller on every
    identified call (one UpdateItem); ``case_id`` is set when the call opens or extends a case.
    Kept as long as Connect keeps the contact record it points at (``retention_days.interactions``).
    """

    LOGICAL_NAME = "ContactLinks"
    TABLE_ENV = "CONTACT_LINKS_TABLE"
    RETENTION_ENV = "RETENTION_DAYS_INTERACTIONS"
    TTL_ATTRIBUTE = "expires_at"

    class Meta(_BaseMeta):
        pass

    contact_id = UnicodeAttribute(hash_key=True)  # Connect ContactId (voice, chat or outbound)
    caller_id = UnicodeAttribute()  # pseudonym, as Callers.caller_id
    linked_at = UTCDateTimeAttribute()
    channel = UnicodeAttribute(null=True)  # VOICE | CHAT | ...
    case_id = UnicodeAttribute(null=True)  # the case this contact opened or extended
    expires_at = TTLAttribute(null=True)

    by_caller = ContactLinksByCaller()


ALL_MODELS: list[type[Model]] = [
    Caller,
    Case,
    Interaction,
    Referral,
    Partner,
    PartnerService,
    PartnerLoad,
    OutboxMessage,
    SurveyResponse,
    IdempotencyMarker,
    SurveyCampaign,
    CampaignContact,
    SurveyOptOut,
    ContactLink,
]
MODELS_BY_LOGICAL_NAME: dict[str, type[Model]] = {m.LOGICAL_NAME: m for m in ALL_MODELS}


def configure_models() -> None:
    """(Re)read table names, region and timeouts from the environment and drop cached connections."""
    for model in ALL_MODELS:
        model.Meta.configure(model.TABLE_ENV, model.LOGICAL_NAME)
        model._connection = None
        for index in model._indexes.values() if hasattr(model, "_indexes") else ():
            if hasattr(index, "_connection"):
                index._connection = None


configure_models()
