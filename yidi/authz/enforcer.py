"""Casbin enforcers, one per county, rebuilt when that county's policy revision changes."""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from importlib import resources

import casbin

from yidi.authz.rules import Rule, pattern_matches

MODEL_TEXT = resources.files("yidi.authz").joinpath("model.conf").read_text(encoding="utf-8")


class CountyEnforcer:
    """Asks Casbin one question: may (role, level, relation) do action on a case of risk?"""

    def __init__(self, rules: Iterable[Rule]) -> None:
        model = casbin.Enforcer.new_model(text=MODEL_TEXT)
        self._enforcer = casbin.Enforcer(model)
        self._enforcer.add_function("anyOf", pattern_matches)
        policies = [rule.as_tuple() for rule in rules]
        if policies:
            self._enforcer.add_policies(policies)
        self._memo: dict[tuple[str, str, str, str, str], bool] = {}
        self._granted: dict[
            tuple[frozenset[str], str, frozenset[str], str, tuple[str, ...]], frozenset[str]
        ] = {}
        self._any: dict[tuple[frozenset[str], str, frozenset[str], str, str], bool] = {}

    def allows(self, role: str, level: str, relation: str, action: str, risk: str) -> bool:
        # The question space is tiny (roles x levels x relations x actions x risks), so
        # each answer is computed by Casbin once and remembered for this policy revision.
        key = (role, level, relation, action, risk)
        answer = self._memo.get(key)
        if answer is None:
            answer = bool(self._enforcer.enforce(role, level, relation, action, risk))
            self._memo[key] = answer
        return answer

    def allows_any(
        self, roles: frozenset[str], level: str, relations: frozenset[str], action: str, risk: str
    ) -> bool:
        """Whether any of `roles` may do `action` through any of `relations`; remembered, as
        a page of cases asks it once per case (whose personal data may this reader see?)."""
        key = (roles, level, relations, action, risk)
        answer = self._any.get(key)
        if answer is None:
            answer = any(
                self.allows(role, level, rel, action, risk) for role in roles for rel in relations
            )
            self._any[key] = answer
        return answer

    def granted(
        self,
        roles: frozenset[str],
        level: str,
        relations: frozenset[str],
        risk: str,
        actions: tuple[str, ...],
    ) -> frozenset[str]:
        """The actions any of `roles` may do through any of `relations`; remembered, since a
        page of cases asks the same few questions over and over."""
        key = (roles, level, relations, risk, actions)
        answer = self._granted.get(key)
        if answer is None:
            answer = frozenset(
                action
                for action in actions
                if self.allows_any(roles, level, relations, action, risk)
            )
            self._granted[key] = answer
        return answer


RuleLoader = Callable[[int], Awaitable[tuple[int, list[Rule]]]]


@dataclass
class _Entry:
    revision: int
    enforcer: CountyEnforcer


class PolicyRegistry:
    """Per-process cache of county enforcers.

    `invalidate` is called by the policy watcher when another process (or this one)
    changes a county's rules; the next request reloads them from the database.
    """

    def __init__(self, load: RuleLoader) -> None:
        self._load = load
        self._entries: dict[int, _Entry] = {}

    async def enforcer(self, county_id: int) -> CountyEnforcer:
        entry = self._entries.get(county_id)
        if entry is None:
            revision, rules = await self._load(county_id)
            entry = _Entry(revision, CountyEnforcer(rules))
            self._entries[county_id] = entry
        return entry.enforcer

    def known_revisions(self) -> dict[int, int]:
        return {county: entry.revision for county, entry in self._entries.items()}

    def invalidate(self, county_id: int) -> None:
        self._entries.pop(county_id, None)
