"""Open311's mapping rules (yidi/domain/open311.py), without a database: statuses, the
POST form, ids, keys, and what a reply may show."""

from datetime import UTC, datetime

import pytest

from yidi.domain import open311 as rules
from yidi.domain.enums import CaseStatus
from yidi.domain.errors import BadInput

FORM = {
    "service_code": "LIVELIHOOD.ROAD",
    "attribute[village]": "990100001001",
    "description": "东湖村三组路灯已坏一周\n夜间出行不便。",
    "phone": "13900001234",
}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(CaseStatus.REGISTERED, "open", id="registered"),
        pytest.param(CaseStatus.DISPATCHED, "open", id="dispatched"),
        pytest.param(CaseStatus.IN_PROGRESS, "open", id="in-progress"),
        pytest.param(CaseStatus.RESOLVED, "closed", id="resolved"),
        pytest.param(CaseStatus.CLOSED, "closed", id="closed"),
        pytest.param(CaseStatus.REDIRECTED, "closed", id="redirected"),
        pytest.param(CaseStatus.MERGED, "closed", id="merged"),
    ],
)
def test_every_status_maps_to_open_or_closed(status: CaseStatus, expected: str) -> None:
    assert rules.open311_status(status.value) == expected


def test_a_form_is_read_with_a_title_from_the_description_and_the_family_name_first() -> None:
    filed = rules.read_request({**FORM, "first_name": "芳", "last_name": "王"})
    assert filed.title == "东湖村三组路灯已坏一周"
    assert filed.description == FORM["description"]
    assert filed.village_code == "990100001001"
    assert filed.name == "王芳"
    assert filed.address is None


def test_a_long_first_line_is_shortened_for_the_title() -> None:
    title = rules.title_of("路" * 100)
    assert len(title) == rules.TITLE_CHARS
    assert title.endswith("…")


@pytest.mark.parametrize("missing", ["service_code", "attribute[village]", "description", "phone"])
def test_each_required_field_is_named_when_missing(missing: str) -> None:
    form = {k: v for k, v in FORM.items() if k != missing}
    with pytest.raises(BadInput) as refused:
        rules.read_request(form)
    assert refused.value.field == missing
    assert missing in refused.value.message


def test_coordinates_are_kept_beside_the_address() -> None:
    filed = rules.read_request({**FORM, "address_string": "三组", "lat": "30.5", "long": "114.3"})
    assert filed.address == "三组 (30.500000,114.300000)"
    only = rules.read_request({**FORM, "lat": "30.5", "long": "114.3"})
    assert only.address == "30.500000,114.300000"


@pytest.mark.parametrize(
    ("lat", "long"), [("north", "114"), ("95", "114"), ("30", "")], ids=["word", "range", "half"]
)
def test_bad_coordinates_are_refused(lat: str, long: str) -> None:
    with pytest.raises(BadInput) as refused:
        rules.read_request({**FORM, "lat": lat, "long": long})
    assert refused.value.field == "lat"


def test_registration_fields_are_renamed_to_what_the_client_sent() -> None:
    assert rules.form_field("reporter.phone", "reporter.phone is not a valid phone number.") == (
        "phone",
        "phone is not a valid phone number.",
    )
    assert rules.form_field("title", "title must be at most 200 characters.")[0] == "description"


def test_request_ids_are_required_and_bounded() -> None:
    assert rules.request_ids(" A , B,") == ["A", "B"]
    for bad in (None, "", " , "):
        with pytest.raises(BadInput):
            rules.request_ids(bad)
    with pytest.raises(BadInput):
        rules.request_ids(",".join(str(i) for i in range(rules.MAX_IDS + 1)))


def test_api_keys_are_random_and_only_their_hash_is_compared() -> None:
    first, second = rules.new_api_key(), rules.new_api_key()
    assert first != second
    assert first.startswith(rules.API_KEY_PREFIX)
    assert rules.hash_api_key(first) == rules.hash_api_key(f" {first} ")
    assert rules.hash_api_key(first) != rules.hash_api_key(second)
    assert first not in rules.hash_api_key(first)


def test_a_reply_shows_no_more_than_tracking_does() -> None:
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    view = rules.PublicView(
        tracking_code="ABCDEFGHJKMN",
        status="IN_PROGRESS",
        service_code="LIVELIHOOD.ROAD",
        service_name="道路",
        handling_unit_name="东湖村",
        registered_at=at,
        updated_at=at,
        due_at=None,
        resolution_summary=None,
        last_milestone="ACCEPTED",
    )
    entry = rules.request_entry(view, {"ACCEPTED": "签收"})
    assert entry["status"] == "open"
    assert entry["status_notes"] == "签收"
    assert entry["requested_datetime"] == "2026-11-26T10:00:00+08:00"
    withheld = ["description", "address", "address_id", "zipcode", "lat", "long", "media_url"]
    assert {k: entry[k] for k in withheld} == dict.fromkeys(withheld)


def test_a_service_is_described_by_its_group_and_time_limit() -> None:
    road = rules.service_entry(rules.Service("LIVELIHOOD.ROAD", "道路设施", "民生服务", 15))
    assert road["description"] == "民生服务 / 道路设施，办理时限 15 日"
    assert road["group"] == "民生服务"
    top = rules.service_entry(rules.Service("CONSULT", "政策咨询", "政策咨询", 5))
    assert top["description"] == "政策咨询，办理时限 5 日"
    assert top["keywords"] == "政策咨询, CONSULT"
