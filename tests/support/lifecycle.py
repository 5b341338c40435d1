"""Drive a case through its lifecycle in GraphQL as the demo users, and read what PostgreSQL
stored straight from SQL; used by the lifecycle table and concurrency tests.

The expectations these serve are written from DESIGN.md ("Case lifecycle", "Authorization"),
never imported from the application, so a slip in its transition table shows up.
"""

import base64
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from tests.support.demo import COUNTY, HOUSING, LEADER, V11, VILLAGE
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.mutations import MUTATIONS, act, do
from tests.support.oracles import SAME_UNIT_ACTIONS
from tests.support.sql import rows, scalar

# A member of each handling unit the tests use who may do the SAME-unit actions
# (ESCALATE also needs a village, township or department: never the county).
SAME_ACTOR = {VILLAGE: V11, HOUSING: "dept.housing", COUNTY: LEADER}

CASE_FIELDS = "id number status version handlingUnit { code } allowedActions"

# A lawyer-led 1+1+N mediation that reached agreement, held before the demo instant.
MEDIATION: dict[str, Any] = {
    "kind": "LAWYER",
    "linkage": "COURT",
    "heldAt": "2026-11-19T06:00:00Z",
    "place": "东湖村调解室",
    "outsideMediators": [
        {"name": "刘律师", "role": "LAWYER", "organization": "青山律师事务所"},
        {"name": "老周", "role": "RESPECTED_LOCAL"},
        {"name": "党员李明", "role": "PARTY_MEMBER"},
    ],
    "partiesPresent": ["张三", "李四"],
    "transcript": "双方陈述争议经过，调解员释法明理，双方同意协商。",
    "outcome": "AGREEMENT",
    "agreement": "李四于十日内拆除越界围墙，张三不再追究。",
}


def actor_for(action: str, handling: str) -> str:
    """Someone the default policy lets do `action` on a case handled by `handling`.

    county.leader is LEADER at the county: ANCESTOR of every unit below, which the policy
    lets assess, dispatch, reassign, supervise, comment, close, reopen, redirect, merge,
    evaluate and follow up. ACCEPT, RESOLVE, RETURN and ESCALATE need the handling unit
    itself (SAME), so a member of that unit does them.
    """
    return SAME_ACTOR[handling] if action in SAME_UNIT_ACTIONS else LEADER


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


def unchanged(before: Stored, after: Stored) -> list[str]:
    """What a refused mutation changed, if anything (it must change nothing)."""
    problems = []
    if after.row != before.row:
        diff = {k: (before.row[k], after.row.get(k)) for k in before.row}
        problems.append(f"row changed: { {k: v for k, v in diff.items() if v[0] != v[1]} }")
    if (after.events, after.follow_ups) != (before.events, before.follow_ups):
        problems.append(
            f"events {before.events}->{after.events}, "
            f"follow-ups {before.follow_ups}->{after.follow_ups}"
        )
    return problems


