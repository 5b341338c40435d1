"""A county's policy through GraphQL, as its administrator reads and replaces it."""

from typing import Any

from tests.support.driver import Api

ADMIN = "county.admin"  # ADMIN of 青山县
RULE_FIELDS = "role level relation action risk"
POLICY = f"{{ countyPolicy {{ revision county {{ code }} rules {{ {RULE_FIELDS} }} }} }}"
REPLACE = f"""
mutation($rules: [PolicyRuleInput!]!, $rev: Int) {{
  replaceCountyPolicy(rules: $rules, expectedRevision: $rev) {{
    revision county {{ code }} rules {{ {RULE_FIELDS} }} }} }}
"""


async def county_policy(api: Api, user: str = ADMIN) -> tuple[int, list[dict[str, str]]]:
    """The revision and rules of `user`'s county."""
    policy = (await api.ok(POLICY, user=user))["countyPolicy"]
    return int(policy["revision"]), policy["rules"]


async def replace_county_policy(
    api: Api, rules: list[dict[str, str]], revision: int | None, user: str = ADMIN
) -> dict[str, Any]:
    """Replace the rules of `user`'s county, claiming `revision`; the new policy."""
    data = await api.ok(REPLACE, {"rules": rules, "rev": revision}, user=user)
    result: dict[str, Any] = data["replaceCountyPolicy"]
    return result
