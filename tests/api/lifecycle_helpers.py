"""Helpers for the lifecycle table and concurrency tests: drive a case through GraphQL,
read what was stored straight from SQL.

The expectations here are written from DESIGN.md ("Case lifecycle", "Authorization"),
never imported from the application, so a slip in its transition table shows up.
"""

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette

from tests.support.driver import Api

LEADER = "county.leader"
COUNTY = "990100"
VILLAGE = "990100001001"  # 东湖村, under 东湖镇
TOWNSHIP = "990100001"  # 东湖镇
HOUSING = "990100901"  # 县住建局, a department under the county
LABOUR = "990100902"  # 县人社局, another county department

STATUSES = [
    "REGISTERED",
    "DISPATCHED",
    "IN_PROGRESS",
    "RESOLVED",
    "CLOSED",
    "REDIRECTED",
    "MERGED",
]
ACTIONS = [
    "ASSESS",
    "DISPATCH",
    "ACCEPT",
    "RETURN",
    "ESCALATE",
    "REASSIGN",
    "SUPERVISE",
    "COMMENT",
    "RESOLVE",
    "CLOSE",
    "REOPEN",
    "REDIRECT",
    "MERGE",
    "EVALUATE",
    "FOLLOW_UP",
]

# DESIGN.md "Case lifecycle": for each status, the actions it allows and the status after.
# Where DESIGN.md names no target status, the action keeps the status it was taken from
# (ASSESS, COMMENT, SUPERVISE, EVALUATE, FOLLOW_UP) or the text of a sibling status says it:
# ESCALATE always lands REGISTERED at the parent, REASSIGN always lands DISPATCHED.
# "Open" (for COMMENT and SUPERVISE) means REGISTERED, DISPATCHED or IN_PROGRESS.
EXPECTED: dict[str, dict[str, str]] = {
    "REGISTERED": {
        "ASSESS": "REGISTERED",
        "DISPATCH": "DISPATCHED",
        "ACCEPT": "IN_PROGRESS",
        "ESCALATE": "REGISTERED",
        "REDIRECT": "REDIRECTED",
        "MERGE": "MERGED",
        "COMMENT": "REGISTERED",
        "SUPERVISE": "REGISTERED",
    },
    "DISPATCHED": {
        "ACCEPT": "IN_PROGRESS",
        "RETURN": "REGISTERED",
        "REASSIGN": "DISPATCHED",
        "ESCALATE": "REGISTERED",
        "COMMENT": "DISPATCHED",
        "SUPERVISE": "DISPATCHED",
    },
    "IN_PROGRESS": {
        "RESOLVE": "RESOLVED",
        "ESCALATE": "REGISTERED",
        "REASSIGN": "DISPATCHED",
        "COMMENT": "IN_PROGRESS",
        "SUPERVISE": "IN_PROGRESS",
    },
    "RESOLVED": {
        "CLOSE": "CLOSED",
        "REOPEN": "IN_PROGRESS",
        "EVALUATE": "RESOLVED",
        "FOLLOW_UP": "RESOLVED",
    },
    "CLOSED": {
        "REOPEN": "IN_PROGRESS",
        "EVALUATE": "CLOSED",
        "FOLLOW_UP": "CLOSED",
    },
    "REDIRECTED": {},
    "MERGED": {},
}

EVENT_OF: dict[str, str] = {
    "ASSESS": "ASSESSED",
    "DISPATCH": "DISPATCHED",
    "ACCEPT": "ACCEPTED",
    "RETURN": "RETURNED",
    "ESCALATE": "ESCALATED",
    "REASSIGN": "REASSIGNED",
    "SUPERVISE": "SUPERVISED",
    "COMMENT": "COMMENTED",
    "RESOLVE": "RESOLVED",
    "CLOSE": "CLOSED",
    "REOPEN": "REOPENED",
    "REDIRECT": "REDIRECTED",
    "MERGE": "MERGED",
    "EVALUATE": "EVALUATED",
    "FOLLOW_UP": "FOLLOWED_UP",
}

# (mutation field, input type) of each action in contract.graphql.
MUTATIONS: dict[str, tuple[str, str]] = {
    "ASSESS": ("assessCase", "AssessCaseInput"),
    "DISPATCH": ("dispatchCase", "DispatchCaseInput"),
    "ACCEPT": ("acceptCase", "AcceptCaseInput"),
    "RETURN": ("returnCase", "ReasonInput"),
    "ESCALATE": ("escalateCase", "ReasonInput"),
    "REASSIGN": ("reassignCase", "ReassignCaseInput"),
    "SUPERVISE": ("superviseCase", "SuperviseCaseInput"),
    "COMMENT": ("commentCase", "CommentCaseInput"),
    "RESOLVE": ("resolveCase", "ResolveCaseInput"),
    "CLOSE": ("closeCase", "CloseCaseInput"),
    "REOPEN": ("reopenCase", "ReasonInput"),
    "REDIRECT": ("redirectCase", "RedirectCaseInput"),
    "MERGE": ("mergeCase", "MergeCaseInput"),
    "EVALUATE": ("evaluateCase", "EvaluateCaseInput"),
    "FOLLOW_UP": ("recordFollowUp", "FollowUpInput"),
}

