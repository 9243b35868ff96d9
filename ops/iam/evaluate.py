"""The decision for one request: explicit deny, then the allow paths of AWS's policy evaluation logic.

Sources (IAM User Guide): "Policy evaluation logic", "Policy evaluation for requests within a single account",
"Cross-account policy evaluation logic", "Permissions boundaries for IAM entities"; AWS KMS Developer Guide:
"Key policies in AWS KMS" and "Default key policy". The rules, as implemented:

1. An explicit Deny in any policy that applies (identity, boundary, resource) decides: denied.
2. Same account, IAM principal (user or role session):
   - allowed by the resource policy alone when a statement names the principal itself (user ARN, role session
     ARN, `*`, or NotPrincipal that leaves it out): a boundary's implicit deny does not limit such a grant;
   - a resource-policy grant to the role ARN is limited by the boundary (allowed only if the boundary allows);
   - otherwise allowed when an identity-based policy allows and the boundary (if any) allows too;
   - for a KMS key or a role trust policy the resource policy must allow: the identity path counts only when the
     key/trust policy grants the account (`arn:aws:iam::<acct>:root` or the account id), i.e. delegates to IAM.
3. Cross-account: the resource policy must allow (the principal or its account) AND the identity policies
   (intersected with the boundary) must allow.
4. A service principal, a federated (web identity) principal or an anonymous request has no identity-based
   policies: only the resource policy can allow (`Principal.Service` for services).
5. The account root user: allowed in its own account (no identity policies apply) unless the resource policy
   must allow (KMS keys, trust policies); cross-account it needs the resource policy.

A part that depends on an unknown plan value is None in three-valued logic; when the result depends on it the
outcome is UNKNOWN, never an allow or a deny.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .patterns import has_unknown, match_action, match_resource
from .policy import Policy, PolicyKind, PrincipalSpec, Statement, parse_policy
from .request import Context, ContextKey, Principal, PrincipalKind, Request, RequestError
from .tri import Tri, t_and, t_not, t_or

PolicyInput = Any  # str (JSON or the unknown sentinel) | Mapping | Policy


class Outcome(StrEnum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class StatementResult:
    """How one statement applied to the request.

    `applies` is the whole match (principal, action, resource, conditions); for a resource-policy statement
    `direct`, `role` and `account` split it by how the Principal matched (the principal itself, its role's ARN,
    its account), because the evaluation logic treats those grants differently.
    """

    policy: str
    kind: PolicyKind
    index: int
    sid: str | None
    effect: str | None
    applies: Tri
    direct: Tri
    role: Tri
    account: Tri
    keys: tuple[str, ...] = ()
    unknowns: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.index < 0:
            return f"{self.kind} policy {self.policy!r} (whole document)"
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.kind} policy {self.policy!r} statement {self.index}{sid}"

    def grants(self, effect: str, level: str = "applies") -> Tri:
        """This statement's contribution to `effect` ("Allow"/"Deny"), at a principal-match level."""
        value: Tri = getattr(self, level)
        if self.effect == effect:
            return value
        if self.effect is None:
            return False if value is False else None
        return False


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str
    request: Request
    statements: tuple[StatementResult, ...] = ()
    unknowns: tuple[str, ...] = ()
    evaluated: tuple[StatementResult, ...] = field(default=(), repr=False)

    @property
    def allowed(self) -> bool:
        return self.outcome == Outcome.ALLOWED

    @property
    def denied(self) -> bool:
        return self.outcome in (Outcome.EXPLICIT_DENY, Outcome.IMPLICIT_DENY)

    @property
    def unknown(self) -> bool:
        return self.outcome == Outcome.UNKNOWN

    def evidence(self) -> tuple[ContextKey | str, ...]:
        """The context keys the deciding statements read: the request's key (with its source) or, for a key
        the request does not carry, the text "<name> (absent)"."""
        context = self.request.full_context()
        seen: dict[str, ContextKey | str] = {}
        for result in self.statements:
            for name in result.keys:
                key = context.get(name)
                seen.setdefault(name.lower(), key if key is not None else f"{name} (absent)")
        return tuple(seen.values())

    def explain(self) -> str:
        """Plain text for a docs table or an assertion message."""
        r = self.request
        lines = [f"{self.outcome.value}: {r.principal.arn} {r.action} on {r.resource}: {self.reason}"]
        lines += [f"  by {s.label}" for s in self.statements]
        for item in self.evidence():
            if isinstance(item, ContextKey):
                lines.append(f"  key {item.display()} (source: {item.source})")
            else:
                lines.append(f"  key {item}")
        lines += [f"  unknown: {u}" for u in self.unknowns]
        return "\n".join(lines)


