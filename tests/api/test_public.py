"""What residents do without an account: submitRequest, trackCase, evaluateByTracking,
and the per-address limits that keep tracking codes from being guessed (yidi/services/public.py).

Every test gets a fresh database, so rate counters start at zero; the in-process client
always comes from one address, and `second_address` is a client from another one.
"""

import asyncio
import json
import re
import statistics
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock, instant
from tests.support.demo import VILLAGE
from tests.support.deployment import demo_settings
from tests.support.driver import Api, in_process
from tests.support.intake import RESIDENT_NAME, RESIDENT_PHONE, SUBMIT, request_input, submit
from tests.support.lookups import category_id, unit_id
from tests.support.mutations import do
from tests.support.oracles import TRACKING_CODE
from yidi.config import Settings

TRACK = """
query($c: String!, $p: String!) { trackCase(trackingCode: $c, phoneLast4: $p) {
  number status registeredAt dueAt handlingUnitName resolutionSummary canEvaluate
  milestones { type at } } }
"""
EVALUATE = "mutation($input: PublicEvaluationInput!) { evaluateByTracking(input: $input) }"
STAFF_VIEW = """
query($n: String!) { caseByNumber(number: $n) {
  id number status channel version
  category { code } locationUnit { code } intakeUnit { code } handlingUnit { code }
  reporter { name phone anonymous }
  evaluation { satisfaction comment }
  events { edges { node { type actor { username } note } } } } }
"""
ONLINE_COUNT = "{ cases(filter: {channel: [ONLINE]}) { totalCount } }"

LAST4 = "5678"  # of RESIDENT_PHONE
SUMMARY = "已疏通排水沟，恢复通行。"
UNKNOWN_CODE = "ZZZZZZZZZZZZ"  # the code alphabet, but never issued in a fresh database


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """The configured limits, unless a test asks for others through indirect parametrize."""
    overrides: dict[str, Any] = getattr(request, "param", {})
    return demo_settings(**overrides)


@pytest.fixture
async def second_address(app: Starlette) -> AsyncIterator[Api]:
    """A resident at another client address: limits are per address."""
    async with in_process(app, address=("10.0.0.2", 123)) as client:
        yield client


async def online_cases(api: Api) -> int:
    """Cases that came in through the public channel, as the county sees them."""
    data = await api.ok(ONLINE_COUNT, user="county.leader")
    count: int = data["cases"]["totalCount"]
    return count


async def track(api: Api, code: str, last4: str = LAST4) -> dict[str, Any]:
    """The raw answer (data and errors) of one trackCase."""
    return await api.raw(TRACK, {"c": code, "p": last4})


async def evaluate(
    api: Api, code: str, last4: str = LAST4, satisfaction: str = "SATISFIED"
) -> dict[str, Any]:
    fields = {"trackingCode": code, "phoneLast4": last4, "satisfaction": satisfaction}
    return await api.raw(EVALUATE, {"input": {**fields, "comment": "处理及时"}})


# One lifecycle step done by staff: (user, action, fields besides caseId).
Step = tuple[str, str, dict[str, Any]]
ACCEPT: Step = ("v11.handler", "ACCEPT", {})
COMMENT: Step = ("v11.handler", "COMMENT", {"note": "王干部已到现场查看"})
SUPERVISE: Step = ("t1.leader", "SUPERVISE", {"note": "请加快办理"})
RESOLVE: Step = ("v11.handler", "RESOLVE", {"outcome": "SOLVED", "summary": SUMMARY})
CLOSE: Step = ("t1.leader", "CLOSE", {"note": "结案"})
REOPEN: Step = ("t1.leader", "REOPEN", {"reason": "群众反映仍有积水"})
REDIRECT: Step = (
    "v11.handler",
    "REDIRECT",
    {"reason": "已进入诉讼程序", "guidance": "请向法院咨询"},
)


async def staff_view(api: Api, number: str, user: str = "county.leader") -> dict[str, Any]:
    data = await api.ok(STAFF_VIEW, {"n": number}, user=user)
    assert data["caseByNumber"] is not None, number
    found: dict[str, Any] = data["caseByNumber"]
    return found


