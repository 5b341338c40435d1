"""The responsibility list's pure rules (yidi/domain/responsibility.py): validation of a
whole list and how a case's category and holding level pick rules."""

import pytest

from yidi.domain.errors import BadInput
from yidi.domain.responsibility import Duty, Known, Responsible, RuleInput, matching, validate

ROOT, CHILD, LEAF, OTHER = 1, 2, 3, 4  # categories: ROOT > CHILD > LEAF; OTHER elsewhere
DEPT, DEPT2 = 10, 11
KNOWN = Known(frozenset({ROOT, CHILD, LEAF, OTHER}), frozenset({DEPT, DEPT2}))


def rule(
    category: int = ROOT,
    level: str = "COUNTY",
    responsible: Responsible = Responsible.LOCATION_TOWNSHIP,
    department: int | None = None,
    duty: Duty = Duty.TOWNSHIP_OWN,
) -> RuleInput:
    return RuleInput(category, level, responsible, department, duty)


def field_of(rules: list[RuleInput]) -> str:
    with pytest.raises(BadInput) as refused:
        validate(rules, KNOWN)
    return refused.value.field


def test_a_valid_list_keeps_its_order() -> None:
    checked = validate(
        [
            rule(),
            rule(CHILD, responsible=Responsible.DEPARTMENT, department=DEPT, duty=Duty.DEPARTMENT),
        ],
        KNOWN,
    )
    assert [r.position for r in checked] == [0, 1]


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([rule(), rule(category=99)], "rules.1.categoryId"),
        ([rule(level="DEPARTMENT")], "rules.0.level"),
        ([rule(responsible=Responsible.DEPARTMENT, duty=Duty.DEPARTMENT)], "rules.0.departmentId"),
        (
            [rule(responsible=Responsible.DEPARTMENT, department=99, duty=Duty.DEPARTMENT)],
            "rules.0.departmentId",
        ),
        ([rule(department=DEPT)], "rules.0.departmentId"),
        ([rule(duty=Duty.DEPARTMENT)], "rules.0.duty"),
        ([rule(responsible=Responsible.DEPARTMENT, department=DEPT)], "rules.0.duty"),
        ([rule(), rule()], "rules.1"),
        ([rule(duty=Duty.SHARED)], "rules.0.duty"),
        # A partner at another level or of another category shares nothing.
        (
            [
                rule(duty=Duty.SHARED),
                rule(CHILD, responsible=Responsible.LOCATION_VILLAGE, duty=Duty.SHARED),
            ],
            "rules.0.duty",
        ),
        ([rule()] * 501, "rules"),
    ],
)
def test_a_bad_rule_rejects_the_list_naming_its_field(rules: list[RuleInput], field: str) -> None:
    assert field_of(rules) == field


def test_a_shared_duty_with_a_partner_is_valid() -> None:
    shared = [
        rule(duty=Duty.SHARED),
        rule(responsible=Responsible.DEPARTMENT, department=DEPT, duty=Duty.SHARED),
    ]
    assert len(validate(shared, KNOWN)) == 2


def test_the_closest_category_ranks_first_and_levels_must_match() -> None:
    checked = validate(
        [
            rule(ROOT),
            rule(LEAF, responsible=Responsible.DEPARTMENT, department=DEPT, duty=Duty.DEPARTMENT),
            rule(CHILD, level="TOWNSHIP", responsible=Responsible.LOCATION_VILLAGE),
            rule(OTHER),
        ],
        KNOWN,
    )
    found = matching(checked, [ROOT, CHILD, LEAF], "COUNTY")
    assert [(m.rule.position, m.score) for m in found] == [(1, 1.0), (0, 0.25)]
    assert [m.rule.position for m in matching(checked, [ROOT, CHILD], "TOWNSHIP")] == [2]
    assert matching(checked, [ROOT, CHILD, LEAF], "VILLAGE") == []
