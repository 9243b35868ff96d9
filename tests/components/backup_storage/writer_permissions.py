"""What the app's backup writer can and cannot do to the dumps, evaluated with `ops.iam.evaluate` against the planned
prod documents: the bucket policy, the writer role's identity policies and the account's permissions boundary (and,
for the key, the key policy).

Each case is one request as S3 (or KMS) authorizes it: the action the API operation is authorized as, the resource,
and the condition keys the request carries, each key citing the page that documents it. `render_table` is the
markdown docs/backups.md carries between the `writer-permissions` markers; test_writer_permissions.py fails when a
case's outcome is not the required one and when the page is stale. Regenerate with

    .venv/bin/python -m tests.components.backup_storage.writer_permissions

What IAM cannot show, S3 decides after authorization: a conditional create of a key that exists is refused with 412
Precondition Failed (the last column says so, with its source). Offline, nothing proves that S3 really sends these
keys with these values; the check after the first `pulumi up` is in docs/backups.md.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.backup_storage.component import WRITER_KMS_ACTIONS, key_use_policy
from components.state_backend.component import StateNames, boundary_policy
from ops.iam import Context, Decision, Policy, PolicyKind, Principal, Request, evaluate, plan_policy
from tests.support.plans import PlanView, plan_stack

ACCOUNT = "123456789012"  # the planner's offline caller identity
REGION = "eu-west-1"
BUCKET = f"arn:aws:s3:::platform-prod-backups-{ACCOUNT}"
DUMP = f"{BUCKET}/daily/2026-12-07T02-30-00Z.sql.gz"
# A key's ARN is unknown until `pulumi up`; the writer's key statement is built from any key ARN of the account.
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
WRITER = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/platform-prod-backup-writer", "backup-daily")
ADMIN = Principal.role_session(f"arn:aws:iam::{ACCOUNT}:role/PlatformAdmin", "admin")

_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
SAR_S3 = ("Service Authorization Reference, Amazon S3: s3:PutObject carries s3:if-none-match, s3:if-match and "
          "s3:ObjectCreationOperation (https://docs.aws.amazon.com/service-authorization/latest/reference/"
          "list_amazons3.html)")
ENFORCE = (f"S3 User Guide, Enforce conditional writes on Amazon S3 buckets ({_S3}conditional-writes-enforce.html): "
           "CreateMultipartUpload, UploadPart and UploadPartCopy 'don't accept conditional headers' and are exempted "
           "with s3:ObjectCreationOperation (false); PutObject and CompleteMultipartUpload create the object (true)")
CONDITIONAL = (f"S3 User Guide, How to prevent object overwrites with conditional writes ({_S3}conditional-writes.html)"
               ": with If-None-Match the write fails with 412 Precondition Failed when the key exists")
PERMISSIONS = (f"S3 User Guide, Required permissions for Amazon S3 API operations ({_S3}using-with-s3-policy-actions"
               ".html): the multipart operations and CopyObject's destination are authorized as s3:PutObject")
GLOBAL_KEYS = ("IAM User Guide, AWS global condition context keys (https://docs.aws.amazon.com/IAM/latest/UserGuide/"
               "reference_policies_condition-keys.html)")
KMS_KEYS = "AWS KMS Developer Guide, kms:ViaService (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html)"
TLS = {"aws:SecureTransport": True, "s3:TlsVersion": 1.3}
CREATE = {"s3:ObjectCreationOperation": True}
STAGE = {"s3:ObjectCreationOperation": False}
IF_ABSENT = {"s3:if-none-match": "*"}


@dataclass(frozen=True)
class Case:
    """One request and the outcome the design requires (`allowed`), with what S3 does after authorization."""

    title: str
    allowed: bool
    action: str
    resource: str
    keys: Mapping[str, Any] = field(default_factory=dict)
    #: What happens at S3 once IAM has decided (the request's effect on the dumps).
    effect: str = ""
    principal: Principal = WRITER
    #: "bucket" (the bucket policy) or "key" (the key policy).
    resource_policy: str = "bucket"

    def request(self) -> Request:
        def source(key: str) -> str:
            if key in ("s3:ObjectCreationOperation", "s3:if-none-match"):
                return ENFORCE
            if key.startswith("kms:"):
                return KMS_KEYS
            if key.startswith("s3:"):
                return SAR_S3
            return GLOBAL_KEYS
        context = Context({k: (v, source(k)) for k, v in self.keys.items()})
        owner = ACCOUNT if self.resource.startswith("arn:aws:s3:::") else None
        return Request(self.action, self.resource, self.principal, context, resource_account=owner,
                       source=PERMISSIONS)


DENIED_403 = "refused: 403 AccessDenied, nothing changes"
CASES: tuple[Case, ...] = (
    # ------------------------------------------------------------------------------------------- put-new
    Case("put a new dump: PutObject with If-None-Match: *", True, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT}, "created when the key is free; 412 Precondition Failed when it exists "
         "(S3 User Guide, conditional writes)"),
    Case("multipart, 1: CreateMultipartUpload", True, "s3:PutObject", DUMP, {**TLS, **STAGE},
         "an upload id; nothing is written yet"),
    Case("multipart, 2: UploadPart", True, "s3:PutObject", DUMP, {**TLS, **STAGE},
         "a part is staged; nothing is written yet"),
    Case("multipart, 3: CompleteMultipartUpload with If-None-Match: *", True, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT}, "created when the key is free; 412 when it exists"),
    # ------------------------------------------------------------------------------------------- overwrite
    Case("overwrite: PutObject without If-None-Match (`aws s3 cp`, `put-object` without `--if-none-match`)", False,
         "s3:PutObject", DUMP, {**TLS, **CREATE}, DENIED_403),
    Case("overwrite: CompleteMultipartUpload without If-None-Match (`aws s3 cp` of a large file)", False,
         "s3:PutObject", DUMP, {**TLS, **CREATE}, DENIED_403),
    Case("overwrite: PutObject with If-Match: <the ETag its own PutObject returned>", False, "s3:PutObject", DUMP,
         {**TLS, **CREATE, "s3:if-match": '"9b2cf535f27731c974343645a3985328"'}, DENIED_403),
    Case("overwrite: PutObject with If-None-Match: * onto an existing dump", True, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT}, "authorized, then refused by S3: 412 Precondition Failed, the dump is "
         "unchanged (S3 User Guide, conditional writes)"),
    Case("overwrite: CopyObject onto an existing dump", False, "s3:PutObject", DUMP,
         {**TLS, **CREATE, "s3:x-amz-copy-source": "platform-prod-backups-123456789012/daily/other.sql.gz"},
         DENIED_403),
    Case("put outside the tiers' prefixes (tmp/)", False, "s3:PutObject", f"{BUCKET}/tmp/x.sql.gz",
         {**TLS, **CREATE, **IF_ABSENT}, DENIED_403),
    Case("put a dump under another encryption (x-amz-server-side-encryption: AES256)", False, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT, "s3:x-amz-server-side-encryption": "AES256"}, DENIED_403),
    Case("put a dump with a customer-provided key (SSE-C)", False, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT, "s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}, DENIED_403),
    Case("put a dump straight into DEEP_ARCHIVE (x-amz-storage-class: DEEP_ARCHIVE)", False, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT, "s3:x-amz-storage-class": "DEEP_ARCHIVE"}, DENIED_403),
    Case("put a dump naming S3 Standard (x-amz-storage-class: STANDARD)", True, "s3:PutObject", DUMP,
         {**TLS, **CREATE, **IF_ABSENT, "s3:x-amz-storage-class": "STANDARD"}, "created when the key is free"),
    # ------------------------------------------------------------------------------------------- delete
    Case("delete: DeleteObject (a delete marker over the dump)", False, "s3:DeleteObject", DUMP, TLS, DENIED_403),
    Case("delete-version: DeleteObjectVersion", False, "s3:DeleteObjectVersion", DUMP, TLS, DENIED_403),
    Case("shorten a lock: PutObjectRetention", False, "s3:PutObjectRetention", DUMP, TLS, DENIED_403),
    # ------------------------------------------------------------------------------------------- read
    Case("read: GetObject", False, "s3:GetObject", DUMP, TLS, DENIED_403),
    Case("list: ListBucket", False, "s3:ListBucket", BUCKET, TLS, DENIED_403),
    # ------------------------------------------------------------------------------------------- lifecycle/policy
    Case("lifecycle: PutLifecycleConfiguration (expire everything tomorrow)", False, "s3:PutLifecycleConfiguration",
         BUCKET, TLS, DENIED_403),
    Case("policy: PutBucketPolicy (drop these denies)", False, "s3:PutBucketPolicy", BUCKET, TLS, DENIED_403),
    Case("policy: DeleteBucketPolicy", False, "s3:DeleteBucketPolicy", BUCKET, TLS, DENIED_403),
    Case("versioning: PutBucketVersioning (suspend)", False, "s3:PutBucketVersioning", BUCKET, TLS, DENIED_403),
    Case("the key: kms:ScheduleKeyDeletion (every dump unreadable)", False, "kms:ScheduleKeyDeletion", KEY, {},
         DENIED_403.replace("403 AccessDenied", "AccessDeniedException"), resource_policy="key"),
    Case("the key: kms:Decrypt directly, not through S3", False, "kms:Decrypt", KEY, {},
         DENIED_403.replace("403 AccessDenied", "AccessDeniedException"), resource_policy="key"),
    # ------------------------------------------------------------------------------------------- everyone else
    Case("an administrator (AdministratorAccess): PutObject without If-None-Match onto a dump", False,
         "s3:PutObject", DUMP, {**TLS, **CREATE}, DENIED_403, principal=ADMIN),
)

ADMINISTRATOR_ACCESS = Policy.parse(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="AdministratorAccess", kind=PolicyKind.IDENTITY)


def _raw(plan: PlanView) -> dict[str, Any]:
    return {"resources": [{"name": r.name, "type": r.type, "inputs": r.inputs} for r in plan.plan.resources]}


@dataclass(frozen=True)
class Documents:
    """The planned documents the cases are evaluated against."""

    bucket_policy: Policy
    key_policy: Policy
    writer_policies: tuple[Policy, ...]
    boundary: Policy

    @classmethod
    def of(cls, plan: PlanView) -> Documents:
        raw = _raw(plan)
        bucket = plan_policy(raw, "backups-policy", type_="aws:s3/bucketPolicy:BucketPolicy")
        key = plan_policy(raw, "backups-key", type_="aws:kms/key:Key")
        s3 = plan_policy(raw, "backups-writer-s3", type_="aws:iam/rolePolicy:RolePolicy")
        # The planned key statement names the key's ARN (unknown offline): the same function builds it from a
        # stand-in ARN of the account.
        kms = Policy.parse(key_use_policy(KEY, WRITER_KMS_ACTIONS, region=REGION, bucket_arn=BUCKET),
                           name="backups-writer-kms.policy", kind=PolicyKind.IDENTITY)
        names = StateNames(alias="alias/platform-state", region=REGION, account_id=ACCOUNT,
                           bucket_name=f"platform-state-{ACCOUNT}")
        boundary = Policy.parse(boundary_policy(names), name="platform-infra-boundary", kind=PolicyKind.BOUNDARY)
        return cls(bucket, key, (s3, kms), boundary)

    def decide(self, case: Case) -> Decision:
        resource = self.bucket_policy if case.resource_policy == "bucket" else self.key_policy
        if case.principal is ADMIN:
            return evaluate(case.request(), identity_policies=[ADMINISTRATOR_ACCESS], resource_policy=resource)
        return evaluate(case.request(), identity_policies=list(self.writer_policies), boundary=self.boundary,
                        resource_policy=resource)


def _decided_by(decision: Decision) -> str:
    if decision.outcome.value == "implicit-deny":
        return "no Allow matches (implicit deny)"
    names: list[str] = []
    for statement in decision.statements:
        label = f"{statement.policy.split('.')[0]}{' ' + statement.sid if statement.sid else ''}"
        if label not in names:
            names.append(label)
    return ", ".join(names) or decision.reason


def _keys(case: Case) -> str:
    shown = [f"`{k}={str(v).lower() if isinstance(v, bool) else v}`" for k, v in case.keys.items()
             if k not in TLS]
    return "; ".join(shown) or "none"


def _resource(case: Case) -> str:
    return case.resource.replace(BUCKET, "<bucket>").replace(KEY, "<the bucket's key>")


def render_table(documents: Documents, cases: Sequence[Case] = CASES) -> str:
    """The markdown table of docs/backups.md (between the writer-permissions markers)."""
    lines = ["| # | request (by the writer unless named) | authorized as | on | condition keys | required | evaluated "
             "| decided by | what S3 then does |",
             "|---|---|---|---|---|---|---|---|---|"]
    for number, case in enumerate(cases, 1):
        decision = documents.decide(case)
        cells = [str(number), case.title, f"`{case.action}`", f"`{_resource(case)}`", _keys(case),
                 "allowed" if case.allowed else "denied", decision.outcome.value, _decided_by(decision), case.effect]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def main() -> int:
    print(render_table(Documents.of(plan_stack("prod"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
