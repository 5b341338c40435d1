"""The Chinese words the dossier (民事办理书) prints for the API's enum values: the glossary
of docs/DESIGN.md. A value without a word here (one added later) prints as itself."""

from yidi.domain.mediation import KIND_LABEL, LINKAGE_LABEL, OUTCOME_LABEL

CHANNEL = {
    "VISIT": "来访",
    "HOTLINE": "热线",
    "HOTLINE_12345": "12345热线工单",
    "OPEN311": "Open311客户端",
    "LEDGER_IMPORT": "民声登记簿导入",
    "ONLINE": "网上",
    "WECHAT": "微信",
    "QR_CODE": "扫码",
    "GRID_PATROL": "网格巡查",
    "CADRE_VISIT": "干部走访",
    "LETTER": "来信",
    "EMAIL": "电子邮件",
    "REFERRAL": "转办",
    "OTHER": "其他",
}
STATUS = {
    "REGISTERED": "已登记",
    "DISPATCHED": "已交办",
    "IN_PROGRESS": "办理中",
    "RESOLVED": "已办结",
    "CLOSED": "已结案",
    "REDIRECTED": "不予受理并引导",
    "MERGED": "已合并",
}
RISK = {"BLUE": "蓝色", "YELLOW": "黄色", "ORANGE": "橙色", "RED": "红色"}
TRACK = {"SIMPLE": "简易", "STANDARD": "一般", "TASK_FORCE": "专班"}
OUTCOME = {
    "SOLVED": "已解决",
    "MEDIATED": "调解成功",
    "EXPLAINED": "解释说明",
    "PARTIALLY_SOLVED": "部分解决",
    "UNRESOLVABLE": "无法解决",
}
SATISFACTION = {"SATISFIED": "满意", "BASICALLY_SATISFIED": "基本满意", "DISSATISFIED": "不满意"}
FOLLOW_UP_METHOD = {"PHONE": "电话", "VISIT": "走访", "MEETING": "座谈", "MESSAGE": "短信"}
CLOSURE = {"SUBSTANTIVE": "实质性结案", "PROCEDURAL": "程序性结案"}
EXTENSION_STATUS = {
    "PENDING": "待审批",
    "APPROVED": "已批准",
    "REJECTED": "未批准",
    "LAPSED": "已失效",
}
PAUSE_REASON = {
    "COURT": "等待法院裁判",
    "APPRAISAL": "等待鉴定、评估",
    "OTHER_AUTHORITY": "等待其他机关处理",
    "OTHER": "其他",
}
MEDIATOR_ROLE = {
    "LAWYER": "律师",
    "RESPECTED_LOCAL": "乡贤",
    "PARTY_MEMBER": "党员",
    "PEOPLES_MEDIATOR": "人民调解员",
    "LEGAL_WORKER": "基层法律服务工作者",
    "OTHER": "其他",
}
MEDIATION_KIND = {k.value: v for k, v in KIND_LABEL.items()}
MEDIATION_LINKAGE = {k.value: v for k, v in LINKAGE_LABEL.items()}
MEDIATION_OUTCOME = {k.value: v for k, v in OUTCOME_LABEL.items()}
EVENT = {
    "REGISTERED": "受理登记",
    "ASSESSED": "研判",
    "DISPATCHED": "分流交办",
    "ACCEPTED": "签收",
    "RETURNED": "退回",
    "ESCALATED": "上报",
    "REASSIGNED": "改派",
    "SUPERVISED": "督办",
    "COMMENTED": "备注",
    "RESOLVED": "办结",
    "CLOSED": "结案",
    "REOPENED": "重新办理",
    "REDIRECTED": "不予受理并引导",
    "MERGED": "合并",
    "DUPLICATE_MERGED": "重复事项并入",
    "EVALUATED": "评价",
    "FOLLOWED_UP": "回访",
    "DUE_SOON": "临期提醒",
    "OVERDUE": "超期提醒",
    "OWNERSHIP_TAKEN": "领导包案",
    "OWNERSHIP_RELEASED": "解除包案",
    "MEDIATION_RECORDED": "调解",
    "EXTENSION_REQUESTED": "申请延期",
    "EXTENSION_DECIDED": "延期审批",
    "PAUSED": "中止",
    "RESUMED": "恢复办理",
    "EVIDENCE_ATTACHED": "上传证据材料",
    "SUMMONED": "吹哨",
    "REPORTED_IN": "报到",
    "CONTRIBUTED": "提交办理意见",
    "REPORT_IN_MISSED": "未按时报到",
    "REPEAT_MARKED": "认定重复信访",
}
SUMMONS_STATE = {
    "SUMMONED": "待报到",
    "MISSED": "逾期未报到",
    "REPORTED": "已报到",
    "CONTRIBUTED": "已提交意见",
}


def word(table: dict[str, str], value: str | None) -> str:
    if value is None:
        return ""
    return table.get(value, value)
