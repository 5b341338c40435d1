"""registerCase through GraphQL: numbering, deadlines, idempotency, authorization, masking."""

import asyncio
import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.support.clock import SHANGHAI, Clock, end_of_day, instant
from tests.support.driver import Api
from tests.support.intake import ID_MASKED, ID_NUMBER, PHONE, PHONE_MASKED
from tests.support.lookups import category_id, unit_id
from tests.support.oracles import TRACKING_CODE
from tests.support.sql import footprint, rows, scalar

CASE_FIELDS = """
  id number title description channel status riskLevel track partiesCount address
  registeredAt dueAt isOverdue version supervisionCount escalationCount
  category { code timeLimitDays }
  locationUnit { code } intakeUnit { code } handlingUnit { code }
  assignee { username } coHandlingUnits { code }
  reporter { name phone idNumber anonymous }
  events { totalCount edges { node { type at note actor { username }
    fromUnit { code } toUnit { code } } } }
"""

REGISTER = (
    "mutation($input: RegisterCaseInput!) { registerCase(input: $input) { trackingCode case {"
    + CASE_FIELDS
    + "} } }"
)

CASE_REPORTER = (
    "query($id: ID!) { case(id: $id) { id reporter { name phone idNumber anonymous } } }"
)

NAME = "张三"

# The demo registers 300 cases of 2026 in county 990100 (yidi/demo.py, DESIGN.md "Demo data").
DEMO_CASES_2026 = 300


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Asia/Shanghai wall-clock instant, as the application's clock (UTC) would hold it."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def case_input(
    api: Api,
    *,
    location: str = "990100001001",
    category: str = "DISPUTE.NEIGHBOR",
    **overrides: Any,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "title": "邻居加盖房屋遮挡采光",
        "description": "群众反映：邻居加盖房屋遮挡采光，请尽快核实处理。",
        "categoryId": await category_id(api, category),
        "channel": "VISIT",
        "locationUnitId": await unit_id(api, location),
        "address": "东湖村12号",
        "partiesCount": 2,
        "reporter": {"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER},
    }
    value.update(overrides)
    return value


async def register(api: Api, user: str, value: dict[str, Any]) -> dict[str, Any]:
    data = await api.ok(REGISTER, {"input": value}, user=user)
    payload: dict[str, Any] = data["registerCase"]
    return payload


async def last_sequence(app: Any, year: int) -> int:
    value = await scalar(
        app,
        "SELECT s.last_value FROM case_sequences s JOIN units u ON u.id = s.county_id "
        "WHERE u.code = '990100' AND s.year = :y",
        y=year,
    )
    return int(value or 0)


