"""Policy administration (not in the client contract; added for county admins).

A rule reads: members with `role`, at a unit of `level`, standing in `relation` to a
case, may do `action` on it when its risk is `risk`. Patterns are "*" or alternatives
joined by "|", e.g. level "VILLAGE|TOWNSHIP|DEPARTMENT".
"""

import strawberry

from yidi.authz.rules import Rule
from yidi.domain import enums as e
from yidi.policies.admin import CountyPolicy as CountyPolicyValue
from yidi.resolvers import policy as resolvers
from yidi.schema.types import Ctx, Unit, load_unit


@strawberry.type(description="One authorization rule of a county.")
class PolicyRule:
    role: e.Role
    level: str = strawberry.field(description="COUNTY, TOWNSHIP, VILLAGE, DEPARTMENT; * or A|B.")
    relation: str = strawberry.field(description="SAME, ANCESTOR, INVOLVED, INTAKE, NONE.")
    action: str = strawberry.field(
        description="A CaseAction, or REGISTER, VIEW_PERSONAL_DATA, MANAGE_POLICY, VIEW_STATS."
    )
    risk: str = strawberry.field(description="BLUE, YELLOW, ORANGE, RED; * or A|B.")

    @classmethod
    def of(cls, rule: Rule) -> "PolicyRule":
        return cls(
            role=e.Role(rule.role),
            level=rule.level,
            relation=rule.relation,
            action=rule.action,
            risk=rule.risk,
        )


@strawberry.input
class PolicyRuleInput:
    role: e.Role
    level: str
    relation: str
    action: str
    risk: str = "*"


@strawberry.type
class CountyPolicy:
    value: strawberry.Private[CountyPolicyValue]
    revision: int
    rules: list[PolicyRule]

    @strawberry.field
    async def county(self, info: Ctx) -> Unit:
        return await load_unit(info, self.value.county_id)

    @classmethod
    def of(cls, value: CountyPolicyValue) -> "CountyPolicy":
        return cls(
            value=value, revision=value.revision, rules=[PolicyRule.of(r) for r in value.rules]
        )


@strawberry.type
class PolicyQueries:
    @strawberry.field(description="The caller's county policy (county administrators).")
    async def county_policy(self, info: Ctx) -> CountyPolicy:
        return CountyPolicy.of(await resolvers.county_policy(info.context))

    @strawberry.field(description="The policy every county starts with (county administrators).")
    async def default_policy(self, info: Ctx) -> list[PolicyRule]:
        return [PolicyRule.of(r) for r in await resolvers.default_policy(info.context)]


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(
        description="Replace the caller's county policy as a whole; every rule is validated "
        "and an invalid set is rejected whole. Takes effect in every server process within "
        "a second."
    )
    async def replace_county_policy(
        self, info: Ctx, rules: list[PolicyRuleInput], expected_revision: int | None = None
    ) -> CountyPolicy:
        values = [Rule(r.role.value, r.level, r.relation, r.action, r.risk) for r in rules]
        return CountyPolicy.of(
            await resolvers.replace_county_policy(info.context, values, expected_revision)
        )