# --- matching -----------------------------------------------------------------------------------------------


def _eq(a: str | None, b: str | None) -> Tri:
    if a is None or b is None:
        return False
    if has_unknown(a) or has_unknown(b):
        return None
    return a == b


def _account_named(entry: str, principal: Principal) -> Tri:
    return t_or((_eq(entry, principal.account), _eq(entry, principal.root_arn)))


def _entries(spec: PrincipalSpec, kind: str) -> list[str]:
    return [name for k, name in spec.entries if k == kind]


def _principal_levels(spec: PrincipalSpec, principal: Principal) -> tuple[Tri, Tri, Tri]:
    """(direct, role, account) for a Principal element."""
    if spec.wildcard:
        return True, False, False
    direct: Tri = False
    role: Tri = False
    account: Tri = False
    kind = principal.kind
    for entry in _entries(spec, "aws"):
        if kind == PrincipalKind.ROOT:
            direct = t_or((direct, _eq(entry, principal.arn), _account_named(entry, principal)))
        elif kind in (PrincipalKind.ROLE_SESSION, PrincipalKind.USER):
            direct = t_or((direct, _eq(entry, principal.arn)))
            role = t_or((role, _eq(entry, principal.role_arn)))
            account = t_or((account, _account_named(entry, principal)))
    if kind == PrincipalKind.SERVICE:
        for entry in _entries(spec, "service"):
            direct = t_or((direct, _eq(entry.lower(), principal.arn.lower())))
    if kind == PrincipalKind.FEDERATED:
        for entry in _entries(spec, "federated"):
            direct = t_or((direct, _eq(entry, principal.arn)))
    if any(k == "unknown" for k, _ in spec.entries):  # the whole Principal element is unknown
        direct = t_or((direct, None))
    return direct, role, account


def _not_principal_applies(spec: PrincipalSpec, principal: Principal, effect: str | None, bounded: bool) -> Tri:
    """Does a NotPrincipal statement apply? It leaves the principal out only when it lists every level AWS may
    check: the session (or user), its role, its account (the NotPrincipal page); the principal listed without its
    role or account "might" still be denied, so that is unknown."""
    if effect == "Deny" and bounded:
        # "Permissions boundaries": a Deny with NotPrincipal always denies a principal that has a boundary.
        return True
    if spec.wildcard:
        return False
    if any(k == "unknown" for k, _ in spec.entries):
        return None
    aws = _entries(spec, "aws")
    kind = principal.kind

    def listed(value: str | None) -> Tri:
        return t_or(_eq(entry, value) for entry in aws)

    def account_listed() -> Tri:
        return t_or(_account_named(entry, principal) for entry in aws)

    levels: list[Tri]
    if kind == PrincipalKind.ROLE_SESSION:
        levels = [listed(principal.arn), listed(principal.role_arn), account_listed()]
    elif kind == PrincipalKind.USER:
        levels = [listed(principal.arn), account_listed()]
    elif kind == PrincipalKind.ROOT:
        levels = [account_listed()]
    elif kind == PrincipalKind.SERVICE:
        levels = [t_or(_eq(e.lower(), principal.arn.lower()) for e in _entries(spec, "service"))]
    elif kind == PrincipalKind.FEDERATED:
        levels = [t_or(_eq(e, principal.arn) for e in _entries(spec, "federated"))]
    else:
        levels = [False]
    # The principal itself is always checked: not listed, the statement applies. Listed, it is left out only
    # if the other levels AWS may check first (role, account) are listed too; otherwise AWS "might" deny.
    own, others = levels[0], t_and(levels[1:])
    if own is False:
        return True
    if own is True and others is True:
        return False
    return None


