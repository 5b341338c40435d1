"""The Mutation root."""

from datetime import datetime

import strawberry

from yidi.resolvers import mutations
from yidi.schema.case_file_mutation import CaseFileMutations
from yidi.schema.case_mutation import CaseMutations
from yidi.schema.direct_fields import DIRECT
from yidi.schema.evidence import EvidenceMutations
from yidi.schema.inputs import RegisterCaseInput
from yidi.schema.policy import PolicyMutations
from yidi.schema.public import PublicMutations
from yidi.schema.repeats import RepeatMutations
from yidi.schema.routing import RoutingMutations
from yidi.schema.settings import SettingsMutations
from yidi.schema.types import Case, Ctx, User
from yidi.schema.visits import VisitMutations
from yidi.services.intake import ReporterInput


@strawberry.type
class LoginPayload:
    token: str
    expires_at: datetime
    user: User


@strawberry.type
class RegisterCasePayload:
    case: Case
    tracking_code: str


@strawberry.type
class Mutation(
    CaseMutations,
    CaseFileMutations,
    EvidenceMutations,
    PublicMutations,
    PolicyMutations,
    SettingsMutations,
    RoutingMutations,
    RepeatMutations,
    VisitMutations,
):
    @strawberry.mutation
    async def login(self, info: Ctx, username: str, password: str) -> LoginPayload:
        result = await mutations.login(info.context, username, password)
        return LoginPayload(
            token=result.token, expires_at=result.expires_at, user=User.of(result.user)
        )

    @strawberry.mutation(metadata=DIRECT)
    async def register_case(self, info: Ctx, input: RegisterCaseInput) -> RegisterCasePayload:
        r = input.reporter
        row, tracking_code = await mutations.register_case(
            info.context,
            mutations.RegisterArgs(
                title=input.title,
                description=input.description,
                category_id=input.category_id,
                channel=input.channel,
                location_unit_id=input.location_unit_id,
                address=input.address,
                occurred_at=input.occurred_at,
                parties_count=1 if input.parties_count is None else input.parties_count,
                reporter=ReporterInput(r.name, r.phone, r.id_number, bool(r.anonymous)),
                risk_level=input.risk_level,
                idempotency_key=input.idempotency_key,
            ),
        )
        return RegisterCasePayload(case=Case.of(row), tracking_code=tracking_code)
