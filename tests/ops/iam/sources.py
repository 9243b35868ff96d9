"""The AWS pages the evaluator's tests reproduce, and small builders shared by the test modules."""

from __future__ import annotations

from typing import Any

from ops.iam import Policy, PolicyKind

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/"

EVALUATION_LOGIC = _IAM + "reference_policies_evaluation-logic.html"
SINGLE_ACCOUNT = _IAM + "reference_policies_evaluation-logic_policy-eval-basics.html"
DENY_ALLOW = _IAM + "reference_policies_evaluation-logic_policy-eval-denyallow.html"
CROSS_ACCOUNT = _IAM + "reference_policies_evaluation-logic-cross-account.html"
BOUNDARIES = _IAM + "access_policies_boundaries.html"
CONDITION_OPERATORS = _IAM + "reference_policies_elements_condition_operators.html"
MULTIVALUED = _IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
GLOBAL_KEYS = _IAM + "reference_policies_condition-keys.html"
VARIABLES = _IAM + "reference_policies_variables.html"
NOT_ACTION = _IAM + "reference_policies_elements_notaction.html"
NOT_RESOURCE = _IAM + "reference_policies_elements_notresource.html"
NOT_PRINCIPAL = _IAM + "reference_policies_elements_notprincipal.html"
PRINCIPAL = _IAM + "reference_policies_elements_principal.html"
RESOURCE = _IAM + "reference_policies_elements_resource.html"
KEY_POLICIES = _KMS + "key-policies.html"
DEFAULT_KEY_POLICY = _KMS + "key-policy-default.html"
KMS_CONDITIONS = _KMS + "conditions-kms.html"
SNS_KEY_MANAGEMENT = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"
S3_CONDITION_KEYS = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html"
IAM_CONDITION_KEYS = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html"
)

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def identity(name: str, *statements: dict[str, Any]) -> Policy:
    return Policy.parse(doc(*statements), name=name, kind=PolicyKind.IDENTITY)


def resource(name: str, *statements: dict[str, Any]) -> Policy:
    return Policy.parse(doc(*statements), name=name, kind=PolicyKind.RESOURCE)
