"""A county admin reads and replaces the county's policy (yidi/schema/policy.py): who may,
how a bad rule set is refused whole, and that a change takes effect at once in this process
for single look-ups, lists and allowedActions alike, and in this county only."""

import asyncio
from dataclasses import dataclass, replace
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.demo import OTHER_COUNTY, OTHER_VILLAGE, V11, VILLAGE
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.lifecycle import resolved_in_place
from tests.support.mutations import act, do
from tests.support.policy import (
    ADMIN,
    POLICY,
    REPLACE,
    RULE_FIELDS,
    county_policy,
    replace_county_policy,
)
from tests.support.sql import rows

DEFAULT = f"{{ defaultPolicy {{ {RULE_FIELDS} }} }}"
CASE = "query($id: ID!) { case(id: $id) { id status allowedActions } }"
BY_NUMBER = "query($n: String!) { caseByNumber(number: $n) { id } }"
SEARCH = "query($n: String!) { cases(filter: {search: $n}) { totalCount edges { node { id } } } }"


@dataclass(frozen=True)
class Rule:
    role: str
    level: str
    relation: str
    action: str
    risk: str

    @classmethod
    def of(cls, fields: dict[str, str]) -> "Rule":
        return cls(**fields)

    def as_input(self) -> dict[str, str]:
        return {
            "role": self.role,
            "level": self.level,
            "relation": self.relation,
            "action": self.action,
            "risk": self.risk,
        }


async def default_rules(api: Api) -> list[Rule]:
    data = await api.ok(DEFAULT, user="county.admin")
    return [Rule.of(r) for r in data["defaultPolicy"]]


async def read_policy(api: Api, user: str = ADMIN) -> tuple[int, list[Rule]]:
    revision, rules = await county_policy(api, user)
    return revision, [Rule.of(r) for r in rules]


async def replace_policy(
    api: Api, rules: list[Rule], revision: int | None = None, user: str = ADMIN
) -> dict[str, Any]:
    return await replace_county_policy(api, [r.as_input() for r in rules], revision, user)


def without_involved_view(rules: list[Rule]) -> list[Rule]:
    """The default, except that no one sees a case only because it is INVOLVED."""
    return [replace(r, relation="SAME|ANCESTOR") if r.action == "VIEW" else r for r in rules]


def close_by_township_only(rules: list[Rule]) -> list[Rule]:
    """The default, except that only township leaders close (county leaders no longer can)."""
    kept = [r for r in rules if r.action != "CLOSE"]
    return [*kept, Rule("LEADER", "TOWNSHIP", "SAME|ANCESTOR", "CLOSE", "*")]


def ordered(rules: list[Rule]) -> list[Rule]:
    """Rule sets compare as sets: the order of rules carries no meaning."""
    return sorted(rules, key=lambda r: (r.role, r.level, r.relation, r.action, r.risk))


async def escalated_village_case(api: Api) -> dict[str, str]:
    """Registered by 东湖村 and escalated to 东湖镇: the village stays INVOLVED only."""
    case = await register(api, V11, VILLAGE)
    await do(api, V11, "ESCALATE", {"caseId": case["id"], "reason": "需镇处理"})
    return case


async def visible(api: Api, user: str, case: dict[str, str]) -> dict[str, bool]:
    """Whether `user` finds the case by each read path; the paths must always agree."""
    single = (await api.ok(CASE, {"id": case["id"]}, user=user))["case"]
    by_number = (await api.ok(BY_NUMBER, {"n": case["number"]}, user=user))["caseByNumber"]
    listed = (await api.ok(SEARCH, {"n": case["number"]}, user=user))["cases"]
    ids = [e["node"]["id"] for e in listed["edges"]]
    return {
        "case": single is not None,
        "caseByNumber": by_number is not None,
        "cases": case["id"] in ids,
    }


async def allowed(api: Api, user: str, case: dict[str, str]) -> list[str]:
    data = await api.ok(CASE, {"id": case["id"]}, user=user)
    assert data["case"] is not None
    actions: list[str] = data["case"]["allowedActions"]
    return actions


# --- reading -------------------------------------------------------------------------------


