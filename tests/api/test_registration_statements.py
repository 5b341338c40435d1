"""A registration is two statements: the county's counters are taken by the last, which
inserts the case (written once, numbered) and commits by itself."""

from starlette.applications import Starlette

from tests.api.test_actor_cache import _actor_loads
from tests.api.test_query_count import recorded
from tests.api.test_registration_alone import registration
from tests.support.driver import Api

USER = "county.intake"
REGISTER = """mutation($input: RegisterCaseInput!) {
  registerCase(input: $input) { trackingCode case { id number } } }"""
# The units (location, intake unit and their ancestors) with the category, whether the
# county routes new cases automatically (docs/INTAKE.md) and the new case's id: one read;
# and the seal: number + position + NOTIFY, the event's hash and insert, the case's insert
# (with its number and chain head), one statement. No BEGIN, no COMMIT: it runs alone.
STATEMENTS = 2


async def test_a_registration_runs_few_statements(api: Api, app: Starlette) -> None:
    fields = await registration(api)
    await api.ok(REGISTER, {"input": fields}, user=USER)  # the county's policy is loaded
    with recorded(app) as statements:
        data = await api.ok(REGISTER, {"input": fields}, user=USER)
    assert data["registerCase"]["case"]["number"].startswith("990100-")
    # Who the caller is may have been read again (it is remembered for a second of real
    # time, and a shared test machine can take longer than that): not the registration's.
    own = [s for s in statements if s not in _actor_loads(statements)]
    assert len(own) == STATEMENTS, "\n\n".join(" ".join(s.split())[:200] for s in own)
    assert "INSERT INTO cases" in own[-1]
    assert not any(s.lstrip().startswith("UPDATE cases") or "UPDATE cases" in s for s in own)
