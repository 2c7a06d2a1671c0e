"""Outbound needs-survey campaigns: the call list, its validation, and where campaigns are stored.

``helpline survey-campaign`` (:mod:`helpline.surveys.campaign_cli`) loads a CSV list of people who
agreed to be called (``phone,language,consent``) into the SurveyCampaignContacts table, and the
scheduled ``run_survey_campaign`` Lambda calls them (docs/survey-campaigns.md).  Tables and keys are
those of :mod:`functions.dal.models` (SurveyCampaign, CampaignContact, SurveyOptOut).

Where: a ``--state DIR`` sandbox folder (:class:`LocalCampaigns`, on the audit tools'
:class:`~helpline.audit.sources.LocalSource`) or a deployed stack (:class:`StackCampaigns`, on
:class:`~helpline.audit.stack.StackSource`: the tables found by CloudFormation logical id
``<LogicalName>Table``).

Finding one person's list entries (``opt-out``, ``helpline erase``): CampaignContact is keyed by
campaign, and no index is keyed by pseudonym.  On a stack this reads the campaign ids (a Scan of
the small SurveyCampaigns table: one item per campaign) and then Queries each campaign's partition
with a filter on ``pseudonym``: no Scan of the contacts table, but it reads every live list entry,
so its cost grows with the lists' size.  A GSI on ``pseudonym`` (KEYS_ONLY) would make it one Query.

Phone numbers: the one place a number is stored is ``CampaignContact.phone``; nothing here prints
or logs one (:func:`mask` where a number must be named).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from functions.logic.archive import plain_item

CAMPAIGN_ID = re.compile(r"^[a-z0-9-]{3,40}$")
RUNNER_ITEM = "#runner"  # the run_survey_campaign lease and token bucket, not a campaign
STATES = ("pending", "dialing", "completed", "declined", "help", "no_input", "unreached", "opted_out")
COLUMNS = ("phone", "language", "consent")
# States in which an entry waits for the runner's next call (no_input: nothing was pressed, called again).
WAITING = ("pending", "no_input")
CAMPAIGNS, CONTACTS, OPT_OUTS = "SurveyCampaigns", "SurveyCampaignContacts", "SurveyOptOuts"


class CampaignError(Exception):
    """A refused operation; ``str()`` is the one line for the user."""


class ListError(CampaignError):
    """A call list with bad rows: every problem, one per line."""


def mask(number: str) -> str:
    """'+48600700123' -> '+48******123': enough to tell numbers apart, not enough to call one."""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 6) + number[-3:]


NOTE_FIELDS = ("note", "channel_note")  # free text an operator or a flow wrote about the person


def shown_item(item: dict[str, Any]) -> dict[str, Any]:
    """A table item as printed: the number masked, a note as its length only (payload maps too)."""
    shown: dict[str, Any] = {}
    for key, value in item.items():
        if key == "phone" and isinstance(value, str):
            value = mask(value)
        elif key in NOTE_FIELDS and isinstance(value, str) and value:
            value = f"[note: {len(value)} chars]"
        elif isinstance(value, dict):
            value = shown_item(value)
        shown[key] = value
    return shown


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso_utc(when: datetime) -> str:
    """``due_at``: ISO-8601 UTC, second precision (sorts as text)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(when: datetime) -> str:
    """A UTCDateTimeAttribute value as PynamoDB writes it (``updated_at``, ``opted_out_at``)."""
    from pynamodb.attributes import UTCDateTimeAttribute

    return UTCDateTimeAttribute().serialize(when)


# ---------------------------------------------------------------------------- the country's settings


@dataclass(frozen=True)
class Outbound:
    """What a campaign needs from the country file's outbound survey."""

    country: str
    survey_id: str
    languages: tuple[str, ...]
    list_retention_days: int


def outbound_settings(cfg: Any) -> Outbound:
    """The country's outbound survey (``CountryConfig.outbound_survey``) or one clear error."""
    survey = cfg.outbound_survey
    if survey is None:
        raise CampaignError(
            f"{cfg.code} has no outbound survey; fix: add a survey with kind: outbound (consent, declined, thanks, "
            f"questions, campaign) to countries/{cfg.code}.yaml and deploy it (docs/survey-campaigns.md)"
        )
    # campaign is required on an outbound survey (helpline/config/schema.py)
    return Outbound(cfg.code, survey.id, tuple(cfg.language_codes), survey.campaign.list_retention_days)


# ---------------------------------------------------------------------------- the call list


