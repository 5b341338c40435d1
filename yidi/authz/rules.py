"""Policy rules as values, and their validation (an invalid rule set is rejected whole)."""

from dataclasses import dataclass

from yidi.authz.vocabulary import ACTIONS, ACTOR_LEVELS, RELATIONS, RISKS, ROLES
from yidi.domain.errors import BadInput


@dataclass(frozen=True)
class Rule:
    role: str
    level: str
    relation: str
    action: str
    risk: str

    def as_tuple(self) -> list[str]:
        return [self.role, self.level, self.relation, self.action, self.risk]


def pattern_matches(value: str, pattern: str) -> bool:
    """A rule field: "*" matches anything, "A|B" matches A or B."""
    return pattern == "*" or value in pattern.split("|")


def _check_pattern(index: int, field: str, pattern: str, vocabulary: tuple[str, ...]) -> None:
    if pattern == "*":
        return
    words = pattern.split("|")
    unknown = [w for w in words if w not in vocabulary]
    if not words or unknown or len(set(words)) != len(words):
        raise BadInput(
            f"rules.{index}.{field}",
            f"Rule {index + 1}: {field} must be * or some of {', '.join(vocabulary)} "
            "separated by |.",
        )


def validate_rules(rules: list[Rule]) -> list[Rule]:
    """Check every rule; duplicates are dropped, anything unknown rejects the whole set.

    A county must keep at least one MANAGE_POLICY rule for ADMIN, or it could lock
    itself out of its own policy.
    """
    if len(rules) > 500:
        raise BadInput("rules", "A policy may have at most 500 rules.")
    for i, rule in enumerate(rules):
        if rule.role not in ROLES:
            raise BadInput(f"rules.{i}.role", f"Rule {i + 1}: unknown role {rule.role!r}.")
        if rule.action not in ACTIONS:
            raise BadInput(f"rules.{i}.action", f"Rule {i + 1}: unknown action {rule.action!r}.")
        _check_pattern(i, "level", rule.level, ACTOR_LEVELS)
        _check_pattern(i, "relation", rule.relation, RELATIONS)
        _check_pattern(i, "risk", rule.risk, RISKS)
    if not any(r.role == "ADMIN" and r.action == "MANAGE_POLICY" for r in rules):
        raise BadInput("rules", "The policy must keep a MANAGE_POLICY rule for ADMIN.")
    return list(dict.fromkeys(rules))