def _element(patterns: tuple[str, ...] | None, negated: tuple[str, ...] | None, match: Any) -> Tri:
    if patterns is not None:
        return t_or(match(p) for p in patterns)
    if negated is not None:
        return t_not(t_or(match(p) for p in negated))
    return True


def _statement_result(
    statement: Statement, policy: Policy, request: Request, context: Context, bounded: bool
) -> StatementResult:
    unknowns: list[str] = []
    where = f"{policy.kind} policy {policy.name!r} {statement.label}"

    def note(value: Tri, element: str) -> Tri:
        if value is None:
            unknowns.append(f"{element} of {where}")
        return value

    action = note(
        _element(statement.actions, statement.not_actions, lambda p: match_action(p, request.action)), "the action"
    )
    resource = note(
        _element(
            statement.resources, statement.not_resources, lambda p: match_resource(p, request.resource, context.resolve)
        ),
        "the resource",
    )
    if statement.principal is not None:
        direct, role, account = _principal_levels(statement.principal, request.principal)
    elif statement.not_principal is not None:
        direct, role, account = (
            _not_principal_applies(statement.not_principal, request.principal, statement.effect, bounded),
            False,
            False,
        )
    else:
        direct, role, account = True, False, False
    note(t_or((direct, role, account)), "the principal")
    keys = tuple(c.key for c in statement.conditions)
    if action is False or resource is False:
        condition: Tri = False
    else:
        results = []
        for c in statement.conditions:
            value = c.evaluate(context)
            if value is None:
                unknowns.append(f"{c.operator} {c.key} of {where}")
            results.append(value)
        condition = t_and(results)
    rest = t_and((action, resource, condition))
    if statement.effect is None:
        unknowns.append(f"the Effect of {where}")
    return StatementResult(
        policy.name,
        policy.kind,
        statement.index,
        statement.sid,
        statement.effect,
        t_and((rest, t_or((direct, role, account)))),
        t_and((rest, direct)),
        t_and((rest, role)),
        t_and((rest, account)),
        keys,
        tuple(unknowns),
    )


def _policy_results(policy: Policy, request: Request, context: Context, bounded: bool) -> list[StatementResult]:
    if policy.unknown is not None:
        return [
            StatementResult(
                policy.name,
                policy.kind,
                -1,
                None,
                None,
                None,
                None,
                None,
                None,
                (),
                (f"{policy.kind} policy {policy.name!r}: {policy.unknown}",),
            )
        ]
    return [_statement_result(s, policy, request, context, bounded) for s in policy.statements]


# --- combining ----------------------------------------------------------------------------------------------


def _any(results: Iterable[StatementResult], effect: str, level: str = "applies") -> Tri:
    return t_or(r.grants(effect, level) for r in results)


def _picked(
    results: Iterable[StatementResult], effect: str, level: str = "applies", want: Tri = True
) -> list[StatementResult]:
    return [r for r in results if r.grants(effect, level) is want]


def resource_policy_must_allow(request: Request) -> bool:
    """KMS keys and role trust policies: the resource policy must allow, even in the same account."""
    action = request.action.lower()
    if action.startswith("sts:assumerole"):
        return True
    return action.startswith("kms:") and ":key/" in request.resource


def _parse_all(
    identity_policies: Sequence[PolicyInput], boundary: PolicyInput | None, resource_policy: PolicyInput | None
) -> tuple[list[Policy], Policy | None, Policy | None]:
    ids = [
        parse_policy(doc, name=getattr(doc, "name", f"identity-{i}"), kind=PolicyKind.IDENTITY)
        for i, doc in enumerate(identity_policies)
    ]
    bnd = (
        None
        if boundary is None
        else parse_policy(boundary, name=getattr(boundary, "name", "boundary"), kind=PolicyKind.BOUNDARY)
    )
    res = (
        None
        if resource_policy is None
        else parse_policy(resource_policy, name=getattr(resource_policy, "name", "resource"), kind=PolicyKind.RESOURCE)
    )
    return ids, bnd, res


