"""For any set of filed requests in two counties and any probe, Open311 answers exactly the
requests whose id was given with the phone's last four digits (and of the jurisdiction, when
one is given): nothing else, by either path (docs/DECISIONS.md, "Open311 follows a request
by its tracking code and phone, and never lists")."""

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from tests.support.demo import COUNTY, OTHER_COUNTY, OTHER_VILLAGE, VILLAGE
from tests.support.deployment import demo_settings
from tests.support.driver import Api
from tests.support.open311 import SERVICE, Open311Client, issue_key, request_form
from yidi.config import Settings

PHONES = ("13900001234", "13800005678", "13700001234")  # the first and last share last4
COUNTIES = {COUNTY: VILLAGE, OTHER_COUNTY: OTHER_VILLAGE}
NEVER_ISSUED = ("ZZZZZZZZZZZZ", "23456789ABCD")


@dataclass(frozen=True)
class Filed:
    request_id: str
    county: str
    phone: str


@pytest.fixture
def settings() -> Settings:
    """No limit gets in the way of many probes from one address."""
    return demo_settings(
        submit_per_10min=10_000,
        track_per_minute=10_000,
        track_misses_per_15min=10_000,
        track_min_seconds=0.0,
    )


@pytest.fixture
async def clients(api: Api, app: Starlette) -> dict[str, Open311Client]:
    return {county: Open311Client(api.client, await issue_key(app, county)) for county in COUNTIES}


filings = st.lists(
    st.tuples(st.sampled_from(sorted(COUNTIES)), st.sampled_from(PHONES)), min_size=1, max_size=4
)
probes = st.tuples(
    st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=4),
    st.sampled_from([p[-4:] for p in PHONES] + ["0000"]),
    st.sampled_from([None, COUNTY, OTHER_COUNTY]),
)


@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filing=filings, probe=probes)
async def test_only_proven_requests_are_ever_answered(
    clients: dict[str, Open311Client],
    filing: list[tuple[str, str]],
    probe: tuple[list[int], str, str | None],
) -> None:
    filed = []
    for county, phone in filing:
        form = request_form(
            jurisdiction_id=county,
            service_code=SERVICE,
            phone=phone,
            **{"attribute[village]": COUNTIES[county]},
        )
        response = await clients[county].file(form)
        assert response.status_code == 200, response.text
        filed.append(Filed(response.json()[0]["service_request_id"], county, phone))
    pool = [f.request_id for f in filed] + list(NEVER_ISSUED)
    picks, last4, jurisdiction = probe
    asked = list(dict.fromkeys(pool[i % len(pool)] for i in picks))
    expected = [
        f.request_id
        for f in filed
        if f.request_id in asked and f.phone.endswith(last4) and jurisdiction in (None, f.county)
    ]
    client = clients[COUNTY]  # reading needs no key: any client may ask
    params = {"service_request_id": ",".join(asked), "phone_last4": last4}
    if jurisdiction is not None:
        params["jurisdiction_id"] = jurisdiction
    listed = await client.get("requests.json", **params)
    assert listed.status_code == 200, listed.text
    assert sorted(r["service_request_id"] for r in listed.json()) == sorted(expected)
    for request_id in asked:
        one = await client.one(
            request_id, last4, **({"jurisdiction_id": jurisdiction} if jurisdiction else {})
        )
        assert one.status_code == (200 if request_id in expected else 404), one.text
    answered = listed.text
    for f in filed:
        assert f.phone not in answered