async def run_steps(api: Api, clock: Clock, number: str, steps: list[Step]) -> None:
    """Drive a case through staff actions, an hour apart so milestones have distinct times."""
    case_id = (await staff_view(api, number))["id"]
    for user, action, fields in steps:
        clock.current += timedelta(hours=1)
        await do(api, user, action, {"caseId": case_id, **fields})


async def submitted_case(api: Api, clock: Clock, steps: list[Step]) -> dict[str, str]:
    """A resident's request at 东湖村, taken through `steps` by the village and township."""
    submitted = await submit(api, await unit_id(api, VILLAGE))
    await run_steps(api, clock, submitted["number"], steps)
    return submitted


# --- submitRequest -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "lands_at", "viewer"),
    [
        pytest.param(VILLAGE, VILLAGE, "county.leader", id="village"),
        pytest.param("990100002", "990100002", "county.leader", id="township"),
        pytest.param("990100003", "990100003", "county.leader", id="street"),
        pytest.param("990200001001", "990200001001", "other.leader", id="other-county-village"),
    ],
)
async def test_submit_lands_registered_at_location(
    api: Api, clock: Clock, location: str, lands_at: str, viewer: str
) -> None:
    """A request lands REGISTERED at its village, or at the township it names, unclassified."""
    submitted = await submit(api, await unit_id(api, location, user=viewer))
    county = location[:6]
    assert re.fullmatch(rf"{county}-2026-\d{{6}}", submitted["number"]), submitted
    assert TRACKING_CODE.fullmatch(submitted["trackingCode"]), submitted

    case = await staff_view(api, submitted["number"], user=viewer)
    assert case["status"] == "REGISTERED"
    assert case["channel"] == "ONLINE"
    assert case["category"] == {"code": "UNCLASSIFIED"}
    assert case["locationUnit"] == {"code": location}
    assert case["intakeUnit"] == {"code": lands_at}
    assert case["handlingUnit"] == {"code": lands_at}
    assert case["version"] == 1
    # A leader above the unit sees the reporter unmasked; the event names no staff actor.
    assert case["reporter"] == {"name": RESIDENT_NAME, "phone": RESIDENT_PHONE, "anonymous": False}
    events = [e["node"] for e in case["events"]["edges"]]
    assert [(e["type"], e["actor"]) for e in events] == [("REGISTERED", None)]


async def test_submit_with_category_keeps_it(api: Api) -> None:
    """A request that names a category keeps it; the channel is ONLINE all the same."""
    category = await category_id(api, "DISPUTE.NEIGHBOR")
    submitted = await submit(api, await unit_id(api, VILLAGE), categoryId=category)
    case = await staff_view(api, submitted["number"])
    assert case["category"] == {"code": "DISPUTE.NEIGHBOR"}
    assert case["channel"] == "ONLINE"