def evaluate(
    request: Request,
    *,
    identity_policies: Sequence[PolicyInput] = (),
    boundary: PolicyInput | None = None,
    resource_policy: PolicyInput | None = None,
    must_allow: bool | None = None,
) -> Decision:
    """Decide `request` against the principal's identity-based policies, its permissions boundary and the
    resource's policy (bucket, topic, queue, key or trust policy).

    `must_allow` says the resource policy must allow even within the account; by default it is on for KMS key
    requests and role trust policies (`sts:AssumeRole*`). Documents may be JSON text, dicts, `Policy` objects
    or unknown plan values; name them with `Policy.parse(doc, name=..., kind=...)` for readable explanations.
    """
    principal = request.principal
    if not principal.is_iam and (identity_policies or boundary is not None):
        raise RequestError(f"a {principal.kind} principal has no identity-based policies or boundary")
    if principal.kind == PrincipalKind.ROOT and (identity_policies or boundary is not None):
        raise RequestError("the account root user has no identity-based policies or boundary")
    required = resource_policy_must_allow(request) if must_allow is None else must_allow
    if required and resource_policy is None:
        raise RequestError(f"{request.action} on {request.resource} needs its resource policy (key or trust policy)")
    ids, bnd, res = _parse_all(identity_policies, boundary, resource_policy)
    context = request.full_context()
    bounded = bnd is not None
    id_results = [r for p in ids for r in _policy_results(p, request, context, bounded)]
    bnd_results = [] if bnd is None else _policy_results(bnd, request, context, bounded)
    res_results = [] if res is None else _policy_results(res, request, context, bounded)
    everything = id_results + bnd_results + res_results
    unknowns = tuple(u for r in everything for u in r.unknowns)

    def decision(outcome: Outcome, reason: str, statements: Iterable[StatementResult] = ()) -> Decision:
        return Decision(outcome, reason, request, tuple(statements), unknowns, tuple(everything))

    deny = _any(everything, "Deny")
    if deny is True:
        return decision(Outcome.EXPLICIT_DENY, "an explicit Deny applies", _picked(everything, "Deny"))

    allow, path, reason_if_denied = _allow(
        request,
        id_results=id_results,
        bnd_results=bnd_results,
        res_results=res_results,
        bounded=bounded,
        required=required,
    )
    if allow is False:
        partial = _picked(everything, "Allow")
        return decision(Outcome.IMPLICIT_DENY, reason_if_denied, partial)
    if allow is None or deny is None:
        undecided = [r for r in everything if r.grants("Allow") is None or r.grants("Deny") is None]
        what = " and ".join(
            w for w, v in (("whether a Deny applies", deny), ("whether an Allow applies", allow)) if v is None
        )
        return decision(Outcome.UNKNOWN, f"{what} depends on values the plan does not know yet", undecided)
    return decision(Outcome.ALLOWED, path.reason, path.statements)


@dataclass(frozen=True)
class _Path:
    reason: str
    statements: tuple[StatementResult, ...]


def _owner_relation(request: Request, res_results: list[StatementResult]) -> Tri:
    """Same account (True), cross-account (False), or unknown (None)."""
    principal = request.principal
    owner = request.owner()
    if principal.account is None:
        return False
    if owner is None:
        if has_unknown(request.resource) or has_unknown(principal.account):
            return None
        if not res_results:
            return True  # no resource policy: only the principal's own account can allow anyway
        raise RequestError(f"say which account owns {request.resource!r} (Request.resource_account)")
    return _eq(owner, principal.account)