# Inputs without which an action has no expectedVersion (contract: these take none).
NO_EXPECTED_VERSION = frozenset({"SUPERVISE", "COMMENT", "EVALUATE", "FOLLOW_UP"})

# Default policy: these need the actor's unit to be the handling unit (SAME).
SAME_UNIT_ACTIONS = frozenset({"ACCEPT", "RESOLVE", "RETURN", "ESCALATE"})
# A member of each handling unit the tests use who may do the SAME-unit actions
# (ESCALATE also needs a village, township or department: never the county).
SAME_ACTOR = {VILLAGE: "v11.handler", HOUSING: "dept.housing", COUNTY: LEADER}
PARENT = {VILLAGE: TOWNSHIP, HOUSING: COUNTY, TOWNSHIP: COUNTY}

CASE_FIELDS = "id number status version handlingUnit { code } allowedActions"


def global_id(type_name: str, pk: int) -> str:
    """Relay-style opaque id, built here so tests can name rows they found in SQL."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def pk_of(gid: str) -> int:
    raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
    return int(raw.partition(":")[2])


@dataclass(frozen=True)
class Outcome:
    """One mutation's answer: the case payload, or the single error it failed with."""

    case: dict[str, Any] | None
    error: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return self.case is not None

    @property
    def code(self) -> str | None:
        return None if self.error is None else self.error.get("extensions", {}).get("code")

    @property
    def field(self) -> str | None:
        return None if self.error is None else self.error.get("extensions", {}).get("field")


@dataclass(frozen=True)
class Stored:
    """A case as PostgreSQL holds it, with its event and follow-up counts."""

    status: str
    version: int
    handling: str
    events: int
    follow_ups: int
    row: dict[str, Any]
    last_event: str
    last_actor: str | None


def inputs_for(action: str, *, target: str, into: str | None = None) -> dict[str, Any]:
    """Valid inputs for `action`, so that only the status (or policy) can refuse it."""
    inputs: dict[str, dict[str, Any]] = {
        "ASSESS": {"riskLevel": "YELLOW", "track": "SIMPLE", "note": "研判：一般矛盾"},
        "DISPATCH": {"unitId": target, "note": "请核实处理"},
        "ACCEPT": {"note": "已签收"},
        "RETURN": {"reason": "不属本单位职责"},
        "ESCALATE": {"reason": "本级无法化解"},
        "REASSIGN": {"unitId": target, "reason": "改派对口部门"},
        "SUPERVISE": {"note": "请加快办理"},
        "COMMENT": {"note": "补充情况说明"},
        "RESOLVE": {"outcome": "SOLVED", "summary": "已现场处理完毕"},
        "CLOSE": {"note": "同意结案"},
        "REOPEN": {"reason": "群众反映问题未解决"},
        "REDIRECT": {"reason": "已进入诉讼程序", "guidance": "请向人民法院咨询"},
        "MERGE": {"intoCaseId": into},
        "EVALUATE": {"satisfaction": "SATISFIED", "comment": "满意"},
        "FOLLOW_UP": {"method": "PHONE", "note": "电话回访，群众表示认可"},
    }
    return inputs[action]


