"""A deployed country stack as an audit source (boto3, the caller's credentials).

Finds its resources from CloudFormation (ListStackResources, DescribeStacks): the tables by
logical id ``<LogicalName>Table`` (functions.dal.models), the hash-key secret ``CallerHashKey``,
and the outputs ``ArchiveBucket`` and ``SigningKeyArn``.
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html

Reading needs cloudformation:ListStackResources and DescribeStacks on the stack, dynamodb:Scan
on the tables (Cases by named attributes only), s3:ListBucketVersions/GetObjectVersion on the
archive bucket and kms:GetPublicKey on the signing key (the stack's auditor role).  Erasure also
needs kms:GenerateMac on the pseudonym key (for ``--caller``), dynamodb:DeleteItem/UpdateItem/PutItem,
the data key's kms:Decrypt/GenerateDataKey and connect:DeleteContactData: the stack's
DataProtectionRole, not the auditor's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from functions.logic.archive import auditor_case_attributes, plain_item
from helpline.audit import signing
from helpline.audit.sources import CHECKPOINT_PREFIX, to_wire


class StackError(RuntimeError):
    pass


THROTTLED = {"ThrottlingException", "TooManyRequestsException", "LimitExceededException"}
REDACT_ATTEMPTS = 6
_sleep = time.sleep  # tests replace it


def redact_one(connect: Any, instance: str, contact: str) -> str:
    """One DeleteContactData, throttle-safe: "ok", "gone" (ResourceNotFoundException), or the error.

    Throttling is retried with exponential back-off (0.5 s doubling, REDACT_ATTEMPTS tries) on top of
    botocore's own retries: an erasure of a caller with hundreds of calls must not stop half-way on a
    request rate quota (Connect API throttling: ThrottlingException, API_DeleteContactData.html)."""
    from botocore.exceptions import ClientError

    for attempt in range(REDACT_ATTEMPTS):
        try:
            connect.delete_contact_data(InstanceId=instance, ContactId=contact, ContactFields=["CUSTOMER_ENDPOINT"])
            return "ok"
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                return "gone"
            if code not in THROTTLED or attempt == REDACT_ATTEMPTS - 1:
                return f"{code}: {exc.response.get('Error', {}).get('Message', '')}".strip(": ")
            _sleep(0.5 * 2**attempt)
    return "unreachable"


def _version(entry: dict[str, Any], marker: bool, body: bytes) -> dict[str, Any]:
    """One object version as verify.check_archive reads it (``lines`` for JSON Lines record objects)."""
    parsed: Any = None
    lines: list[Any] | None = None
    try:
        if entry["Key"].endswith(".jsonl"):
            lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        elif not marker:
            parsed = json.loads(body)
    except ValueError:
        lines = [] if entry["Key"].endswith(".jsonl") else None
    return {
        "key": entry["Key"],
        "version_id": entry.get("VersionId", "null"),
        "latest": bool(entry.get("IsLatest")),
        "modified": str(entry.get("LastModified", "")),
        "delete_marker": marker,
        "parsed": parsed,
        "lines": lines,
    }


def session_for(region: str | None) -> Any:
    """A boto3 session with the caller's credentials (tests replace this)."""
    import boto3

    return boto3.Session(region_name=region)