@pytest.mark.parametrize(
    "location",
    [
        pytest.param("990100", id="county"),
        pytest.param("990100901", id="county-department"),
        pytest.param("990100001901", id="township-department"),
        pytest.param("990200", id="other-county"),
    ],
)
async def test_submit_rejects_non_area_or_county_location(api: Api, location: str) -> None:
    """Only a village or township is a place a request can land; nothing is created."""
    viewer = "other.leader" if location.startswith("990200") else "county.leader"
    location_id = await unit_id(api, location, user=viewer)
    before = await online_cases(api)
    error = await api.error(SUBMIT, {"input": request_input(location_id)})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "locationUnitId"
    assert await online_cases(api) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"reporter": {"name": RESIDENT_NAME}}, "reporter.phone", id="no-phone"),
        pytest.param(
            {"reporter": {"anonymous": True}}, "reporter.phone", id="anonymous-without-phone"
        ),
        pytest.param(
            {"reporter": {"name": RESIDENT_NAME, "phone": "  "}}, "reporter.phone", id="blank"
        ),
        pytest.param(
            {"reporter": {"name": RESIDENT_NAME, "phone": "12345"}}, "reporter.phone", id="bad"
        ),
        pytest.param({"locationUnitId": "not-an-id"}, "locationUnitId", id="garbage-location"),
        pytest.param({"categoryId": "not-an-id"}, "categoryId", id="garbage-category"),
    ],
)
async def test_submit_bad_input(api: Api, overrides: dict[str, Any], field: str) -> None:
    """A resident must leave a phone (tracking checks its last four digits); nothing is created."""
    before = await online_cases(api)
    error = await api.error(
        SUBMIT, {"input": request_input(await unit_id(api, VILLAGE), **overrides)}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert await online_cases(api) == before


async def test_submit_category_of_other_county_is_rejected(api: Api) -> None:
    """A category belongs to one county; naming another county's is bad input."""
    foreign = await category_id(api, "CONSULT", user="other.leader")
    error = await api.error(
        SUBMIT, {"input": request_input(await unit_id(api, VILLAGE), categoryId=foreign)}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "categoryId"


async def test_submit_idempotent_per_phone(api: Api) -> None:
    """A retry with the same key and phone returns the first case; the key alone is no secret,
    so another phone with the same key gets a case of its own."""
    village = await unit_id(api, VILLAGE)
    before = await online_cases(api)
    first = await submit(api, village, idempotencyKey="retry-1")
    again = await submit(api, village, idempotencyKey="retry-1", title="重复提交")
    assert again == first
    assert await online_cases(api) == before + 1

    other_reporter = {"name": "王阿姨", "phone": "13700001111"}
    other = await submit(api, village, idempotencyKey="retry-1", reporter=other_reporter)
    assert other["number"] != first["number"]
    assert other["trackingCode"] != first["trackingCode"]
    assert await online_cases(api) == before + 2


async def test_concurrent_retries_make_one_case(api: Api) -> None:
    """Two retries racing with one key still make a single case."""
    village = await unit_id(api, VILLAGE)
    before = await online_cases(api)
    answers = await asyncio.gather(
        *(api.ok(SUBMIT, {"input": request_input(village, idempotencyKey="race")}) for _ in "ab")
    )
    assert answers[0] == answers[1]
    assert await online_cases(api) == before + 1


# --- trackCase -----------------------------------------------------------------------------


async def test_track_with_code_and_last4(api: Api, clock: Clock) -> None:
    """The right code and the phone's last four digits show the case's public status."""
    submitted = await submit(api, await unit_id(api, VILLAGE))
    body = await track(api, submitted["trackingCode"])
    assert "errors" not in body, body
    status = body["data"]["trackCase"]
    assert status["number"] == submitted["number"]
    assert status["status"] == "REGISTERED"
    assert instant(status["registeredAt"]) == clock.current
    assert status["dueAt"] is not None
    assert instant(status["dueAt"]) > clock.current
    assert status["handlingUnitName"] == "东湖村"
    assert status["resolutionSummary"] is None
    assert status["canEvaluate"] is False
    assert [(m["type"], instant(m["at"])) for m in status["milestones"]] == [
        ("REGISTERED", clock.current)
    ]


@pytest.mark.parametrize(
    ("code", "last4"),
    [
        pytest.param(None, "0000", id="wrong-last4"),
        pytest.param(None, "5679", id="off-by-one-last4"),
        pytest.param(UNKNOWN_CODE, LAST4, id="unknown-code"),
    ],
)
async def test_track_miss_is_null(api: Api, code: str | None, last4: str) -> None:
    """Any mismatch answers null, the same for a wrong phone as for a code that does not exist."""
    submitted = await submit(api, await unit_id(api, VILLAGE))
    body = await track(api, submitted["trackingCode"] if code is None else code, last4)
    assert body == {"data": {"trackCase": None}}


@pytest.mark.parametrize(
    "last4",
    [pytest.param("567", id="three-digits"), pytest.param("56a8", id="letter")],
)
async def test_track_malformed_last4(api: Api, last4: str) -> None:
    submitted = await submit(api, await unit_id(api, VILLAGE))
    error = await api.error(TRACK, {"c": submitted["trackingCode"], "p": last4})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "phoneLast4"}


STAFF_LEAK_PROBE = "{ me { username displayName } }"


async def test_track_shows_no_staff_or_personal_data(api: Api, clock: Clock) -> None:
    """A tracking code is a weak secret: the answer carries no staff names, no reporter data
    and no internal notes, only progress and the outcome summary."""
    submitted = await submitted_case(api, clock, [ACCEPT, COMMENT, SUPERVISE, RESOLVE])
    body = await track(api, submitted["trackingCode"])
    answer = json.dumps(body, ensure_ascii=False)
    assert body["data"]["trackCase"]["resolutionSummary"] == SUMMARY

    forbidden = [
        RESIDENT_NAME,
        RESIDENT_PHONE,
        "139****5678",
        COMMENT[2]["note"],
        SUPERVISE[2]["note"],
    ]
    for user in ("v11.handler", "t1.leader"):
        me = (await api.ok(STAFF_LEAK_PROBE, user=user))["me"]
        forbidden += [me["username"], me["displayName"]]
    leaked = [word for word in forbidden if word in answer]
    assert leaked == [], answer


TYPE_FIELDS = """
query($name: String!) { __type(name: $name) { fields { name
  type { name kind ofType { name kind ofType { name kind ofType { name kind } } } } } } }
"""


def named_type(type_ref: dict[str, Any]) -> str:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    name: str = type_ref["name"]
    return name


@pytest.mark.parametrize("type_name", ["PublicCaseStatus", "PublicMilestone"])
async def test_public_types_expose_no_staff_or_reporter(api: Api, type_name: str) -> None:
    """The public answer's shape cannot reach a User, Reporter or Case, whatever is added."""
    data = await api.ok(TYPE_FIELDS, {"name": type_name})
    reachable = {named_type(f["type"]) for f in data["__type"]["fields"]}
    assert reachable <= {"String", "Boolean", "DateTime", "CaseStatus", "CaseEventType"} | {
        "PublicMilestone"
    }, reachable


@pytest.mark.parametrize(
    ("steps", "status", "milestones", "summary", "can_evaluate"),
    [
        pytest.param([], "REGISTERED", ["REGISTERED"], None, False, id="registered"),
        pytest.param(
            [ACCEPT, COMMENT, SUPERVISE],
            "IN_PROGRESS",
            ["REGISTERED", "ACCEPTED"],
            None,
            False,
            id="in-progress-internal-steps-hidden",
        ),
        pytest.param(
            [ACCEPT, RESOLVE],
            "RESOLVED",
            ["REGISTERED", "ACCEPTED", "RESOLVED"],
            SUMMARY,
            True,
            id="resolved",
        ),
        pytest.param(
            [ACCEPT, RESOLVE, CLOSE],
            "CLOSED",
            ["REGISTERED", "ACCEPTED", "RESOLVED", "CLOSED"],
            SUMMARY,
            True,
            id="closed",
        ),
        pytest.param(
            [ACCEPT, RESOLVE, REOPEN],
            "IN_PROGRESS",
            ["REGISTERED", "ACCEPTED", "RESOLVED", "REOPENED"],
            None,
            False,
            id="reopened",
        ),
        pytest.param(
            [REDIRECT], "REDIRECTED", ["REGISTERED", "REDIRECTED"], None, False, id="redirected"
        ),
    ],
)
async def test_track_milestones_and_can_evaluate(
    api: Api,
    clock: Clock,
    steps: list[Step],
    status: str,
    milestones: list[str],
    summary: str | None,
    can_evaluate: bool,
) -> None:
    """Milestones show progress in order; evaluation opens only once the case is resolved."""
    started = clock.current
    submitted = await submitted_case(api, clock, steps)
    tracked = (await track(api, submitted["trackingCode"]))["data"]["trackCase"]
    assert tracked["status"] == status
    assert [m["type"] for m in tracked["milestones"]] == milestones
    times = [instant(m["at"]) for m in tracked["milestones"]]
    assert times == sorted(times)
    assert times[0] == started
    assert tracked["resolutionSummary"] == summary
    assert tracked["canEvaluate"] is can_evaluate


# Two kinds of miss differ by less than this share of the slower mean answer time.
TIMING_TOLERANCE = 0.20
TIMING_ROUNDS = 10


def trimmed_mean(values: list[float]) -> float:
    """The mean without the single fastest and slowest answer: on a shared, loaded machine one
    scheduling stall of a few hundred milliseconds would otherwise decide the comparison."""
    return statistics.fmean(sorted(values)[1:-1])


@pytest.mark.parametrize(
    "settings",
    [pytest.param({"track_misses_per_15min": 1000, "track_per_minute": 1000}, id="no-lockout")],
    indirect=True,
)
async def test_track_timing_does_not_reveal_existing_codes(api: Api, settings: Settings) -> None:
    """A wrong phone for an existing code must take as long as a code that does not exist,
    or response times would tell a guesser which codes are real.

    Robustness: both answers are held to the track_min_seconds floor (0.2 s), so each should
    take the floor plus a few milliseconds of in-process overhead. A leak (skipping the floor
    on one path, or doing the lookup work on one path only) shows as tens of percent, while
    20 % of 0.2 s = 40 ms absorbs ordinary noise. The small sample is interleaved in ABBA
    order so drift and slow moments hit both kinds alike, one warm-up of each is discarded
    (pool connections, caches), and the extremes are trimmed (see trimmed_mean). The
    lockout is lifted for this test only, so every miss is really looked up.
    """
    submitted = await submit(api, await unit_id(api, VILLAGE))
    existing = submitted["trackingCode"]
    probes = {"wrong-phone": (existing, "0000"), "unknown-code": (UNKNOWN_CODE, LAST4)}
    durations: dict[str, list[float]] = {kind: [] for kind in probes}
    for round_ in range(TIMING_ROUNDS + 1):
        order = list(probes) if round_ % 2 == 0 else list(reversed(probes))
        for kind in order:
            code, last4 = probes[kind]
            started = time.perf_counter()
            body = await track(api, code, last4)
            elapsed = time.perf_counter() - started
            assert body == {"data": {"trackCase": None}}, body
            if round_ > 0:
                durations[kind].append(elapsed)
    means = {kind: trimmed_mean(values) for kind, values in durations.items()}
    print(f"trackCase trimmed mean answer times over {TIMING_ROUNDS} rounds: {means}")
    floor = settings.track_min_seconds
    # The floor holds for every single answer, not only on average: the server waits for it.
    assert all(min(values) >= floor for values in durations.values()), durations
    slower, faster = max(means.values()), min(means.values())
    assert (slower - faster) / slower < TIMING_TOLERANCE, durations

    # A hit is held to the same floor (it has more to load, and must not be faster).
    started = time.perf_counter()
    hit = await track(api, existing)
    assert hit["data"]["trackCase"] is not None
    assert time.perf_counter() - started >= floor


# --- evaluateByTracking --------------------------------------------------------------------


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([ACCEPT, RESOLVE], id="resolved"),
        pytest.param([ACCEPT, RESOLVE, CLOSE], id="closed"),
    ],
)
async def test_evaluate_once_after_resolution(api: Api, clock: Clock, steps: list[Step]) -> None:
    """The reporter evaluates once; a wrong phone evaluates nothing; a second try is refused."""
    submitted = await submitted_case(api, clock, steps)
    code = submitted["trackingCode"]

    assert await evaluate(api, code, "0000", "DISSATISFIED") == {
        "data": {"evaluateByTracking": False}
    }
    assert (await staff_view(api, submitted["number"]))["evaluation"] is None

    assert await evaluate(api, code) == {"data": {"evaluateByTracking": True}}
    case = await staff_view(api, submitted["number"])
    assert case["evaluation"] == {"satisfaction": "SATISFIED", "comment": "处理及时"}
    last = case["events"]["edges"][-1]["node"]
    assert (last["type"], last["actor"], last["note"]) == ("EVALUATED", None, "处理及时")

    tracked = (await track(api, code))["data"]["trackCase"]
    assert tracked["milestones"][-1]["type"] == "EVALUATED"
    # canEvaluate is what a frontend draws the button from: it closes with the evaluation.
    assert tracked["canEvaluate"] is False

    again = await evaluate(api, code, satisfaction="DISSATISFIED")
    assert again["data"] is None
    assert [e["extensions"]["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]
    assert (await staff_view(api, submitted["number"]))["evaluation"]["satisfaction"] == (
        "SATISFIED"
    )


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([], id="registered"),
        pytest.param([ACCEPT], id="in-progress"),
        pytest.param([ACCEPT, RESOLVE, REOPEN], id="reopened"),
        pytest.param([REDIRECT], id="redirected"),
    ],
)
async def test_evaluate_before_resolution_is_invalid(
    api: Api, clock: Clock, steps: list[Step]
) -> None:
    submitted = await submitted_case(api, clock, steps)
    version = (await staff_view(api, submitted["number"]))["version"]
    error = await api.error(
        EVALUATE,
        {
            "input": {
                "trackingCode": submitted["trackingCode"],
                "phoneLast4": LAST4,
                "satisfaction": "SATISFIED",
            }
        },
    )
    assert error["extensions"]["code"] == "INVALID_TRANSITION"
    case = await staff_view(api, submitted["number"])
    assert case["evaluation"] is None
    assert case["version"] == version