def sequence_of(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


# --- happy path ------------------------------------------------------------------------


async def test_register_case_happy_path(api: Api, app: Any, clock: Clock) -> None:
    clock.current = sh(2026, 2, 12, 10)  # Thursday before Spring Festival
    value = await case_input(api, category="CONSULT")
    payload = await register(api, "v11.handler", value)
    case = payload["case"]

    assert case["number"] == f"990100-2026-{DEMO_CASES_2026 + 1:06d}"
    assert re.fullmatch(r"990100-2026-\d{6}", case["number"])
    assert case["status"] == "REGISTERED"
    assert case["title"] == value["title"]
    assert case["description"] == value["description"]
    assert case["channel"] == "VISIT"
    assert case["partiesCount"] == 2
    assert case["address"] == "东湖村12号"
    assert case["category"] == {"code": "CONSULT", "timeLimitDays": 5}
    # A new case stays with the unit that registered it until it is dispatched.
    assert case["intakeUnit"] == {"code": "990100001001"}
    assert case["handlingUnit"] == {"code": "990100001001"}
    assert case["locationUnit"] == {"code": "990100001001"}
    assert case["assignee"] is None
    assert case["coHandlingUnits"] == []
    # Not assessed yet: STANDARD track, BLUE risk.
    assert case["riskLevel"] == "BLUE"
    assert case["track"] == "STANDARD"
    assert case["version"] == 1
    assert case["supervisionCount"] == 0
    assert case["escalationCount"] == 0
    assert case["isOverdue"] is False
    assert instant(case["registeredAt"]) == clock.current
    # 5 working days after Thu 12 Feb: Fri 13, Sat 14 (调休), [15–23 Spring Festival], Tue 24,
    # Wed 25, Thu 26.
    assert instant(case["dueAt"]) == end_of_day(date(2026, 2, 26))
    assert case["reporter"] == {
        "name": NAME,
        "phone": PHONE,
        "idNumber": ID_NUMBER,
        "anonymous": False,
    }

    events = case["events"]
    assert events["totalCount"] == 1
    (event,) = [edge["node"] for edge in events["edges"]]
    assert event["type"] == "REGISTERED"
    assert event["actor"] == {"username": "v11.handler"}
    assert event["toUnit"] == {"code": "990100001001"}
    assert instant(event["at"]) == clock.current


async def test_tracking_code_is_unguessable_and_only_its_hash_is_stored(api: Api, app: Any) -> None:
    value = await case_input(api)
    codes = [(await register(api, "v11.handler", value))["trackingCode"] for _ in range(5)]
    for code in codes:
        assert len(code) >= 12
        assert TRACKING_CODE.match(code), code
    assert len(set(codes)) == len(codes)

    stored = {
        row.tracking_code_hash
        for row in await rows(app, "SELECT tracking_code_hash FROM cases ORDER BY id DESC LIMIT 5")
    }
    assert stored == {hashlib.sha256(code.encode()).hexdigest() for code in codes}


async def tables_containing(app: Any, needle: str) -> list[str]:
    """Every table with a row whose text form contains `needle`."""
    tables = await rows(
        app,
        "SELECT quote_ident(table_name) AS name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    found = []
    for table in tables:
        query = f"SELECT count(*) FROM {table.name} AS t WHERE t::text LIKE :p"
        if await scalar(app, query, p=f"%{needle}%"):
            found.append(table.name)
    return found


@pytest.mark.parametrize(
    "idempotency_key", [None, "retry-safe-key"], ids=["without-key", "with-key"]
)
async def test_tracking_code_is_nowhere_in_the_database(
    api: Api, app: Any, idempotency_key: str | None
) -> None:
    # numbering.py: "Only the hash is stored, so a database dump does not hand out access
    # to cases." That must hold for every table, the idempotency records included.
    value = await case_input(api, idempotencyKey=idempotency_key)
    payload = await register(api, "v11.handler", value)
    assert await tables_containing(app, payload["trackingCode"]) == []


async def test_number_continues_the_year_sequence(api: Api, app: Any) -> None:
    value = await case_input(api)
    first = await register(api, "v11.handler", value)
    second = await register(api, "county.intake", value)
    assert sequence_of(first["case"]["number"]) == DEMO_CASES_2026 + 1
    assert sequence_of(second["case"]["number"]) == DEMO_CASES_2026 + 2
    assert await last_sequence(app, 2026) == DEMO_CASES_2026 + 2


@pytest.mark.parametrize(
    ("registered_at", "number"),
    [
        # 31 Dec 2025 23:30 in Shanghai: still 2025, a year the demo has no cases in.
        pytest.param(sh(2025, 12, 31, 23, 30), "990100-2025-000001", id="last-evening-2025"),
        # 31 Dec 2025 16:30 UTC is already 1 Jan 2026 00:30 in Shanghai: the year is 2026.
        pytest.param(sh(2026, 1, 1, 0, 30), "990100-2026-000301", id="utc-2025-shanghai-2026"),
    ],
)
async def test_number_year_is_the_shanghai_year(
    api: Api, clock: Clock, registered_at: datetime, number: str
) -> None:
    clock.current = registered_at
    payload = await register(api, "v11.handler", await case_input(api))
    assert payload["case"]["number"] == number


@pytest.mark.parametrize(
    ("registered_at", "category", "due_day"),
    [
        pytest.param(
            sh(2026, 2, 12, 10),
            "CONSULT",  # 5 days: Fri 13, Sat 14 (调休), Tue 24, Wed 25, Thu 26
            date(2026, 2, 26),
            id="consult-5-across-spring-festival",
        ),
        pytest.param(
            sh(2026, 2, 10, 15),
            # 15 days: 11, 12, 13, Sat 14 (调休), 24, 25, 26, 27, Sat 28 (调休), Mar 2–6, Mon 9
            "DISPUTE",
            date(2026, 3, 9),
            id="dispute-15-across-spring-festival",
        ),
        pytest.param(
            sh(2026, 2, 27, 9),
            "LIVELIHOOD.WATER",  # 5 days: Sat 28 Feb (调休), Mon 2 – Thu 5 Mar
            date(2026, 3, 5),
            id="water-5-adjusted-saturday-counts",
        ),
        pytest.param(
            # Sat 14 Feb 01:30 in Shanghai is still Fri 13 Feb in UTC. The registration day
            # is the Shanghai day (14th) and does not count: 24–28 Feb (28th 调休), 2–6 Mar.
            sh(2026, 2, 14, 1, 30),
            "DISPUTE.NEIGHBOR",
            date(2026, 3, 6),
            id="neighbor-10-registered-on-adjusted-saturday-before-utc-midnight",
        ),
        pytest.param(
            sh(2026, 2, 15, 11),
            # Registered on a holiday: Tue 24, Wed 25, Thu 26, Fri 27, Sat 28 (调休).
            "CONSULT",
            date(2026, 2, 28),
            id="consult-5-registered-during-spring-festival",
        ),
        pytest.param(
            sh(2025, 12, 31, 15),
            "CONSULT",  # 5 days: [1–3 Jan 元旦], Sun 4 Jan (调休), Mon 5 – Thu 8
            date(2026, 1, 8),
            id="consult-5-across-new-year",
        ),
        pytest.param(
            sh(2026, 9, 18, 16),
            "CONSULT",  # 5 days: Sun 20 Sep (调休), Mon 21 – Thu 24
            date(2026, 9, 24),
            id="consult-5-adjusted-sunday-before-national-day",
        ),
        pytest.param(
            sh(2026, 9, 28, 9),
            # 10 days: 29, 30 Sep, [1–7 Oct 国庆], Thu 8, Fri 9, Sat 10 (调休), Mon 12 – Fri 16
            "DISPUTE.NEIGHBOR",
            date(2026, 10, 16),
            id="neighbor-10-across-national-day",
        ),
    ],
)
async def test_due_at_counts_working_days_in_shanghai(
    api: Api, clock: Clock, registered_at: datetime, category: str, due_day: date
) -> None:
    clock.current = registered_at
    payload = await register(api, "v11.handler", await case_input(api, category=category))
    case = payload["case"]
    assert instant(case["registeredAt"]) == registered_at
    assert instant(case["dueAt"]) == end_of_day(due_day)


async def test_registered_risk_level_is_kept(api: Api) -> None:
    payload = await register(api, "v11.handler", await case_input(api, riskLevel="RED"))
    assert payload["case"]["riskLevel"] == "RED"
    assert payload["case"]["track"] == "STANDARD"


@pytest.mark.parametrize(
    ("user", "unit", "location"),
    [
        pytest.param("v11.handler", "990100001001", "990100001001", id="village-own"),
        pytest.param("t1.leader", "990100001", "990100001002", id="township-leader-village"),
        pytest.param("county.intake", "990100", "990100002003", id="county-intake-village"),
        pytest.param("county.leader", "990100", "990100003", id="county-leader-township"),
    ],
)
async def test_registering_unit_handles_the_case(
    api: Api, user: str, unit: str, location: str
) -> None:
    payload = await register(api, user, await case_input(api, location=location))
    case = payload["case"]
    assert case["intakeUnit"] == {"code": unit}
    assert case["handlingUnit"] == {"code": unit}
    assert case["locationUnit"] == {"code": location}
    assert case["events"]["edges"][0]["node"]["actor"] == {"username": user}


# --- numbering under concurrency ----------------------------------------------------------


# 8 stays below the connection pool's size, 20 goes beyond it: a server must queue such a
# burst, not fail it.
@pytest.mark.parametrize("count", [8, 20], ids=["8-concurrent", "20-concurrent"])
async def test_concurrent_registrations_get_consecutive_numbers(
    api: Api, app: Any, count: int
) -> None:
    value = await case_input(api)
    await api.token("v11.handler")  # log in once, outside the race
    before = await footprint(app)
    payloads = await asyncio.gather(*(register(api, "v11.handler", value) for _ in range(count)))
    numbers = sorted(sequence_of(p["case"]["number"]) for p in payloads)
    assert numbers == list(range(DEMO_CASES_2026 + 1, DEMO_CASES_2026 + count + 1))
    assert len({p["case"]["id"] for p in payloads}) == count
    assert len({p["trackingCode"] for p in payloads}) == count
    after = await footprint(app)
    assert after["cases"] == before["cases"] + count
    assert after["events"] == before["events"] + count
    assert await last_sequence(app, 2026) == DEMO_CASES_2026 + count


# --- idempotency --------------------------------------------------------------------------


async def test_same_idempotency_key_returns_the_first_case(api: Api, app: Any) -> None:
    value = await case_input(api, idempotencyKey="tablet-7/2026-02-12/0001")
    before = await footprint(app)
    first = await register(api, "v11.handler", value)
    # A client retrying after a timeout may even resend slightly different input.
    retry = await register(api, "v11.handler", {**value, "title": "重试"})
    assert retry["case"]["id"] == first["case"]["id"]
    assert retry["case"]["number"] == first["case"]["number"]
    assert retry["trackingCode"] == first["trackingCode"]
    assert retry["case"]["title"] == value["title"]
    after = await footprint(app)
    assert after["cases"] == before["cases"] + 1
    assert after["events"] == before["events"] + 1
    assert after["keys"] == before["keys"] + 1
    # The retry used no number: the next registration continues without a gap.
    other = await register(api, "v11.handler", await case_input(api))
    assert sequence_of(other["case"]["number"]) == sequence_of(first["case"]["number"]) + 1


async def test_concurrent_retries_with_one_key_create_one_case(api: Api, app: Any) -> None:
    value = await case_input(api, idempotencyKey="double-click")
    await api.token("v11.handler")
    before = await footprint(app)
    payloads = await asyncio.gather(*(register(api, "v11.handler", value) for _ in range(8)))
    assert len({p["case"]["id"] for p in payloads}) == 1
    assert len({p["case"]["number"] for p in payloads}) == 1
    assert len({p["trackingCode"] for p in payloads}) == 1
    after = await footprint(app)
    assert after["cases"] == before["cases"] + 1
    assert after["events"] == before["events"] + 1
    assert after["keys"] == before["keys"] + 1
    assert await last_sequence(app, 2026) == DEMO_CASES_2026 + 1


async def test_same_key_by_another_user_is_another_case(api: Api, app: Any) -> None:
    value = await case_input(api, idempotencyKey="shared-key")
    before = await footprint(app)
    mine = await register(api, "v11.handler", value)
    theirs = await register(api, "t1.leader", value)
    assert mine["case"]["id"] != theirs["case"]["id"]
    assert mine["case"]["number"] != theirs["case"]["number"]
    assert mine["trackingCode"] != theirs["trackingCode"]
    assert theirs["case"]["intakeUnit"] == {"code": "990100001"}
    after = await footprint(app)
    assert after["cases"] == before["cases"] + 2
    assert after["keys"] == before["keys"] + 2


async def test_idempotency_key_is_checked_after_authorization(api: Api, app: Any) -> None:
    # Knowing another user's key must not fetch their case through a refused request.
    value = await case_input(api, idempotencyKey="k-1")
    await register(api, "v11.handler", value)
    error = await api.error(
        REGISTER,
        {"input": {**value, "locationUnitId": await unit_id(api, "990100001002")}},
        user="v11.handler",
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


# --- REGISTER authorization -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "location"),
    [
        pytest.param("v11.handler", "990100001002", id="village-other-village-same-township"),
        pytest.param("v11.handler", "990100002001", id="village-other-township"),
        pytest.param("v11.handler", "990100001", id="village-its-own-township"),
        pytest.param("v11.handler", "990100", id="village-the-county"),
        pytest.param("t1.leader", "990100002001", id="township-other-township-village"),
        pytest.param("county.viewer", "990100001001", id="viewer"),
        pytest.param("county.admin", "990100001001", id="admin"),
        pytest.param("t1.handler", "990100001001", id="handler-only"),
        pytest.param("dept.housing", "990100001001", id="department-handler"),
    ],
)
async def test_register_forbidden(api: Api, app: Any, user: str, location: str) -> None:
    value = await case_input(api, location=location)
    before = await footprint(app)
    error = await api.error(REGISTER, {"input": value}, user=user)
    assert error["extensions"]["code"] == "FORBIDDEN", error
    assert await footprint(app) == before


@pytest.mark.parametrize("user", ["v11.handler", "county.intake", "county.leader"], ids=lambda u: u)
async def test_location_in_another_county_is_bad_input(api: Api, app: Any, user: str) -> None:
    # Nothing crosses counties; the other county's unit is treated as unknown.
    other_village = await unit_id(api, "990200001001", user="other.leader")
    value = await case_input(api, locationUnitId=other_village)
    before = await footprint(app)
    error = await api.error(REGISTER, {"input": value}, user=user)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == "locationUnitId"
    assert await footprint(app) == before


async def test_category_of_another_county_is_bad_input(api: Api, app: Any) -> None:
    # Read with the units in one statement (persistence/units.py): a category that is not
    # the county's is answered as unknown, after the location was found good.
    other = (await api.ok("{ categories { id } }", user="other.leader"))["categories"][0]["id"]
    value = await case_input(api, categoryId=other)
    before = await footprint(app)
    error = await api.error(REGISTER, {"input": value}, user="county.intake")
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == "categoryId"
    assert await footprint(app) == before


async def test_other_county_registers_in_its_own_sequence(api: Api) -> None:
    value = {
        "title": "白水县的事项",
        "description": "另一个县的事项，编号与青山县互不影响。",
        "categoryId": (await api.ok("{ categories { id code } }", user="other.leader"))[
            "categories"
        ][0]["id"],
        "channel": "HOTLINE",
        "locationUnitId": await unit_id(api, "990200001001", user="other.leader"),
        "reporter": {"name": "李四"},
    }
    payload = await register(api, "other.leader", value)
    assert payload["case"]["number"] == "990200-2026-000001"


# --- personal data per viewer -----------------------------------------------------------------


async def reporter_as(api: Api, case_id: str, user: str) -> dict[str, Any] | None:
    data = await api.ok(CASE_REPORTER, {"id": case_id}, user=user)
    if data["case"] is None:
        return None
    found: dict[str, Any] = data["case"]["reporter"]
    return found


CLEAR = {"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER, "anonymous": False}


def assert_masked(reporter: dict[str, Any] | None) -> None:
    assert reporter is not None
    assert reporter["phone"] == PHONE_MASKED
    assert reporter["idNumber"] == ID_MASKED
    # The name is personal data too: never the full name for someone not entitled to it.
    assert reporter["name"] != NAME
    assert reporter["anonymous"] is False


def assert_reads(reporter: dict[str, Any] | None, sees: str) -> None:
    """The reporter as a viewer who `sees` it "clear", "masked" or not at all ("hidden")."""
    if sees == "clear":
        assert reporter == CLEAR
    elif sees == "masked":
        assert_masked(reporter)
    else:
        assert reporter is None


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        pytest.param("v11.handler", "clear", id="intake-and-handling-unit"),
        pytest.param("t1.leader", "clear", id="township-leader-ancestor"),
        pytest.param("t1.handler", "clear", id="township-handler-ancestor"),
        pytest.param("county.leader", "clear", id="county-leader-ancestor"),
        pytest.param("county.viewer", "masked", id="county-viewer"),
        pytest.param("v12.handler", "hidden", id="other-village"),
        pytest.param("dept.housing", "hidden", id="uninvolved-department"),
        pytest.param("other.leader", "hidden", id="other-county"),
    ],
)
async def test_reporter_of_a_village_case(api: Api, viewer: str, sees: str) -> None:
    payload = await register(api, "v11.handler", await case_input(api))
    assert payload["case"]["reporter"] == CLEAR
    assert_reads(await reporter_as(api, payload["case"]["id"], viewer), sees)


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        pytest.param("county.intake", "clear", id="intake-and-handling-unit"),
        pytest.param("county.leader", "clear", id="county-leader-same-unit"),
        pytest.param("county.viewer", "masked", id="county-viewer"),
        # The location village and its township only stand INVOLVED: they may view the case
        # but not the reporter's personal data (DESIGN.md: SAME, ANCESTOR or intake unit).
        pytest.param("v11.handler", "masked", id="location-village"),
        pytest.param("t1.leader", "masked", id="location-township"),
        pytest.param("v12.handler", "hidden", id="other-village"),
    ],
)
async def test_reporter_of_a_county_case_located_in_a_village(
    api: Api, viewer: str, sees: str
) -> None:
    payload = await register(api, "county.intake", await case_input(api))
    assert payload["case"]["handlingUnit"] == {"code": "990100"}
    assert_reads(await reporter_as(api, payload["case"]["id"], viewer), sees)


