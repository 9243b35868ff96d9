"""ElastiCache user group stack policy: AWS's built-in, passwordless 'default' user is never a member."""

from __future__ import annotations

from tests.policies.fixtures import EC_USER, EC_USER_GROUP, EC_USER_GROUP_ASSOCIATION, cache_stack
from tests.policies.harness import UNKNOWN, Pack, Resource, only

POLICY = "aws-elasticache-user-group-disallow-builtin-default-user"


def test_group_of_declared_users_passes(pack: Pack) -> None:
    assert pack.analyze_stack(cache_stack().resources()) == []


def test_builtin_default_user_in_group_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.group.props["userIds"] = ["default", "app"]
    s.group.deps["userIds"] = [s.app_user]
    diag = only(pack.analyze_stack(s.resources()), POLICY, "built-in 'default' user")
    assert diag.urn == s.group.urn


def test_builtin_default_user_added_through_an_association_is_caught(pack: Pack) -> None:
    s = cache_stack()
    s.extra.append(
        Resource(
            EC_USER_GROUP_ASSOCIATION,
            "assoc",
            {"userGroupId": "app-users", "userId": "default"},
            deps={"userGroupId": [s.group]},
        )
    )
    only(pack.analyze_stack(s.resources()), POLICY, "built-in 'default' user")


def test_association_joined_by_literal_group_id(pack: Pack) -> None:
    s = cache_stack()
    s.extra.append(Resource(EC_USER_GROUP_ASSOCIATION, "assoc", {"userGroupId": "app-users", "userId": "default"}))
    only(pack.analyze_stack(s.resources()), POLICY)


def test_association_of_another_group_is_not_attributed(pack: Pack) -> None:
    s = cache_stack()
    s.extra.append(Resource(EC_USER_GROUP_ASSOCIATION, "assoc", {"userGroupId": "other-users", "userId": "default"}))
    assert pack.analyze_stack(s.resources()) == []


def test_declared_user_whose_id_is_default_is_not_the_builtin_one(pack: Pack) -> None:
    s = cache_stack()
    s.default_user.props["userId"] = "default"
    s.group.props["userIds"] = ["default", "app"]
    assert pack.analyze_stack(s.resources()) == []
    del s.group.deps["userIds"]  # joined by the literal user id alone
    assert pack.analyze_stack(s.resources()) == []


def test_every_group_is_checked_not_only_those_a_cache_uses(pack: Pack) -> None:
    spare = Resource(EC_USER_GROUP, "spare", {"engine": "valkey", "userGroupId": "spare", "userIds": ["default"]})
    diag = only(pack.analyze_stack([spare]), POLICY)
    assert diag.urn == spare.urn


def test_unknown_member_ids_are_declared_users(pack: Pack) -> None:
    app = Resource(EC_USER, "app", {"userId": "app", "userName": "app"})
    group = Resource(EC_USER_GROUP, "g", {"userIds": [UNKNOWN]}, deps={"userIds": [app]})
    assert pack.analyze_stack([app, group]) == []