@dataclass(frozen=True)
class Person:
    line: int
    phone: str  # E.164, normalised
    language: str
    consent: str


def read_list(path: Path, languages: tuple[str, ...], country: str) -> tuple[list[Person], list[str]]:
    """Every row of the CSV list, checked; raises :class:`ListError` naming every bad row (line numbers).
    A row must have exactly as many cells as the header: an unquoted comma would cut the consent text.

    Returns (people, notes) - notes are harmless remarks (ignored extra columns).
    """
    from functions.logic.pseudonym import normalise_e164

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ListError(f"{path}: cannot read the list: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ListError(f"{path}: the list is not UTF-8 text; fix: save it as CSV UTF-8") from None
    fix = "fix: a header line phone,language,consent and one line per person"
    if not text.strip():
        raise ListError(f"{path}: the list is empty; {fix}")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    for row in reader:
        if any(cell.strip() for cell in row):
            header = [cell.strip().lower() for cell in row]
            break
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ListError(f"{path}:{reader.line_num}: missing column(s) {', '.join(missing)}; {fix}")
    notes = []
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        notes.append(f"column(s) {', '.join(extra)} ignored (not stored)")
    where = {c: header.index(c) for c in COLUMNS}
    people: list[Person] = []
    errors: list[str] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):  # a comma in an unquoted cell (consent text cut) or a cell missing
            errors.append(
                f"line {reader.line_num}: {len(row)} cell{'s' * (len(row) != 1)}, the header has {len(header)}; "
                "fix: put a cell that holds a comma in double quotes"
            )
            continue
        cells = {c: row[i].strip() for c, i in where.items()}
        problems = []
        phone = normalise_e164(cells["phone"])
        if phone is None:
            problems.append(
                "phone is empty" if not cells["phone"] else "phone is not an E.164 number (+, country code, number)"
            )
        if cells["language"].lower() not in languages:
            said = f"'{cells['language']}'" if cells["language"] else "empty"
            problems.append(f"language {said} is not a language of {country} ({', '.join(languages)})")
        if not cells["consent"]:
            problems.append("consent is empty (say where and when the person agreed to be called)")
        if problems:
            errors.append(f"line {reader.line_num}: {'; '.join(problems)}")
        else:
            people.append(Person(reader.line_num, phone or "", cells["language"].lower(), cells["consent"]))
    if errors:
        raise ListError(f"{path}: {len(errors)} bad row(s), nothing written:\n  " + "\n  ".join(errors))
    if not people:
        raise ListError(f"{path}: the list has a header but nobody on it; {fix}")
    return people, notes


# ---------------------------------------------------------------------------- items


def contact_item(campaign_id: str, person: Person, pseudonym: str, loaded: datetime, expires: datetime) -> dict:
    """A new pending list entry, DynamoDB JSON (serialised by the model, so the handlers read it)."""
    from functions.dal.models import CampaignContact

    return CampaignContact(
        campaign_id=campaign_id,
        contact_key=secrets.token_hex(16),
        pseudonym=pseudonym,
        phone=person.phone,
        language=person.language,
        consent_ref=person.consent,
        state="pending",
        queue=f"{campaign_id}#pending",
        due_at=iso_utc(loaded),
        attempts=0,
        updated_at=loaded,
        expires_at=expires,
    ).serialize()


def campaign_item(campaign_id: str, survey_id: str, contacts: int, loaded: datetime, expires: datetime) -> dict:
    from functions.dal.models import SurveyCampaign

    return SurveyCampaign(
        campaign_id=campaign_id,
        survey_id=survey_id,
        status="active",
        created_at=loaded,
        list_expires_at=int(expires.timestamp()),
        contacts=contacts,
    ).serialize()


def opt_out_item(pseudonym: str, source: str, when: datetime) -> dict:
    from functions.dal.models import SurveyOptOut

    return SurveyOptOut(pseudonym=pseudonym, source=source, opted_out_at=when).serialize()


# ---------------------------------------------------------------------------- the operations


@dataclass
class Loaded:
    campaign_id: str
    loaded: int = 0
    duplicates: int = 0
    opted_out: int = 0
    expires: datetime = field(default_factory=now_utc)