def _allow(
    request: Request,
    *,
    id_results: list[StatementResult],
    bnd_results: list[StatementResult],
    res_results: list[StatementResult],
    bounded: bool,
    required: bool,
) -> tuple[Tri, _Path, str]:
    principal = request.principal
    rp_direct = _any(res_results, "Allow", "direct")
    rp_role = _any(res_results, "Allow", "role")
    rp_account = _any(res_results, "Allow", "account")
    rp_any = t_or((rp_direct, rp_role, rp_account))
    what = (
        "key policy"
        if request.action.lower().startswith("kms:")
        else ("trust policy" if request.action.lower().startswith("sts:") else "resource-based policy")
    )
    rp_allows = tuple(_picked(res_results, "Allow"))

    if not principal.is_iam:
        return (
            rp_any,
            _Path(f"the {what} allows the {principal.kind} principal", rp_allows),
            f"no statement of the {what} allows the {principal.kind} principal {principal.arn}"
            + ("" if res_results else " (there is no resource-based policy)"),
        )

    same = _owner_relation(request, res_results)
    if principal.kind == PrincipalKind.ROOT:
        same_allow: Tri = rp_any if required else True
        cross_allow: Tri = rp_any
        allow = (
            same_allow
            if same is True
            else cross_allow
            if same is False
            else (same_allow if same_allow == cross_allow else None)
        )
        path = _Path(
            f"the {what} allows the account" if required or same is not True else "the account root user",
            rp_allows,
        )
        return allow, path, f"the {what} does not allow the account {principal.account}"

    id_allow = _any(id_results, "Allow")
    bnd_allow: Tri = _any(bnd_results, "Allow") if bounded else True
    idb = t_and((id_allow, bnd_allow))
    identity_path = t_and((rp_account, idb)) if required else idb
    role_path = t_and((rp_role, bnd_allow))
    same_allow = t_or((rp_direct, role_path, identity_path))
    cross_allow = t_and((rp_any, idb))
    if same is True:
        allow = same_allow
    elif same is False:
        allow = cross_allow
    else:
        allow = same_allow if same_allow == cross_allow else None

    id_st = tuple(_picked(id_results, "Allow"))
    bnd_st = tuple(_picked(bnd_results, "Allow"))
    if same is False:
        path = _Path(f"cross-account: the {what} and the identity-based policies allow", rp_allows + id_st + bnd_st)
    elif rp_direct is True:
        path = _Path(f"the {what} grants the principal itself", tuple(_picked(res_results, "Allow", "direct")))
    elif role_path is True:
        path = _Path(
            f"the {what} grants the role (limited by the boundary, which allows)",
            tuple(_picked(res_results, "Allow", "role")) + bnd_st,
        )
    elif required:
        path = _Path(
            f"the {what} delegates to the account and the identity-based policies allow",
            tuple(_picked(res_results, "Allow", "account")) + id_st + bnd_st,
        )
    else:
        within = " within the boundary" if bounded else ""
        path = _Path(f"the identity-based policies allow{within}", id_st + bnd_st)
    reason = _denied_reason(
        same=same,
        required=required,
        what=what,
        rp_any=rp_any,
        rp_role=rp_role,
        rp_account=rp_account,
        id_allow=id_allow,
        bnd_allow=bnd_allow,
    )
    return allow, path, reason


def _denied_reason(
    *, same: Tri, required: bool, what: str, rp_any: Tri, rp_role: Tri, rp_account: Tri, id_allow: Tri, bnd_allow: Tri
) -> str:
    if same is False:
        missing = [] if rp_any else [f"the {what} does not allow the principal or its account"]
        if not id_allow:
            missing.append("no identity-based policy allows")
        elif not bnd_allow:
            missing.append("the permissions boundary does not allow")
        return "cross-account requests need both sides: " + "; ".join(missing or ["not both allow"])
    if required and not rp_any:
        return f"the {what} neither grants the principal nor delegates to its account (the {what} must allow)"
    if rp_role and not bnd_allow:
        return f"the {what} grants the role ARN, which the permissions boundary limits, and the boundary does not allow"
    if id_allow and not bnd_allow:
        return "an identity-based policy allows, but the permissions boundary does not"
    if required and rp_account and not id_allow:
        return f"the {what} delegates to the account, but no identity-based policy allows"
    return f"no identity-based policy allows and the {what} does not grant the principal (implicit deny)"
