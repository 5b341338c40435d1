"""The demo data as DESIGN.md ("Demo data") describes it: unit codes, the tree, the users.

Written from the design, not imported from `yidi.demo`: the tests check that the application
loads what the design promises, so they must not take the application's word for it.
"""

from dataclasses import dataclass

PASSWORD = "demo-password"

COUNTY = "990100"  # 青山县
TOWNSHIP = "990100001"  # 东湖镇
VILLAGE = "990100001001"  # 东湖村, under 东湖镇
XILING_VILLAGE = "990100002001"  # 西岭村, under 西岭镇 (another township than 东湖村's)
HOUSING = "990100901"  # 县住建局, a department under the county
LABOUR = "990100902"  # 县人社局, another county department
TOWNSHIP_OFFICE = "990100001901"  # 东湖镇司法所, a department under 东湖镇
OTHER_COUNTY = "990200"  # 白水县
OTHER_VILLAGE = "990200001001"  # 白水村, its only village

# Unit code -> parent code: three townships of three villages each, three county departments,
# one township department, and the second county's township and village.
PARENT: dict[str, str | None] = {
    COUNTY: None,
    **{f"990100{t:03d}": COUNTY for t in (1, 2, 3)},
    **{f"990100{t:03d}{v:03d}": f"990100{t:03d}" for t in (1, 2, 3) for v in (1, 2, 3)},
    **{f"990100{d}": COUNTY for d in (901, 902, 903)},
    TOWNSHIP_OFFICE: TOWNSHIP,
    OTHER_COUNTY: None,
    "990200001": OTHER_COUNTY,
    OTHER_VILLAGE: "990200001",
}


def lineage(code: str) -> list[str]:
    """The unit and every unit above it, up to its county."""
    chain: list[str] = []
    current: str | None = code
    while current is not None:
        chain.append(current)
        current = PARENT[current]
    return chain


@dataclass(frozen=True)
class DemoUser:
    unit: str
    roles: frozenset[str]
    # The level a policy rule names: a department is a level of its own ("in any department").
    level: str


def _user(unit: str, level: str, *roles: str) -> DemoUser:
    return DemoUser(unit, frozenset(roles), level)


USERS: dict[str, DemoUser] = {
    "county.leader": _user(COUNTY, "COUNTY", "LEADER"),
    "county.intake": _user(COUNTY, "COUNTY", "INTAKE"),
    "county.viewer": _user(COUNTY, "COUNTY", "VIEWER"),
    "county.admin": _user(COUNTY, "COUNTY", "ADMIN"),
    "t1.leader": _user(TOWNSHIP, "TOWNSHIP", "LEADER"),
    "t1.handler": _user(TOWNSHIP, "TOWNSHIP", "HANDLER"),
    "t2.leader": _user("990100002", "TOWNSHIP", "LEADER"),
    "v11.handler": _user(VILLAGE, "VILLAGE", "INTAKE", "HANDLER"),
    "v12.handler": _user("990100001002", "VILLAGE", "INTAKE", "HANDLER"),
    "v21.handler": _user("990100002001", "VILLAGE", "INTAKE", "HANDLER"),
    "dept.housing": _user(HOUSING, "DEPARTMENT", "HANDLER"),
    "t1.office": _user(TOWNSHIP_OFFICE, "DEPARTMENT", "HANDLER"),
    "other.leader": _user(OTHER_COUNTY, "COUNTY", "LEADER"),
}
LEADER = "county.leader"  # LEADER at the county: ANCESTOR of every unit of 青山县
V11 = "v11.handler"  # INTAKE and HANDLER at 东湖村
V21 = "v21.handler"  # INTAKE and HANDLER at 西岭村: neither village sees the other's cases