async def test_admin_reads_default_policy(api: Api) -> None:
    """A county starts with the default policy; its admin reads it with a revision to pass back."""
    revision, rules = await read_policy(api)
    data = await api.ok(POLICY, user="county.admin")
    assert data["countyPolicy"]["county"] == {"code": "990100"}
    assert revision >= 1
    defaults = await default_rules(api)
    assert ordered(rules) == ordered(defaults)
    # The default keeps the rule that lets admins manage the policy at all.
    assert Rule("ADMIN", "COUNTY", "*", "MANAGE_POLICY", "*") in defaults


NON_ADMINS = [
    pytest.param("county.leader", id="county-leader"),
    pytest.param("county.intake", id="county-intake"),
    pytest.param("county.viewer", id="county-viewer"),
    pytest.param("t1.leader", id="township-leader"),
    pytest.param("v11.handler", id="village-handler"),
    pytest.param("other.leader", id="other-county-leader"),
]


@pytest.mark.parametrize("user", NON_ADMINS)
async def test_non_admins_are_forbidden(api: Api, user: str) -> None:
    """Only a county's administrators read or change its policy; a refused change does nothing."""
    revision, rules = await read_policy(api)
    error = await api.error(POLICY, user=user)
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await api.error(
        REPLACE,
        {"rules": [r.as_input() for r in without_involved_view(rules)], "rev": revision},
        user=user,
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await read_policy(api) == (revision, rules)


@pytest.mark.parametrize(
    "query", [pytest.param(POLICY, id="read"), pytest.param(REPLACE, id="replace")]
)
async def test_anonymous_is_unauthenticated(api: Api, query: str) -> None:
    rules = [r.as_input() for r in await default_rules(api)]
    error = await api.error(query, {"rules": rules} if query is REPLACE else None)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


# --- validation ----------------------------------------------------------------------------

BAD_INDEX = 7  # a rule in the middle, so the index in extensions.field is checked for real


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"action": "FLY"}, f"rules.{BAD_INDEX}.action", id="unknown-action"),
        pytest.param({"action": "view"}, f"rules.{BAD_INDEX}.action", id="lowercase-action"),
        pytest.param({"level": "VILLAGE|CITY"}, f"rules.{BAD_INDEX}.level", id="unknown-level"),
        pytest.param({"level": "VILLAGE|VILLAGE"}, f"rules.{BAD_INDEX}.level", id="repeated-level"),
        pytest.param({"level": "VILLAGE,TOWNSHIP"}, f"rules.{BAD_INDEX}.level", id="comma-level"),
        pytest.param({"level": ""}, f"rules.{BAD_INDEX}.level", id="empty-level"),
        pytest.param({"relation": "SIBLING"}, f"rules.{BAD_INDEX}.relation", id="unknown-relation"),
        pytest.param({"risk": "PINK"}, f"rules.{BAD_INDEX}.risk", id="unknown-risk"),
    ],
)
async def test_invalid_rule_rejects_whole_set(api: Api, change: dict[str, str], field: str) -> None:
    """One bad rule refuses the whole set, naming it; nothing changes, not even the valid part
    of the set (here: dropping INVOLVED from VIEW)."""
    case = await escalated_village_case(api)
    revision, before = await read_policy(api)
    rules = without_involved_view(before)
    rules[BAD_INDEX] = replace(rules[BAD_INDEX], **change)
    error = await api.error(
        REPLACE, {"rules": [r.as_input() for r in rules], "rev": revision}, user="county.admin"
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert await read_policy(api) == (revision, before)
    assert await visible(api, "v11.handler", case) == {
        "case": True,
        "caseByNumber": True,
        "cases": True,
    }


@pytest.mark.parametrize(
    "drop",
    [
        pytest.param(lambda r: r.action == "MANAGE_POLICY", id="no-manage-policy"),
        pytest.param(lambda r: r.role == "ADMIN", id="no-admin-rules"),
    ],
)
async def test_set_without_admin_manage_policy_is_rejected(api: Api, drop: Any) -> None:
    """A county may not lock its admins out of its own policy."""
    revision, before = await read_policy(api)
    rules = [r for r in before if not drop(r)]
    error = await api.error(
        REPLACE, {"rules": [r.as_input() for r in rules], "rev": revision}, user="county.admin"
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "rules"}
    assert await read_policy(api) == (revision, before)


@pytest.mark.parametrize(
    "manage_rule",
    [
        pytest.param(Rule("ADMIN", "VILLAGE", "*", "MANAGE_POLICY", "*"), id="village-level"),
        pytest.param(Rule("ADMIN", "COUNTY", "SAME", "MANAGE_POLICY", "*"), id="case-relation"),
        pytest.param(Rule("ADMIN", "COUNTY", "*", "MANAGE_POLICY", "RED"), id="risk-bound"),
    ],
)
async def test_accepted_set_never_locks_admin_out(api: Api, manage_rule: Rule) -> None:
    """validate_rules keeps an ADMIN MANAGE_POLICY rule "or the county could lock itself out";
    a rule that names ADMIN and MANAGE_POLICY but can never match the county admin is no such
    rule. Either the set is refused, or the admin can still read (and so repair) the policy."""
    revision, before = await read_policy(api)
    rules = [r for r in before if r.action != "MANAGE_POLICY"] + [manage_rule]
    body = await api.raw(
        REPLACE, {"rules": [r.as_input() for r in rules], "rev": revision}, user="county.admin"
    )
    if body.get("errors"):
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        assert await read_policy(api) == (revision, before)
        return
    after = await api.raw(POLICY, user="county.admin")
    assert not after.get("errors"), f"accepted {manage_rule}, and the admin is locked out: {after}"


async def test_unknown_role_is_bad_input(api: Api) -> None:
    """Roles are a GraphQL enum: an unknown one fails input coercion, before anything runs."""
    revision, before = await read_policy(api)
    rules = [r.as_input() for r in before]
    rules[BAD_INDEX]["role"] = "MAYOR"
    error = await api.error(REPLACE, {"rules": rules, "rev": revision}, user="county.admin")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await read_policy(api) == (revision, before)


async def test_duplicate_rules_are_stored_once(api: Api) -> None:
    revision, before = await read_policy(api)
    result = await replace_policy(api, [*before, before[0], before[-1]], revision)
    assert result["revision"] == revision + 1
    assert ordered([Rule.of(r) for r in result["rules"]]) == ordered(before)
    assert ordered((await read_policy(api))[1]) == ordered(before)


# --- effect --------------------------------------------------------------------------------


async def test_view_change_takes_effect_at_once(api: Api) -> None:
    """Dropping INVOLVED from VIEW hides an escalated case from the village that registered it,
    in single look-ups and in lists alike, while the handling and upper units keep it."""
    case = await escalated_village_case(api)
    everywhere = {"case": True, "caseByNumber": True, "cases": True}
    nowhere = {"case": False, "caseByNumber": False, "cases": False}
    assert await visible(api, "v11.handler", case) == everywhere

    revision, rules = await read_policy(api)
    changed = without_involved_view(rules)
    result = await replace_policy(api, changed, revision)
    assert result["revision"] == revision + 1
    assert ordered([Rule.of(r) for r in result["rules"]]) == ordered(changed)
    assert await read_policy(api) == (revision + 1, [Rule.of(r) for r in result["rules"]])

    assert await visible(api, "v11.handler", case) == nowhere
    # Not visible means NOT_FOUND for actions too, never FORBIDDEN (existence stays hidden).
    body = await act(api, V11, "COMMENT", {"caseId": case["id"], "note": "x"}, "id status")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    for user in ("t1.leader", "county.leader"):  # SAME and ANCESTOR keep seeing it
        assert await visible(api, user, case) == everywhere, user


async def test_close_change_takes_effect_at_once(api: Api) -> None:
    """Tightening CLOSE to township leaders: the county leader loses the button and the action,
    the township leader keeps both."""
    case = await resolved_in_place(api)
    before = await allowed(api, "county.leader", case)
    assert "CLOSE" in before

    revision, rules = await read_policy(api)
    await replace_policy(api, close_by_township_only(rules), revision)

    # Exactly CLOSE goes; every other button stays as it was.
    assert await allowed(api, "county.leader", case) == [a for a in before if a != "CLOSE"]
    body = await act(api, "county.leader", "CLOSE", {"caseId": case["id"]}, "id status")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert (await api.ok(CASE, {"id": case["id"]}, user="county.leader"))["case"]["status"] == (
        "RESOLVED"
    )

    assert "CLOSE" in await allowed(api, "t1.leader", case)
    await do(api, "t1.leader", "CLOSE", {"caseId": case["id"]})


async def test_restoring_the_default_restores_behaviour(api: Api) -> None:
    case = await escalated_village_case(api)
    revision, rules = await read_policy(api)
    await replace_policy(api, without_involved_view(rules), revision)
    assert (await visible(api, "v11.handler", case))["case"] is False
    await replace_policy(api, rules, revision + 1)
    assert await visible(api, "v11.handler", case) == {
        "case": True,
        "caseByNumber": True,
        "cases": True,
    }


async def test_expected_revision_mismatch_is_conflict(api: Api) -> None:
    """A change based on an old revision is refused, so one admin cannot silently undo another."""
    revision, rules = await read_policy(api)
    first = without_involved_view(rules)
    await replace_policy(api, first, revision)
    error = await api.error(
        REPLACE,
        {"rules": [r.as_input() for r in close_by_township_only(rules)], "rev": revision},
        user="county.admin",
    )
    assert error["extensions"]["code"] == "CONFLICT"
    now, stored = await read_policy(api)
    assert now == revision + 1
    assert ordered(stored) == ordered(first)


async def test_concurrent_changes_on_one_revision_one_wins(api: Api) -> None:
    """Two admins saving at once from the same revision: one succeeds, the other conflicts."""
    revision, rules = await read_policy(api)
    await api.token("county.admin")  # log in first, so both requests race on the policy alone
    candidates = [without_involved_view(rules), close_by_township_only(rules)]
    answers = await asyncio.gather(
        *(
            api.raw(
                REPLACE, {"rules": [r.as_input() for r in c], "rev": revision}, user="county.admin"
            )
            for c in candidates
        )
    )
    outcomes = [a["errors"][0]["extensions"]["code"] if a.get("errors") else "ok" for a in answers]
    assert sorted(outcomes) == ["CONFLICT", "ok"], answers
    winner = candidates[outcomes.index("ok")]
    now, stored = await read_policy(api)
    assert now == revision + 1
    assert ordered(stored) == ordered(winner)


async def policy_rows(app: Starlette, county_code: str) -> list[tuple[str, ...]]:
    """A county's stored rules, read from the table (no admin exists in the other county)."""
    stored = await rows(
        app,
        "SELECT r.role, r.level, r.relation, r.action, r.risk FROM policy_rules r "
        "JOIN units u ON u.id = r.county_id WHERE u.code = :code ORDER BY r.id",
        code=county_code,
    )
    return [tuple(row) for row in stored]


async def test_other_counties_are_unaffected(api: Api, app: Starlette) -> None:
    """A county's policy is its own: 白水县 keeps its rules and its leader keeps every right
    that 青山县 took away from its own leaders."""
    other_before = await policy_rows(app, OTHER_COUNTY)
    assert other_before, "the other county has a policy of its own"

    revision, rules = await read_policy(api)
    # 青山县 drops INVOLVED views and every CLOSE and REOPEN right of leaders.
    stripped = [r for r in without_involved_view(rules) if r.action not in ("CLOSE", "REOPEN")]
    await replace_policy(api, stripped, revision)
    assert await policy_rows(app, OTHER_COUNTY) == other_before
    assert (await api.ok(POLICY, user="county.admin"))["countyPolicy"]["county"] == {
        "code": "990100"
    }

    case = await resolved_in_place(api, "other.leader", OTHER_VILLAGE)
    assert {"CLOSE", "REOPEN"} <= set(await allowed(api, "other.leader", case))
    await do(api, "other.leader", "CLOSE", {"caseId": case["id"]})
    # And the change did take effect at home.
    home = await resolved_in_place(api)
    assert "CLOSE" not in await allowed(api, "county.leader", home)