async def test_concurrent_evaluations_count_once(api: Api, clock: Clock) -> None:
    """Two evaluations racing: exactly one is recorded, the other is refused."""
    submitted = await submitted_case(api, clock, [ACCEPT, RESOLVE])
    answers = await asyncio.gather(
        evaluate(api, submitted["trackingCode"], satisfaction="SATISFIED"),
        evaluate(api, submitted["trackingCode"], satisfaction="DISSATISFIED"),
    )
    outcomes = sorted(
        "ok"
        if a.get("data") and a["data"]["evaluateByTracking"]
        else a["errors"][0]["extensions"]["code"]
        for a in answers
    )
    assert outcomes == ["INVALID_TRANSITION", "ok"], answers
    events = (await staff_view(api, submitted["number"]))["events"]["edges"]
    assert [e["node"]["type"] for e in events].count("EVALUATED") == 1


# --- rate limits ---------------------------------------------------------------------------


def rate_limited(body: dict[str, Any], window_seconds: int) -> None:
    """The answer is one RATE_LIMITED error telling when to come back (within the window)."""
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body
    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "RATE_LIMITED", body
    assert 0 < extensions["retryAfterSeconds"] <= window_seconds, extensions


async def test_submit_rate_limit_per_address(
    api: Api, second_address: Api, clock: Clock, settings: Settings
) -> None:
    """The 6th request in ten minutes from one address is refused and creates nothing;
    another address is unaffected, and the next window allows the first again."""
    village = await unit_id(api, VILLAGE)
    before = await online_cases(api)
    for i in range(settings.submit_per_10min):
        await submit(api, village, title=f"诉求{i}")
    assert await online_cases(api) == before + settings.submit_per_10min

    refused = await api.raw(SUBMIT, {"input": request_input(village, title="第六件")})
    rate_limited(refused, 600)
    assert refused["data"] is None
    assert await online_cases(api) == before + settings.submit_per_10min

    await submit(second_address, village, title="另一地址")
    clock.current += timedelta(minutes=10)
    await submit(api, village, title="下一窗口")
    assert await online_cases(api) == before + settings.submit_per_10min + 2


