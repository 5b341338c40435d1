"""Who is asking: the authenticated user with the position of their unit in the tree."""

from dataclasses import dataclass

from yidi.authz.vocabulary import Relation


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    county_id: int
    unit_id: int
    # Ancestor ids of the actor's unit, root first, ending with the unit itself.
    unit_path: tuple[int, ...]
    level: str  # COUNTY, TOWNSHIP, VILLAGE or DEPARTMENT (see vocabulary.actor_level)
    roles: frozenset[str]
    # Whether any unit lies below the actor's own: without one, there is nowhere to dispatch.
    has_subunits: bool = False


@dataclass(frozen=True)
class CaseFacts:
    """The case fields authorization reads; the ORM row provides them."""

    county_id: int
    handling_unit_id: int
    handling_path: tuple[int, ...]
    intake_unit_id: int
    involved_path: tuple[int, ...]
    risk_level: str


def relations(actor: Actor, case: CaseFacts) -> frozenset[Relation]:
    """Every relation the actor's unit has to the case; none across counties."""
    if case.county_id != actor.county_id:
        return frozenset()
    found: set[Relation] = set()
    unit = actor.unit_id
    if case.handling_unit_id == unit:
        found.add(Relation.SAME)
    elif unit in case.handling_path:
        found.add(Relation.ANCESTOR)
    if unit in case.involved_path:
        found.add(Relation.INVOLVED)
    if case.intake_unit_id == unit:
        found.add(Relation.INTAKE)
    return frozenset(found)