class Lifecycle:
    """Drives cases through GraphQL as the demo users; reads the stored truth in SQL."""

    def __init__(self, api: Api, app: Starlette) -> None:
        self.api = api
        self.app = app
        self.units: dict[str, int] = {}
        self.users: dict[str, int] = {}
        self.category = ""
        self._serial = 0

    @classmethod
    async def create(cls, api: Api, app: Starlette) -> "Lifecycle":
        self = cls(api, app)
        async with app.state.yidi.sessions() as session:
            units = await session.execute(text("SELECT code, id FROM units"))
            self.units = dict(units.all())
            users = await session.execute(text("SELECT username, id FROM users"))
            self.users = dict(users.all())
            category = await session.scalar(
                text(
                    "SELECT c.id FROM categories c JOIN units u ON u.id = c.county_id "
                    "WHERE u.code = :county AND c.code = 'DISPUTE.NEIGHBOR'"
                ),
                {"county": COUNTY},
            )
        self.category = global_id("Category", int(category))
        return self

    def unit(self, code: str) -> str:
        return global_id("Unit", self.units[code])

    def user(self, username: str) -> str:
        return global_id("User", self.users[username])

    async def register(
        self,
        user: str = "v11.handler",
        location: str = VILLAGE,
        *,
        key: str | None = None,
        title: str | None = None,
        phone: str = "13800001111",
    ) -> dict[str, Any]:
        """registerCase as `user`; the payload's case plus its trackingCode."""
        self._serial += 1
        fields: dict[str, Any] = {
            "title": title or f"邻里纠纷测试事项{self._serial}",
            "description": "两户因通道使用发生争执。",
            "categoryId": self.category,
            "channel": "VISIT",
            "locationUnitId": self.unit(location),
            "reporter": {"name": "张三", "phone": phone},
        }
        if key is not None:
            fields["idempotencyKey"] = key
        data = await self.api.ok(
            "mutation($input: RegisterCaseInput!) { registerCase(input: $input) "
            f"{{ trackingCode case {{ {CASE_FIELDS} }} }} }}",
            {"input": fields},
            user=user,
        )
        payload: dict[str, Any] = data["registerCase"]
        return {**payload["case"], "trackingCode": payload["trackingCode"]}

    async def attempt(
        self,
        action: str,
        case_id: str,
        user: str,
        inputs: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        name, input_type = MUTATIONS[action]
        fields = {"caseId": case_id, **inputs}
        if expected_version is not None:
            fields["expectedVersion"] = expected_version
        body = await self.api.raw(
            f"mutation($input: {input_type}!) {{ {name}(input: $input) "
            f"{{ case {{ {CASE_FIELDS} }} }} }}",
            {"input": fields},
            user=user,
        )
        errors = body.get("errors")
        if errors:
            assert len(errors) == 1, errors
            return Outcome(None, errors[0])
        return Outcome(body["data"][name]["case"], None)

    async def do(
        self, action: str, case_id: str, user: str, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """A preparation step that must succeed."""
        outcome = await self.attempt(action, case_id, user, inputs)
        assert outcome.case is not None, f"{user} could not {action}: {outcome.error}"
        return outcome.case

    async def bring_to(self, status: str, merge_target: str) -> str:
        """A fresh case in `status`, by the route DESIGN.md describes.

        Registered by 东湖村 (handled there); from DISPATCHED on it lies with 县住建局,
        dispatched by the county. REDIRECTED and MERGED cases stay with the village.
        """
        case_id = str((await self.register())["id"])
        if status in ("REDIRECTED", "MERGED"):
            action = "REDIRECT" if status == "REDIRECTED" else "MERGE"
            await self.do(action, case_id, LEADER, inputs_for(action, target="", into=merge_target))
            return case_id
        route = [
            ("DISPATCHED", "DISPATCH", LEADER),
            ("IN_PROGRESS", "ACCEPT", "dept.housing"),
            ("RESOLVED", "RESOLVE", "dept.housing"),
            ("CLOSED", "CLOSE", LEADER),
        ]
        for reached, action, user in route:
            if status == "REGISTERED":
                break
            await self.do(action, case_id, user, inputs_for(action, target=self.unit(HOUSING)))
            if reached == status:
                break
        return case_id

    async def stored(self, case_id: str) -> Stored:
        async with self.app.state.yidi.sessions() as session:
            row = (
                await session.execute(
                    text(
                        "SELECT c.status, c.version, u.code AS handling, to_jsonb(c) AS row, "
                        "(SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events, "
                        "(SELECT count(*) FROM case_follow_ups f WHERE f.case_id = c.id) "
                        "AS follow_ups FROM cases c JOIN units u ON u.id = c.handling_unit_id "
                        "WHERE c.id = :id"
                    ),
                    {"id": pk_of(case_id)},
                )
            ).one()
            last = (
                await session.execute(
                    text(
                        "SELECT e.type, us.username FROM case_events e "
                        "LEFT JOIN users us ON us.id = e.actor_id "
                        "WHERE e.case_id = :id ORDER BY e.id DESC LIMIT 1"
                    ),
                    {"id": pk_of(case_id)},
                )
            ).one()
        return Stored(
            status=row.status,
            version=row.version,
            handling=row.handling,
            events=row.events,
            follow_ups=row.follow_ups,
            row=row.row,
            last_event=last.type,
            last_actor=last.username,
        )

    async def event_types(self, case_id: str) -> list[str]:
        """The case's event log, oldest first, as stored."""
        async with self.app.state.yidi.sessions() as session:
            rows = await session.scalars(
                text("SELECT type FROM case_events WHERE case_id = :id ORDER BY id"),
                {"id": pk_of(case_id)},
            )
            return list(rows)

    async def allowed(self, case_id: str, user: str) -> set[str]:
        data = await self.api.ok(
            "query($id: ID!) { case(id: $id) { allowedActions } }", {"id": case_id}, user=user
        )
        assert data["case"] is not None, f"{user} cannot see {case_id}"
        return set(data["case"]["allowedActions"])