@pytest.mark.parametrize(
    "viewer", ["v11.handler", "county.leader", "county.viewer"], ids=lambda u: u
)
async def test_anonymous_reporter_has_no_name_for_anyone(api: Api, viewer: str) -> None:
    value = await case_input(
        api, reporter={"name": NAME, "phone": PHONE, "idNumber": ID_NUMBER, "anonymous": True}
    )
    payload = await register(api, "v11.handler", value)
    assert payload["case"]["reporter"]["name"] is None
    assert payload["case"]["reporter"]["anonymous"] is True
    reporter = await reporter_as(api, payload["case"]["id"], viewer)
    assert reporter is not None
    assert reporter["name"] is None
    assert reporter["anonymous"] is True
    expected_phone = PHONE_MASKED if viewer == "county.viewer" else PHONE
    assert reporter["phone"] == expected_phone


async def test_reporter_without_contact_data(api: Api) -> None:
    payload = await register(api, "v11.handler", await case_input(api, reporter={"name": "王五"}))
    assert payload["case"]["reporter"] == {
        "name": "王五",
        "phone": None,
        "idNumber": None,
        "anonymous": False,
    }
    reporter = await reporter_as(api, payload["case"]["id"], "county.viewer")
    assert reporter is not None
    assert reporter["phone"] is None
    assert reporter["idNumber"] is None


DISPATCH = (
    "mutation($input: DispatchCaseInput!) { dispatchCase(input: $input) "
    "{ case { handlingUnit { code } intakeUnit { code } } } }"
)


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        # After dispatch the village is the handling unit (SAME): it needs the contact data.
        pytest.param("v11.handler", "clear", id="new-handling-unit"),
        pytest.param("t1.leader", "clear", id="intake-unit-and-ancestor"),
        pytest.param("county.viewer", "masked", id="county-viewer"),
        pytest.param("v12.handler", "hidden", id="other-village"),
    ],
)
async def test_reporter_after_dispatch_to_the_village(api: Api, viewer: str, sees: str) -> None:
    payload = await register(api, "t1.leader", await case_input(api))
    dispatched = await api.ok(
        DISPATCH,
        {
            "input": {
                "caseId": payload["case"]["id"],
                "unitId": await unit_id(api, "990100001001"),
            }
        },
        user="t1.leader",
    )
    assert dispatched["dispatchCase"]["case"] == {
        "handlingUnit": {"code": "990100001001"},
        "intakeUnit": {"code": "990100001"},
    }
    assert_reads(await reporter_as(api, payload["case"]["id"], viewer), sees)