def start(store: Any, outbound: Outbound, campaign_id: str, people: list[Person]) -> Loaded:
    """Load a checked list: duplicates (same pseudonym) once, people on the opt-out list skipped.
    Every entry and the campaign expire ``list_retention_days`` after loading."""
    if store.campaign(campaign_id) is not None:
        raise CampaignError(f"campaign {campaign_id} exists in {store.describe()}; fix: choose a new --campaign id")
    from helpline.audit.sources import pseudonym_for

    key = store.hash_key()
    result = Loaded(campaign_id)
    chosen: dict[str, Person] = {}
    for person in people:
        pseudonym = pseudonym_for(person.phone, key)
        if pseudonym in chosen:
            result.duplicates += 1
        else:
            chosen[pseudonym] = person
    suppressed = store.opted_out(set(chosen))
    result.opted_out = len(suppressed)
    loaded = now_utc()
    result.expires = loaded + timedelta(days=outbound.list_retention_days)
    items = [
        contact_item(campaign_id, person, pseudonym, loaded, result.expires)
        for pseudonym, person in chosen.items()
        if pseudonym not in suppressed
    ]
    if not items:
        raise CampaignError(f"nobody to call: all {len(chosen)} people are on the survey opt-out list; nothing written")
    result.loaded = len(items)
    store.create(campaign_item(campaign_id, outbound.survey_id, len(items), loaded, result.expires), items)
    return result


def status(store: Any, campaign_id: str) -> dict[str, Any]:
    """The campaign's status and its list entries counted per state (entries past their TTL not counted)."""
    campaign = require(store, campaign_id)
    counts = dict.fromkeys(STATES, 0)
    now = time.time()
    other: Counter[str] = Counter()
    for entry in store.states(campaign_id):
        if entry.get("expires_at") is not None and int(entry["expires_at"]) < now:
            continue  # past its TTL: DynamoDB deletes it eventually, it is gone for us
        state = str(entry.get("state") or "pending")
        if state in counts:
            counts[state] += 1
        else:
            other[state] += 1
    expires = campaign.get("list_expires_at")
    out = {
        "campaign_id": campaign_id,
        "survey_id": campaign.get("survey_id"),
        "status": campaign.get("status"),
        "contacts_loaded": int(campaign.get("contacts") or 0),
        "created_at": campaign.get("created_at"),
        "list_expires_at": iso_utc(datetime.fromtimestamp(int(expires), UTC)) if expires is not None else None,
        "list_expired": expires is not None and int(expires) < now,
        "counts": counts,
    }
    if other:
        out["other_states"] = dict(sorted(other.items()))
    return out


def require(store: Any, campaign_id: str) -> dict[str, Any]:
    campaign = store.campaign(campaign_id)
    if campaign is None:
        raise CampaignError(f"no campaign {campaign_id} in {store.describe()}")
    return campaign


def set_status(store: Any, campaign_id: str, new: str) -> str:
    """pause (active -> paused) or resume (paused -> active); returns the previous status."""
    old = str(require(store, campaign_id).get("status"))
    if old == new:
        return old
    if old == "done":
        raise CampaignError(f"campaign {campaign_id} is done: nobody is left to call; start a new campaign instead")
    store.set_status(campaign_id, new, old)
    return old


def opt_out(store: Any, number: str) -> tuple[bool, int]:
    """Put the person on the suppression list (source operator) and take them off every pending list.

    Returns (newly added, pending entries changed to opted_out).  Entries being dialled are left to
    the runner, which skips anyone on the list before each call."""
    from helpline.audit.sources import pseudonym_for

    pseudonym = pseudonym_for(number, store.hash_key())
    added = store.add_opt_out(opt_out_item(pseudonym, "operator", now_utc()))
    removed = 0
    for entry in store.entries_of(pseudonym):
        if entry.get("state") in WAITING and store.mark_opted_out(entry):
            removed += 1
    store.finish()
    return added, removed


# ---------------------------------------------------------------------------- stores


def campaigns_for(source: Any) -> LocalCampaigns | StackCampaigns:
    """The campaign store on an audit source (a ``--state`` folder or a deployed stack)."""
    from helpline.audit.sources import LocalSource

    return LocalCampaigns(source) if isinstance(source, LocalSource) else StackCampaigns(source)


