"""Responsibility lists (责任清单): which unit answers for a kind of matter at each level.

A county writes down, per category (and its subtree) and per level of the unit holding a
case, who is responsible — a named department, or the township or village where the matter
arose — and whether the duty is the township's own (属地), a department's (条), or shared
between several units (条块协同). The list is data, validated whole like a policy; this
module is its pure part: the rule values, their validation and how a case matches them.
"""

from dataclasses import dataclass
from enum import StrEnum

from yidi.domain.errors import BadInput

MAX_RULES = 500
# A rule names the level of the unit that holds the case: where the dispatch is decided.
RULE_LEVELS = ("COUNTY", "TOWNSHIP", "VILLAGE")


class Responsible(StrEnum):
    """Who answers: a named department, or the area where the matter arose."""

    DEPARTMENT = "DEPARTMENT"
    LOCATION_TOWNSHIP = "LOCATION_TOWNSHIP"  # the township (or street) of the case's location
    LOCATION_VILLAGE = "LOCATION_VILLAGE"  # the village (or community) of the case's location


class Duty(StrEnum):
    TOWNSHIP_OWN = "TOWNSHIP_OWN"  # 属地: the township's own duty (it or its village)
    DEPARTMENT = "DEPARTMENT"  # 条: a department's duty
    SHARED = "SHARED"  # 条块协同: several units together; each is a suggestion


@dataclass(frozen=True)
class RuleInput:
    """A rule as an admin wrote it; ids already decoded, not yet checked."""

    category_id: int
    level: str
    responsible: Responsible
    department_id: int | None
    duty: Duty


@dataclass(frozen=True)
class Rule:
    """A checked rule; `position` is its place in the list (0 first)."""

    position: int
    category_id: int
    level: str
    responsible: Responsible
    department_id: int | None
    duty: Duty

    def describe(self, category_code: str, department_code: str | None) -> str:
        """How a suggestion names the rule that produced it."""
        target = {
            Responsible.DEPARTMENT: f"department {department_code}",
            Responsible.LOCATION_TOWNSHIP: "the township of the location",
            Responsible.LOCATION_VILLAGE: "the village of the location",
        }[self.responsible]
        return (
            f"rule {self.position + 1}: {category_code} at {self.level} -> {target} "
            f"({self.duty.value})"
        )


@dataclass(frozen=True)
class Known:
    """What rules may name: the county's categories and departments (by id)."""

    category_ids: frozenset[int]
    department_ids: frozenset[int]


def _target(rule: RuleInput) -> tuple[Responsible, int | None]:
    return rule.responsible, rule.department_id


def validate(rules: list[RuleInput], known: Known) -> list[Rule]:
    """Check every rule; the first failing one rejects the whole list, naming its field.

    A SHARED duty needs a partner: another SHARED rule for the same category and level
    naming another unit, or nobody would share it.
    """
    if len(rules) > MAX_RULES:
        raise BadInput("rules", f"A responsibility list may have at most {MAX_RULES} rules.")
    seen: dict[tuple[int, str, Responsible, int | None], int] = {}
    for i, rule in enumerate(rules):
        where = f"rules.{i}"
        if rule.category_id not in known.category_ids:
            raise BadInput(f"{where}.categoryId", f"Rule {i + 1}: no such category.")
        if rule.level not in RULE_LEVELS:
            raise BadInput(f"{where}.level", f"Rule {i + 1}: level must be an area level.")
        if rule.responsible is Responsible.DEPARTMENT:
            if rule.department_id is None or rule.department_id not in known.department_ids:
                raise BadInput(
                    f"{where}.departmentId", f"Rule {i + 1}: name a department of the county."
                )
        elif rule.department_id is not None:
            raise BadInput(
                f"{where}.departmentId",
                f"Rule {i + 1}: a department is named only when the department is responsible.",
            )
        if rule.duty is Duty.DEPARTMENT and rule.responsible is not Responsible.DEPARTMENT:
            raise BadInput(f"{where}.duty", f"Rule {i + 1}: a department's duty names one.")
        if rule.duty is Duty.TOWNSHIP_OWN and rule.responsible is Responsible.DEPARTMENT:
            raise BadInput(
                f"{where}.duty",
                f"Rule {i + 1}: the township's own duty falls to the township or its village.",
            )
        key = (rule.category_id, rule.level, *_target(rule))
        if key in seen:
            raise BadInput(where, f"Rule {i + 1} repeats rule {seen[key] + 1}.")
        seen[key] = i
    for i, rule in enumerate(rules):
        if rule.duty is Duty.SHARED and not any(
            other.duty is Duty.SHARED
            and other.category_id == rule.category_id
            and other.level == rule.level
            and _target(other) != _target(rule)
            for other in rules
        ):
            raise BadInput(
                f"rules.{i}.duty",
                f"Rule {i + 1}: a shared duty needs another SHARED rule for the same category "
                "and level.",
            )
    return [
        Rule(i, r.category_id, r.level, r.responsible, r.department_id, r.duty)
        for i, r in enumerate(rules)
    ]


@dataclass(frozen=True)
class Match:
    rule: Rule
    # How far up the case's category tree the rule's category lies (0: the category itself).
    distance: int

    @property
    def score(self) -> float:
        """1 for a rule on the case's own category, halving with each step up its tree:
        the most specific rule ranks first."""
        return 1.0 / float(2**self.distance)


def matching(rules: list[Rule], category_path: list[int], holding_level: str) -> list[Match]:
    """The rules that apply to a case in the category at `category_path` (root first,
    ending with the category) held by a unit of `holding_level`, best first (ties keep
    the list's order)."""
    depth = {category_id: i for i, category_id in enumerate(category_path)}
    found = [
        Match(rule, len(category_path) - 1 - depth[rule.category_id])
        for rule in rules
        if rule.level == holding_level and rule.category_id in depth
    ]
    return sorted(found, key=lambda m: (m.distance, m.rule.position))
