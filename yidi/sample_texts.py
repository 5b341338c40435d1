"""The categories and matters the demo county and synthetic counties share: what residents
of a county raise, in Chinese as users see them (code, name, time limit in days)."""

CATEGORIES: list[tuple[str, str, int]] = [
    ("DISPUTE", "矛盾纠纷", 15),
    ("DISPUTE.NEIGHBOR", "邻里纠纷", 10),
    ("DISPUTE.FAMILY", "婚姻家庭纠纷", 15),
    ("DISPUTE.LAND", "土地权属纠纷", 30),
    ("DISPUTE.LABOR", "劳资纠纷", 15),
    ("LIVELIHOOD", "民生诉求", 15),
    ("LIVELIHOOD.ROAD", "道路设施", 15),
    ("LIVELIHOOD.WATER", "供水供电", 5),
    ("PETITION", "信访事项", 60),
    ("CONSULT", "政策咨询", 5),
]

CASE_TEMPLATES: dict[str, list[str]] = {
    "DISPUTE.NEIGHBOR": ["邻居加盖房屋遮挡采光", "楼上漏水引发邻里矛盾", "宅前空地堆放杂物起争执"],
    "DISPUTE.FAMILY": ["赡养老人费用分担纠纷", "离婚后子女抚养费争议"],
    "DISPUTE.LAND": ["承包地边界划分争议", "宅基地使用权纠纷"],
    "DISPUTE.LABOR": ["工地拖欠农民工工资", "工厂未签劳动合同被辞退"],
    "LIVELIHOOD.ROAD": ["村道路面塌陷需修复", "路灯损坏夜间出行不便"],
    "LIVELIHOOD.WATER": ["自来水水压不足", "台风后线路停电未恢复"],
    "PETITION": ["反映征地补偿标准问题", "反映低保评定不公"],
    "CONSULT": ["咨询医保缴费政策", "咨询养老保险转移手续"],
}
