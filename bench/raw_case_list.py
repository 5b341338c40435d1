"""The hand-written baseline for bench/case_list.py: the least a server must do to answer
the bench's nested page of cases for a caller, with nothing of yidi's machinery.

A Starlette endpoint and an asyncpg pool. `POST /cases` with `{"user": NAME, "after":
[registered_at, id] | null}` answers the same JSON yidi answers for the bench's GraphQL
query (pageInfo's cursor aside): one statement with joins, a lateral for each case's first
three events and their count, and the scope's count in a subquery, read from the same exact
sources yidi reads (the county's number counters, the unit's range of `case_reach`).
What yidi decides with Casbin is compiled here by hand, once per caller: the county's
policy rows read with SQL and matched in plain Python into a (relation, risk) → actions
table, the VIEW scope written as the same predicates on the case's denormalised paths,
masking and the status rules applied per row. No GraphQL, no ORM, no DataLoaders, no
per-request authentication.

    python bench/raw_case_list.py --port 8200 --database-url postgresql://…
"""

import argparse
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from yidi.domain.enums import CaseAction, CaseStatus
from yidi.domain.lifecycle import CaseFacts, actions_allowed_by_status
from yidi.domain.masking import mask_phone

RISKS = ("BLUE", "YELLOW", "ORANGE", "RED")
RELATIONS = ("SAME", "ANCESTOR", "INVOLVED", "INTAKE")
ACTIONS = (*(a.value for a in CaseAction), "VIEW_PERSONAL_DATA")

CALLER = """
SELECT u.id AS user_id, u.roles, u.county_id, un.id AS unit_id, un.level, un.path,
  EXISTS (SELECT 1 FROM units child WHERE child.parent_id = un.id) AS has_subunits
FROM users u JOIN units un ON un.id = u.unit_id WHERE u.username = $1
"""
RULES = "SELECT role, level, relation, action, risk FROM policy_rules WHERE county_id = $1"
PAGE = """
SELECT c.id, c.number, c.title, c.status, c.risk_level, c.registered_at,
  c.handling_unit_id, c.handling_path, c.involved_path, c.intake_unit_id,
  c.evaluated_at IS NOT NULL AS evaluated, c.duplicates_count > 0 AS has_duplicates,
  c.owner_id, c.owner_unit_path, c.extension_requested_by_id,
  c.paused_since IS NOT NULL AS paused,
  c.awaiting_report_unit_ids, c.awaiting_contribution_unit_ids, c.reporter_phone,
  hu.name AS handling_name, lu.name AS location_name, cat.name AS category_name,
  au.username AS assignee, ev.types, ev.total,
  {total} AS scope_total
FROM cases c
JOIN units hu ON hu.id = c.handling_unit_id
JOIN units lu ON lu.id = c.location_unit_id
LEFT JOIN categories cat ON cat.id = c.category_id
LEFT JOIN users au ON au.id = c.assignee_id
CROSS JOIN LATERAL (
  SELECT (SELECT array_agg(f.type ORDER BY f.id) FROM (
            SELECT e.id, e.type FROM case_events e WHERE e.case_id = c.id ORDER BY e.id LIMIT 3
          ) f) AS types,
         (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS total
) ev
WHERE c.county_id = $1 AND ({scope}) AND (c.registered_at, c.id) < ($2, $3)
ORDER BY c.registered_at DESC, c.id DESC
LIMIT 51
"""
FAR_PAST_ID = 2**62


def matches(pattern: str, value: str) -> bool:
    return pattern == "*" or value in pattern.split("|")


@dataclass(frozen=True)
class Caller:
    user_id: int
    county_id: int
    unit_id: int
    has_subunits: bool
    # (relation, risk) -> actions the caller's roles and level are granted.
    granted: dict[tuple[str, str], frozenset[str]]
    scope_sql: str
    count_sql: str


def compile_caller(row: asyncpg.Record, rules: list[asyncpg.Record]) -> Caller:
    granted = {
        (rel, risk): frozenset(
            action
            for action in ACTIONS
            for r in rules
            if r["role"] in row["roles"]
            and r["action"] == action
            and matches(r["level"], row["level"])
            and matches(r["relation"], rel)
            and matches(r["risk"], risk)
        )
        for rel in RELATIONS
        for risk in RISKS
    }
    unit, at_root = row["unit_id"], len(row["path"]) == 1
    predicates = {
        "SAME": f"c.handling_unit_id = {unit}",
        "ANCESTOR": f"(c.handling_path @> ARRAY[{unit}]::bigint[]"
        f" AND c.handling_unit_id <> {unit})",
        # Every case of the county involves the county itself.
        "INVOLVED": "true" if at_root else f"c.involved_path @> ARRAY[{unit}]::bigint[]",
        "INTAKE": f"c.intake_unit_id = {unit}",
    }
    flags = {"SAME": "r.handles", "ANCESTOR": "r.above", "INVOLVED": "r.involved"}
    flags["INTAKE"] = "r.intake"
    clauses, reach = [], []
    for rel in RELATIONS:
        risks = [risk for risk in RISKS if "VIEW" in granted[(rel, risk)]]
        if len(risks) == len(RISKS):
            clauses.append(predicates[rel])
            reach.append(flags[rel])
        elif risks:
            listed = ", ".join(f"'{r}'" for r in risks)
            clauses.append(f"({predicates[rel]} AND c.risk_level IN ({listed}))")
            reach.append(f"({flags[rel]} AND r.risk_level IN ({listed}))")
    scope = " OR ".join(clauses) or "false"
    # The count from the same exact sources yidi reads (gapless numbers per county, the
    # unit's range of case_reach), as a developer who knows the schema would write it.
    if at_root and all("VIEW" in granted[("INVOLVED", risk)] for risk in RISKS):
        count = "(SELECT coalesce(sum(last_value), 0) FROM case_sequences WHERE county_id = $1)"
    elif not at_root:
        count = (
            f"(SELECT count(*) FROM case_reach r WHERE r.unit_id = {unit}"
            f" AND ({' OR '.join(reach) or 'false'}))"
        )
    else:
        count = f"(SELECT count(*) FROM cases c WHERE c.county_id = $1 AND ({scope}))"
    user, county = row["user_id"], row["county_id"]
    return Caller(user, county, unit, row["has_subunits"], granted, scope, count)


