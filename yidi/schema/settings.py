"""County settings (docs/CASE_FILE.md): what a county asks before a case counts as done."""

import strawberry

from yidi.domain import enums as e
from yidi.resolvers import settings as resolvers
from yidi.schema.types import Ctx, Unit, load_unit
from yidi.services.settings import CountySettings as CountySettingsValue


@strawberry.type
class CountySettings:
    value: strawberry.Private[CountySettingsValue]
    follow_up_before_closure: list[e.RiskLevel] = strawberry.field(
        description="Risk levels whose substantive closure needs a follow-up (回访) with the "
        "reporter after the result; default ORANGE and RED."
    )

    @strawberry.field
    async def county(self, info: Ctx) -> Unit:
        return await load_unit(info, self.value.county_id)

    @classmethod
    def of(cls, value: CountySettingsValue) -> "CountySettings":
        return cls(value=value, follow_up_before_closure=value.follow_up_before_closure)


@strawberry.type
class SettingsQueries:
    @strawberry.field(description="The caller's county settings (county administrators).")
    async def county_settings(self, info: Ctx) -> CountySettings:
        return CountySettings.of(await resolvers.county_settings(info.context))


@strawberry.type
class SettingsMutations:
    @strawberry.mutation(description="Change the caller's county settings (MANAGE_POLICY).")
    async def update_county_settings(
        self, info: Ctx, follow_up_before_closure: list[e.RiskLevel]
    ) -> CountySettings:
        value = await resolvers.update_county_settings(info.context, follow_up_before_closure)
        return CountySettings.of(value)