class LocalCampaigns:
    """Campaign tables of a sandbox state folder (DynamoDB JSON lines, written by the source's finish)."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def describe(self) -> str:
        return self.source.describe()

    def hash_key(self) -> str:
        return self.source.hash_key()

    def _rows(self, table: str) -> list[dict[str, Any]]:
        return self.source.state.setdefault(table, [])

    def _changed(self, table: str) -> None:
        self.source.changed.add(table)

    def campaign(self, campaign_id: str) -> dict[str, Any] | None:
        found = [i for i in self._rows(CAMPAIGNS) if i["campaign_id"]["S"] == campaign_id]
        return plain_item(found[0]) if found else None

    def create(self, campaign: dict[str, Any], contacts: list[dict[str, Any]]) -> None:
        self._rows(CONTACTS).extend(contacts)
        self._rows(CAMPAIGNS).append(campaign)
        self._changed(CONTACTS)
        self._changed(CAMPAIGNS)
        self.finish()

    def opted_out(self, pseudonyms: set[str]) -> set[str]:
        return {i["pseudonym"]["S"] for i in self._rows(OPT_OUTS)} & pseudonyms

    def _entries(self, name: str, value: str) -> list[dict[str, Any]]:
        return [plain_item(i) or {} for i in self._rows(CONTACTS) if i.get(name, {}).get("S") == value]

    def states(self, campaign_id: str) -> list[dict[str, Any]]:
        return self._entries("campaign_id", campaign_id)

    def set_status(self, campaign_id: str, new: str, old: str) -> None:
        for item in self._rows(CAMPAIGNS):
            if item["campaign_id"]["S"] == campaign_id and item.get("status", {}).get("S") == old:
                item["status"] = {"S": new}
                self._changed(CAMPAIGNS)
        self.finish()

    def add_opt_out(self, item: dict[str, Any]) -> bool:
        if self.opted_out({item["pseudonym"]["S"]}):
            return False
        self._rows(OPT_OUTS).append(item)
        self._changed(OPT_OUTS)
        return True

    def entries_of(self, pseudonym: str) -> list[dict[str, Any]]:
        return self._entries("pseudonym", pseudonym)

    def mark_opted_out(self, entry: dict[str, Any]) -> bool:
        """pending / no_input -> opted_out, number removed (nothing runs concurrently on a state folder)."""
        for item in self._rows(CONTACTS):
            if (item["campaign_id"]["S"], item["contact_key"]["S"]) == (entry["campaign_id"], entry["contact_key"]):
                for name in ("phone", "queue", "due_at"):
                    item.pop(name, None)
                item["state"] = {"S": "opted_out"}
                item["updated_at"] = {"S": stamp(now_utc())}
                self._changed(CONTACTS)
                return True
        return False

    def erase_person(self, pseudonym: str, entries: list[dict[str, Any]] | None = None) -> int:
        """Drop every list entry of the person (written by the source's finish)."""
        return self.source._drop(CONTACTS, lambda i: i.get("pseudonym", {}).get("S") == pseudonym)

    def finish(self) -> None:
        self.source.finish()


class StackCampaigns:
    """Campaign tables of a deployed stack (boto3 DynamoDB client of the audit StackSource)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.ddb = source.ddb

    def describe(self) -> str:
        return self.source.describe()

    def hash_key(self) -> str:
        return self.source.hash_key()

    def _table(self, logical: str) -> str:
        return self.source.table(logical)

    def campaign(self, campaign_id: str) -> dict[str, Any] | None:
        answer = self.ddb.get_item(
            TableName=self._table(CAMPAIGNS), Key={"campaign_id": {"S": campaign_id}}, ConsistentRead=True
        )
        return plain_item(answer.get("Item"))

    def create(self, campaign: dict[str, Any], contacts: list[dict[str, Any]]) -> None:
        """The list first, then the campaign item (the runner only calls lists of a campaign item);
        if another start wrote the same campaign id meanwhile, this list is deleted again."""
        table = self._table(CONTACTS)
        for first in range(0, len(contacts), 25):
            self._batch_write(table, [{"PutRequest": {"Item": c}} for c in contacts[first : first + 25]])
        try:
            self.ddb.put_item(
                TableName=self._table(CAMPAIGNS),
                Item=campaign,
                ConditionExpression="attribute_not_exists(campaign_id)",
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            keys = [{"campaign_id": c["campaign_id"], "contact_key": c["contact_key"]} for c in contacts]
            for first in range(0, len(keys), 25):
                self._batch_write(table, [{"DeleteRequest": {"Key": k}} for k in keys[first : first + 25]])
            raise CampaignError(
                f"campaign {campaign['campaign_id']['S']} was created by someone else meanwhile; nothing written"
            ) from None

    def _batch_write(self, table: str, requests: list[dict[str, Any]]) -> None:
        for attempt in range(8):
            answer = self.ddb.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])
            if not requests:
                return
            time.sleep(min(0.05 * 2**attempt, 2.0))
        raise CampaignError(f"{self.describe()}: DynamoDB kept {len(requests)} write(s) unprocessed; try again")

    def opted_out(self, pseudonyms: set[str]) -> set[str]:
        table, found = self._table(OPT_OUTS), set()
        wanted = sorted(pseudonyms)
        for first in range(0, len(wanted), 100):
            request = {table: {"Keys": [{"pseudonym": {"S": p}} for p in wanted[first : first + 100]]}}
            for attempt in range(8):
                answer = self.ddb.batch_get_item(RequestItems=request)
                found |= {i["pseudonym"]["S"] for i in answer.get("Responses", {}).get(table, [])}
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise CampaignError(f"{self.describe()}: cannot read the opt-out list (throttled); try again")
        return found

    def _contacts(self, campaign_id: str, **kwargs: Any) -> list[dict[str, Any]]:
        values = {":c": {"S": campaign_id}} | kwargs.pop("values", {})
        return self.source._query(
            CONTACTS,
            KeyConditionExpression="campaign_id = :c",
            ExpressionAttributeValues=values,
            ConsistentRead=True,
            **kwargs,
        )

    def states(self, campaign_id: str) -> list[dict[str, Any]]:
        return self._contacts(
            campaign_id, ProjectionExpression="#s, expires_at", ExpressionAttributeNames={"#s": "state"}
        )

    def set_status(self, campaign_id: str, new: str, old: str) -> None:
        try:
            self.ddb.update_item(
                TableName=self._table(CAMPAIGNS),
                Key={"campaign_id": {"S": campaign_id}},
                UpdateExpression="SET #s = :new",
                ConditionExpression="#s = :old",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":new": {"S": new}, ":old": {"S": old}},
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            raise CampaignError(f"campaign {campaign_id} changed meanwhile (no longer {old}); look again") from None

    def add_opt_out(self, item: dict[str, Any]) -> bool:
        try:
            self.ddb.put_item(
                TableName=self._table(OPT_OUTS), Item=item, ConditionExpression="attribute_not_exists(pseudonym)"
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False  # already on the list: the first entry (and its source) stays
        return True

    def campaign_ids(self) -> list[str]:
        if not {f"{CAMPAIGNS}Table", f"{CONTACTS}Table"} <= set(self.source.resources):
            return []  # a stack deployed before outbound surveys has no campaign lists
        ids: list[str] = []
        for page in self.ddb.get_paginator("scan").paginate(
            TableName=self._table(CAMPAIGNS), ProjectionExpression="campaign_id", ConsistentRead=True
        ):
            ids.extend(i["campaign_id"]["S"] for i in page["Items"] if i["campaign_id"]["S"] != RUNNER_ITEM)
        return sorted(ids)

    def entries_of(self, pseudonym: str) -> list[dict[str, Any]]:
        """The person's entries in every campaign: one Query per campaign filtered on pseudonym (no
        index by pseudonym; see the module docstring)."""
        found: list[dict[str, Any]] = []
        for campaign_id in self.campaign_ids():
            found += self._contacts(
                campaign_id,
                FilterExpression="pseudonym = :p",
                ProjectionExpression="campaign_id, contact_key, contact_id, contact_ids, #s",
                ExpressionAttributeNames={"#s": "state"},
                values={":p": {"S": pseudonym}},
            )
        return found

    def _key(self, entry: dict[str, Any]) -> dict[str, Any]:
        return {"campaign_id": {"S": entry["campaign_id"]}, "contact_key": {"S": entry["contact_key"]}}

    def mark_opted_out(self, entry: dict[str, Any]) -> bool:
        """pending / no_input -> opted_out, number removed (conditional on the state just read: the
        runner may be dialling meanwhile)."""
        try:
            self.ddb.update_item(
                TableName=self._table(CONTACTS),
                Key=self._key(entry),
                UpdateExpression="SET #s = :out, updated_at = :now REMOVE phone, queue, due_at",
                ConditionExpression="#s = :was",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":out": {"S": "opted_out"},
                    ":was": {"S": str(entry["state"])},
                    ":now": {"S": stamp(now_utc())},
                },
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def erase_person(self, pseudonym: str, entries: list[dict[str, Any]] | None = None) -> int:
        """Delete the person's list entries (``entries``: as :meth:`entries_of` just read them)."""
        entries = self.entries_of(pseudonym) if entries is None else entries
        for entry in entries:
            self.ddb.delete_item(TableName=self._table(CONTACTS), Key=self._key(entry))
        return len(entries)

    def finish(self) -> None:
        """Nothing buffered: every write went to DynamoDB."""
