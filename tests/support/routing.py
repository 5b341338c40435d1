"""Responsibility lists, intake settings and dispatch suggestions through GraphQL
(docs/INTAKE.md), as a county admin and the dispatching staff use them."""

from typing import Any

from tests.support.driver import Api
from tests.support.lookups import category_id, unit_id

ADMIN = "county.admin"
RULE_FIELDS = "level responsible duty category { code } department { code }"
LIST = f"{{ responsibilityList {{ revision county {{ code }} rules {{ {RULE_FIELDS} }} }} }}"
REPLACE = f"""
mutation($rules: [ResponsibilityRuleInput!]!, $rev: Int) {{
  replaceResponsibilityList(rules: $rules, expectedRevision: $rev) {{
    revision rules {{ {RULE_FIELDS} }} }} }}
"""
SETTINGS = "intakeSettings { autoRoute repeatWindowDays repeatSimilarity county { code } }"
UPDATE_SETTINGS = """
mutation($auto: Boolean, $days: Int, $sim: Float) {
  updateIntakeSettings(autoRoute: $auto, repeatWindowDays: $days, repeatSimilarity: $sim) {
    autoRoute repeatWindowDays repeatSimilarity } }
"""
SUGGESTIONS = """
query($id: ID!) { case(id: $id) { dispatchSuggestions { unit { code } rule score } } }
"""


async def responsibility_list(api: Api, user: str = ADMIN) -> dict[str, Any]:
    found: dict[str, Any] = (await api.ok(LIST, user=user))["responsibilityList"]
    return found


async def rule_input(
    api: Api,
    category: str,
    level: str,
    responsible: str,
    duty: str,
    department: str | None = None,
) -> dict[str, Any]:
    """A ResponsibilityRuleInput naming the category and department by their codes."""
    value: dict[str, Any] = {
        "categoryId": await category_id(api, category, ADMIN),
        "level": level,
        "responsible": responsible,
        "duty": duty,
    }
    if department is not None:
        value["departmentId"] = await unit_id(api, department, ADMIN)
    return value


async def set_auto_route(api: Api, on: bool) -> None:
    await api.ok(UPDATE_SETTINGS, {"auto": on}, user=ADMIN)


async def suggestions(api: Api, case_id: str, user: str) -> list[tuple[str, float]]:
    """(unit code, score) of each suggestion, best first."""
    data = await api.ok(SUGGESTIONS, {"id": case_id}, user=user)
    return [(s["unit"]["code"], s["score"]) for s in data["case"]["dispatchSuggestions"]]