def inputs_for(
    action: str, *, target: str = "", into: str | None = None, summoned: str = ""
) -> dict[str, Any]:
    """Valid inputs for `action`, so that only the status (or policy) can refuse it;
    `target` is the unit a DISPATCH or REASSIGN goes to, `into` the case a MERGE joins,
    `summoned` the unit a SUMMON calls in."""
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
        "TAKE_OWNERSHIP": {"note": "本人包案，一包到底"},
        "RELEASE_OWNERSHIP": {"reason": "工作调整，交由他人包案"},
        "RECORD_MEDIATION": MEDIATION,
        "REQUEST_EXTENSION": {"days": 5, "reason": "需等待土地确权材料"},
        "DECIDE_EXTENSION": {"approved": True, "note": "同意延期"},
        "PAUSE": {"reason": "COURT", "note": "当事人已起诉，等待法院裁判"},
        "RESUME": {"note": "法院已判决"},
        "SUMMON": {"unitIds": [summoned], "reportInHours": 24, "note": "请派员到场会商"},
        "REPORT_IN": {"note": "已派员到场"},
        "CONTRIBUTE": {"contribution": "经现场核查，围墙越界约半米。"},
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
        self.units = dict(await rows(app, "SELECT code, id FROM units"))
        self.users = dict(await rows(app, "SELECT username, id FROM users"))
        category = await scalar(
            app,
            "SELECT c.id FROM categories c JOIN units u ON u.id = c.county_id "
            "WHERE u.code = :county AND c.code = 'DISPUTE.NEIGHBOR'",
            county=COUNTY,
        )
        self.category = global_id("Category", int(category))
        return self

    def unit(self, code: str) -> str:
        return global_id("Unit", self.units[code])

    def user(self, username: str) -> str:
        return global_id("User", self.users[username])

    async def register(
        self,
        user: str = V11,
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
        fields = {"caseId": case_id, **inputs}
        if expected_version is not None:
            fields["expectedVersion"] = expected_version
        body = await act(self.api, user, action, fields, CASE_FIELDS)
        errors = body.get("errors")
        if errors:
            assert len(errors) == 1, errors
            return Outcome(None, errors[0])
        return Outcome(body["data"][MUTATIONS[action][0]]["case"], None)

    async def do(
        self, action: str, case_id: str, user: str, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """A preparation step that must succeed."""
        outcome = await self.attempt(action, case_id, user, inputs)
        assert outcome.case is not None, f"{user} could not {action}: {outcome.error}"
        return outcome.case

    async def bring_to(self, status: str, merge_target: str) -> str:
        """A fresh case in `status`, by the route DESIGN.md describes (see `move_to`)."""
        case_id = str((await self.register())["id"])
        await self.move_to(case_id, status, merge_target)
        return case_id

    async def move_to(self, case_id: str, status: str, merge_target: str | None = None) -> None:
        """Take a case 东湖村 registered (and handles) on to `status`.

        From DISPATCHED on it lies with 县住建局, dispatched by the county. REDIRECTED and
        MERGED (into `merge_target`) cases stay with the village.
        """
        if status in ("REDIRECTED", "MERGED"):
            action = "REDIRECT" if status == "REDIRECTED" else "MERGE"
            await self.do(action, case_id, LEADER, inputs_for(action, into=merge_target))
            return
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

    async def stored(self, case_id: str) -> Stored:
        (row,) = await rows(
            self.app,
            "SELECT c.status, c.version, u.code AS handling, to_jsonb(c) AS row, "
            "(SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS events, "
            "(SELECT count(*) FROM case_follow_ups f WHERE f.case_id = c.id) "
            "AS follow_ups FROM cases c JOIN units u ON u.id = c.handling_unit_id "
            "WHERE c.id = :id",
            id=pk_of(case_id),
        )
        (last,) = await rows(
            self.app,
            "SELECT e.type, us.username FROM case_events e "
            "LEFT JOIN users us ON us.id = e.actor_id "
            "WHERE e.case_id = :id ORDER BY e.id DESC LIMIT 1",
            id=pk_of(case_id),
        )
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
        events = await rows(
            self.app,
            "SELECT type FROM case_events WHERE case_id = :id ORDER BY id",
            id=pk_of(case_id),
        )
        return [event.type for event in events]

    async def allowed(self, case_id: str, user: str) -> set[str]:
        data = await self.api.ok(
            "query($id: ID!) { case(id: $id) { allowedActions } }", {"id": case_id}, user=user
        )
        assert data["case"] is not None, f"{user} cannot see {case_id}"
        return set(data["case"]["allowedActions"])


async def resolved_in_place(api: Api, user: str = V11, location: str = VILLAGE) -> dict[str, Any]:
    """A case `user` registers at `location`, then accepts and resolves in its own unit, so
    the leaders above it may close or reopen it; its id and number."""
    case = await register(api, user, location)
    await do(api, user, "ACCEPT", {"caseId": case["id"]})
    await do(api, user, "RECORD_MEDIATION", {"caseId": case["id"], **MEDIATION})
    resolution = {"outcome": "MEDIATED", "summary": "双方达成和解。"}
    await do(api, user, "RESOLVE", {"caseId": case["id"], **resolution})
    return case