def relations_of(caller: Caller, row: asyncpg.Record) -> list[str]:
    unit, found = caller.unit_id, []
    if row["handling_unit_id"] == unit:
        found.append("SAME")
    elif unit in row["handling_path"]:
        found.append("ANCESTOR")
    if unit in row["involved_path"]:
        found.append("INVOLVED")
    if row["intake_unit_id"] == unit:
        found.append("INTAKE")
    return found


def allowed(caller: Caller, row: asyncpg.Record, by_policy: set[str]) -> list[str]:
    facts = CaseFacts(
        status=CaseStatus(row["status"]),
        handling_unit_has_parent=len(row["handling_path"]) > 1,
        evaluated=row["evaluated"],
        has_duplicates=row["has_duplicates"],
        owned=row["owner_id"] is not None,
        extension_pending=row["extension_requested_by_id"] is not None,
        paused=row["paused"],
    )
    by_status = actions_allowed_by_status(facts)
    out = []
    for action in CaseAction:
        if action.value not in by_policy or action not in by_status:
            continue
        if action in (CaseAction.DISPATCH, CaseAction.REASSIGN) and not (
            caller.has_subunits or caller.unit_id != row["handling_unit_id"]
        ):
            continue
        if action is CaseAction.RELEASE_OWNERSHIP and row["owner_id"] is not None:
            owner_path = row["owner_unit_path"] or []
            if caller.user_id != row["owner_id"] and caller.unit_id not in owner_path[:-1]:
                continue
        if (
            action is CaseAction.DECIDE_EXTENSION
            and row["extension_requested_by_id"] == caller.user_id
        ):
            continue
        if action is CaseAction.REPORT_IN and caller.unit_id not in row["awaiting_report_unit_ids"]:
            continue
        if (
            action is CaseAction.CONTRIBUTE
            and caller.unit_id not in row["awaiting_contribution_unit_ids"]
        ):
            continue
        out.append(action.value)
    return out


def node(caller: Caller, row: asyncpg.Record) -> dict[str, Any]:
    by_policy: set[str] = set()
    for rel in relations_of(caller, row):
        by_policy |= caller.granted[(rel, row["risk_level"])]
    phone = row["reporter_phone"]
    return {
        "number": row["number"],
        "title": row["title"],
        "status": row["status"],
        "handlingUnit": {"name": row["handling_name"]},
        "locationUnit": {"name": row["location_name"]},
        "category": {"name": row["category_name"]} if row["category_name"] else None,
        "assignee": {"username": row["assignee"]} if row["assignee"] else None,
        "reporter": {"phone": phone if "VIEW_PERSONAL_DATA" in by_policy else mask_phone(phone)},
        "allowedActions": allowed(caller, row, by_policy),
        "events": {
            "totalCount": row["total"],
            "edges": [{"node": {"type": t}} for t in row["types"] or []],
        },
    }


def build(database_url: str) -> Starlette:
    state: dict[str, Any] = {}
    callers: dict[str, Caller] = {}

    async def caller_of(pool: asyncpg.Pool, name: str) -> Caller:
        if name not in callers:
            row = await pool.fetchrow(CALLER, name)
            callers[name] = compile_caller(row, await pool.fetch(RULES, row["county_id"]))
        return callers[name]

    async def cases(request: Request) -> Response:
        pool: asyncpg.Pool = state["pool"]
        body = json.loads(await request.body())
        caller = await caller_of(pool, body["user"])
        if body.get("after"):
            at, last = datetime.fromisoformat(body["after"][0]), body["after"][1]
        else:
            at, last = datetime.fromisoformat("9999-12-31T00:00:00+00:00"), FAR_PAST_ID
        total = caller.count_sql if body.get("totalCount", True) else "NULL::bigint"
        sql = PAGE.format(scope=caller.scope_sql, total=total)
        rows = await pool.fetch(sql, caller.county_id, at, last)
        page = rows[:50]
        found: dict[str, Any] = {}
        if body.get("totalCount", True):
            found["totalCount"] = page[0]["scope_total"] if page else 0
        answer = {
            "cases": {
                **found,
                "pageInfo": {
                    "endCursor": [page[-1]["registered_at"].isoformat(), page[-1]["id"]]
                    if page
                    else None
                },
                "edges": [{"node": node(caller, row)} for row in page],
            }
        }
        return Response(json.dumps({"data": answer}), media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with asyncpg.create_pool(database_url, min_size=2, max_size=4) as pool:
            state["pool"] = pool
            yield

    return Starlette(routes=[Route("/cases", cases, methods=["POST"])], lifespan=lifespan)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    uvicorn.run(build(args.database_url), host="127.0.0.1", port=args.port, log_level="warning")