class StackSource:
    has_connect = True  # the stack's Amazon Connect instance keeps its own contact records

    def __init__(self, stack: str, region: str | None, session: Any = None) -> None:
        self.stack = stack
        # told (done, total so far) per archive object version read and per contact redacted: a progress bar
        self.progress: Callable[[int, int], None] = lambda done, total: None
        self.session = session or session_for(region)
        cfn = self.session.client("cloudformation")
        try:
            resources: dict[str, str] = {}
            for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
                for r in page["StackResourceSummaries"]:
                    resources[r["LogicalResourceId"]] = r.get("PhysicalResourceId", "")
            described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        except Exception as exc:  # noqa: BLE001 - one line for the auditor, not a traceback
            raise StackError(f"stack {stack}: {exc}") from None
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        self.resources = resources
        self.ddb = self.session.client("dynamodb")

    def describe(self) -> str:
        return f"stack {self.stack}"

    def table(self, logical: str) -> str:
        name = self.resources.get(f"{logical}Table")
        if not name:
            raise StackError(f"stack {self.stack} has no table {logical}Table")
        return name

    def _scan(self, logical: str, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        pages = self.ddb.get_paginator("scan").paginate(TableName=self.table(logical), ConsistentRead=True, **kwargs)
        for page in pages:
            items.extend(plain_item(i) for i in page["Items"])
        return items

    def _query(self, logical: str, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self.ddb.get_paginator("query").paginate(TableName=self.table(logical), **kwargs):
            items.extend(plain_item(i) for i in page["Items"])
        return items

    def interactions(self) -> list[dict[str, Any]]:
        return self._scan("Interactions")

    def cases(self) -> list[dict[str, Any]]:
        """Named attributes only: the auditor role may not read a note or the pseudonym."""
        names = {f"#a{i}": name for i, name in enumerate(auditor_case_attributes())}
        return self._scan("Cases", ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)

    def archive(self) -> list[dict[str, Any]]:
        """EVERY version of every archive object, delete markers included (ListObjectVersions, every
        page; GetObject with VersionId): an overwrite cannot hide what was written first.
        https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html"""
        if getattr(self, "_archive", None) is None:
            bucket, s3 = self._output("ArchiveBucket"), self.session.client("s3")
            versions: list[dict[str, Any]] = []
            read, listed = 0, 0
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                listed += len(page.get("Versions", []))
                for v in page.get("Versions", []):
                    body = s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read()
                    versions.append(_version(v, False, body))
                    read += 1
                    self.progress(read, listed)
                versions += [_version(m, True, b"") for m in page.get("DeleteMarkers", [])]
            self._archive = versions
        return self._archive

    def checkpoints(self) -> list[tuple[str, Any]]:
        """Every version of every checkpoint object, named ``key@version``."""
        return [
            (f"{v['key']}@{v['version_id']}", v["parsed"])
            for v in self.archive()
            if v["key"].startswith(CHECKPOINT_PREFIX) and not v["delete_marker"]
        ]

    def public_key(self) -> Any:
        answer = self.session.client("kms").get_public_key(KeyId=self._output("SigningKeyArn"))
        return signing.public_key_from_der(answer["PublicKey"])

    def hash_key(self) -> Any:
        """The KMS HMAC key ``PseudonymKey`` (kms:GenerateMac with the caller's credentials)."""
        from functions.logic.pseudonym import KmsMacKey

        key = self.resources.get("PseudonymKey")
        if not key:
            raise StackError(f"stack {self.stack} has no PseudonymKey (the KMS HMAC key of the pseudonyms)")
        return KmsMacKey(self.session.client("kms"), key)

    def _output(self, name: str) -> str:
        if name not in self.outputs:
            raise StackError(f"stack {self.stack} has no output {name}")
        return self.outputs[name]

    # -- erasure
    def caller(self, pseudonym: str) -> dict[str, Any] | None:
        item = self.ddb.get_item(
            TableName=self.table("Callers"), Key={"caller_id": {"S": pseudonym}}, ConsistentRead=True
        )
        return plain_item(item.get("Item"))

    def delete_caller(self, pseudonym: str) -> None:
        self.ddb.delete_item(TableName=self.table("Callers"), Key={"caller_id": {"S": pseudonym}})

    def cases_of(self, pseudonym: str) -> list[dict[str, Any]]:
        return self._query(
            "Cases",
            IndexName="by-caller",
            KeyConditionExpression="caller_id = :c",
            ExpressionAttributeValues={":c": {"S": pseudonym}},
        )

    def chain_head(self, chain_id: str) -> dict[str, Any] | None:
        answer = self.ddb.query(
            TableName=self.table("Interactions"),
            KeyConditionExpression="chain_id = :c",
            ExpressionAttributeValues={":c": {"S": chain_id}},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        return plain_item(answer["Items"][0]) if answer.get("Items") else None

    def erase_case(self, case: dict[str, Any], fields: list[str], record: dict[str, Any]) -> None:
        """One transaction: the tombstone (new seq only) and the case (head unchanged meanwhile)."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        remove = (" REMOVE " + ", ".join(names)) if names else ""
        values: dict[str, Any] = {":seq": {"N": str(record["seq"])}, ":head": {"S": record["record_hash"]}}
        condition = "attribute_not_exists(chain_seq)"
        if record["seq"] > 1:
            condition = "chain_seq = :old"
            values[":old"] = {"N": str(record["seq"] - 1)}
        self.ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table("Interactions"),
                        "Item": {k: to_wire(v) for k, v in record.items()},
                        "ConditionExpression": "attribute_not_exists(chain_id)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table("Cases"),
                        "Key": {"case_id": {"S": case["case_id"]}},
                        "UpdateExpression": "SET chain_seq = :seq, chain_head = :head" + remove,
                        "ConditionExpression": condition,
                        "ExpressionAttributeValues": values,
                        **({"ExpressionAttributeNames": names} if names else {}),
                    }
                },
            ]
        )

    def contact_links(self, pseudonym: str) -> list[str]:
        """Every contact id linked to the caller: Query on the ContactLinks ``by-caller`` index (keys
        only), every page (the paginator follows LastEvaluatedKey)."""
        items = self._query(
            "ContactLinks",
            IndexName="by-caller",
            KeyConditionExpression="caller_id = :c",
            ExpressionAttributeValues={":c": {"S": pseudonym}},
        )
        return sorted({str(i["contact_id"]) for i in items})

    def delete_contact_links(self, contacts: list[str]) -> int:
        for contact in contacts:
            self.ddb.delete_item(TableName=self.table("ContactLinks"), Key={"contact_id": {"S": contact}})
        return len(contacts)

    def survey_items(self, keys: set[str]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for key in sorted(keys):
            answers = self._query(
                "SurveyResponses",
                KeyConditionExpression="response_key = :k",
                ExpressionAttributeValues={":k": {"S": key}},
                ProjectionExpression="response_key, item_key",
            )
            found += [(key, str(a["item_key"])) for a in answers]
        return found

    def delete_surveys(self, items: list[tuple[str, str]]) -> int:
        for key, item in items:
            self.ddb.delete_item(
                TableName=self.table("SurveyResponses"), Key={"response_key": {"S": key}, "item_key": {"S": item}}
            )
        return len(items)

    def referrals_of(self, case_ids: list[str]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for case_id in case_ids:
            rows = self._query(
                "Referrals",
                KeyConditionExpression="case_id = :c",
                ExpressionAttributeValues={":c": {"S": case_id}},
                ProjectionExpression="referral_id, partner_id",
            )
            found += [(str(r["referral_id"]), str(r["partner_id"])) for r in rows]
        return sorted(found)

    def recordings_location(self) -> str:
        bucket = self.outputs.get("RecordingsBucket")
        return f"bucket {bucket}" if bucket else f"the recordings bucket of stack {self.stack}"

    def redact_contacts(self, contacts: list[str]) -> tuple[int, list[str], list[str]]:
        """Amazon Connect DeleteContactData (CUSTOMER_ENDPOINT) on EACH contact: "redacts PII (such as
        customer endpoints ...) from the contact and its associated contact trace record"; only a
        terminated contact. https://docs.aws.amazon.com/connect/latest/APIReference/API_DeleteContactData.html
        Returns (redacted, gone: contacts Connect no longer has (ResourceNotFound: expired after its 24
        months, nothing left to redact), failures: one line each; a rerun retries them)."""
        instance = self.outputs.get("InstanceId")
        if not instance:
            return 0, [], [f"stack {self.stack} has no InstanceId output: Connect's contact records not redacted"]
        connect = self.session.client("connect")
        done, gone, failures = 0, [], []
        for number, contact in enumerate(contacts, start=1):
            outcome = redact_one(connect, instance, contact)
            self.progress(number, len(contacts))
            if outcome == "ok":
                done += 1
            elif outcome == "gone":
                gone.append(contact)
            else:
                failures.append(f"contact {contact}: DeleteContactData failed: {outcome}")
        return done, gone, failures

    def finish(self) -> None:
        """Nothing to write: the tombstones reach the archive and a signed checkpoint via the stream."""