async def test_concurrent_submits_respect_the_limit(api: Api, settings: Settings) -> None:
    """The counter is one atomic upsert, so a burst cannot slip past the limit."""
    village = await unit_id(api, VILLAGE)
    before = await online_cases(api)
    burst = settings.submit_per_10min + 3
    answers = await asyncio.gather(
        *(
            api.raw(SUBMIT, {"input": request_input(village, title=f"诉求{i}")})
            for i in range(burst)
        )
    )
    accepted = [a for a in answers if not a.get("errors")]
    for refused in (a for a in answers if a.get("errors")):
        rate_limited(refused, 600)
    assert len(accepted) == settings.submit_per_10min
    assert await online_cases(api) == before + settings.submit_per_10min


async def miss_by_wrong_phone(api: Api, code: str) -> None:
    assert await track(api, code, "0000") == {"data": {"trackCase": None}}


async def miss_by_unknown_code(api: Api, code: str) -> None:
    assert await track(api, UNKNOWN_CODE) == {"data": {"trackCase": None}}


async def miss_by_evaluation(api: Api, code: str) -> None:
    assert await evaluate(api, code, "0000") == {"data": {"evaluateByTracking": False}}


@pytest.mark.parametrize(
    "miss",
    [
        pytest.param(miss_by_wrong_phone, id="track-wrong-phone"),
        pytest.param(miss_by_unknown_code, id="track-unknown-code"),
        pytest.param(miss_by_evaluation, id="evaluate-wrong-phone"),
    ],
)
async def test_track_lockout_after_misses(
    api: Api, second_address: Api, clock: Clock, settings: Settings, miss: Any
) -> None:
    """After 5 misses an address is locked out of tracking for the window, even with the
    right code: otherwise a guesser could keep trying until a hit."""
    submitted = await submit(api, await unit_id(api, VILLAGE))
    code = submitted["trackingCode"]
    for _ in range(settings.track_misses_per_15min):
        await miss(api, code)

    rate_limited(await track(api, code), 900)
    rate_limited(await evaluate(api, code), 900)

    # The lockout is the address's, not the code's: the reporter elsewhere still gets in.
    elsewhere = await track(second_address, code)
    assert elsewhere["data"]["trackCase"]["number"] == submitted["number"]

    clock.current += timedelta(minutes=15)
    again = await track(api, code)
    assert again["data"]["trackCase"]["number"] == submitted["number"]


