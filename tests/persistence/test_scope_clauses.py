"""A scope's SQL predicates are built once and shared (persistence/scope.py): the same
scope gets the same clause, equal to one built afresh, and another scope its own."""

from sqlalchemy.dialects import postgresql

from yidi.authz.scope import CaseScope, Grant
from yidi.authz.vocabulary import RISKS, Relation
from yidi.persistence.scope import reach_clause, scope_clause


def sql(clause: object) -> str:
    compiled = clause.compile(  # type: ignore[attr-defined]
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def scope(unit_id: int, *grants: Grant) -> CaseScope:
    return CaseScope(county_id=7, unit_id=unit_id, at_root=False, grants=grants)


def test_a_scope_builds_its_clauses_once_and_they_say_what_a_fresh_build_says() -> None:
    grants = (Grant(Relation.SAME, tuple(RISKS)), Grant(Relation.ANCESTOR, (RISKS[0],)))
    first, again, other = scope(11, *grants), scope(11, *grants), scope(12, *grants)
    for build in (scope_clause, reach_clause):
        assert build(first) is build(again)  # equal scopes share the built clause
        assert sql(build(first)) == sql(build.__wrapped__(again))
        assert sql(build(first)) != sql(build(other))
        assert "11" in sql(build(first))
        assert "12" in sql(build(other))