async def test_concurrent_misses_respect_the_lockout(api: Api, settings: Settings) -> None:
    """A burst of guesses in parallel must not get more than the allowed misses answered:
    each answered miss is one more guess at a tracking code."""
    burst = settings.track_misses_per_15min * 2
    answers = await asyncio.gather(
        *(api.raw(TRACK, {"c": f"{UNKNOWN_CODE}{i}", "p": LAST4}) for i in range(burst))
    )
    answered = [a for a in answers if not a.get("errors")]
    for refused in (a for a in answers if a.get("errors")):
        rate_limited(refused, 900)
    assert len(answered) <= settings.track_misses_per_15min, (
        f"{len(answered)} of {burst} parallel guesses were answered"
    )


@pytest.mark.parametrize(
    "settings", [pytest.param({"track_min_seconds": 0.0}, id="no-floor")], indirect=True
)
async def test_track_rate_limit_per_minute(
    api: Api, second_address: Api, clock: Clock, settings: Settings
) -> None:
    """Even hits are limited per address and minute (the floor is off only to keep this fast)."""
    submitted = await submit(api, await unit_id(api, VILLAGE))
    code = submitted["trackingCode"]
    for _ in range(settings.track_per_minute):
        assert (await track(api, code))["data"]["trackCase"] is not None
    rate_limited(await track(api, code), 60)

    assert (await track(second_address, code))["data"]["trackCase"] is not None
    clock.current += timedelta(minutes=1)
    assert (await track(api, code))["data"]["trackCase"] is not None


async def test_evaluate_rate_limit(api: Api, settings: Settings) -> None:
    """Evaluations are limited per address too; refusals by status still count."""
    submitted = await submit(api, await unit_id(api, VILLAGE))
    for _ in range(settings.evaluate_per_10min):
        body = await evaluate(api, submitted["trackingCode"])
        assert body["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION", body
    rate_limited(await evaluate(api, submitted["trackingCode"]), 600)
