"""The closed vocabularies of protection work, with the Chinese terms as labels:
situations (高检发〔2020〕9号 art. 4 and the ledger's own), urgency, sensitivity,
the case and referral states, police decisions, and the actions each unit records."""

from django.db import models


class Situation(models.TextChoices):
    # 高检发〔2020〕9号 第四条 (1)–(9)
    GENITAL_INJURY = "genital_injury", "生殖器官或隐私部位遭受或疑似遭受非正常损伤"
    GIRL_UNDER_14 = (
        "girl_under_14",
        "不满十四周岁的女性遭受或疑似遭受性侵害、怀孕、流产",
    )
    GIRL_14_PLUS = "girl_14_plus", "十四周岁以上女性遭受或疑似遭受性侵害所致怀孕、流产"
    VIOLENCE = (
        "violence",
        "身体多处损伤、严重营养不良、意识不清，疑似受到家庭暴力、欺凌、虐待、殴打或被麻醉",
    )
    ABNORMAL_HARM = (
        "abnormal_harm",
        "因自杀、自残、工伤、中毒等非正常原因导致伤残、死亡",
    )
    ABANDONED = "abandoned", "被遗弃或长期处于无人照料状态"
    MISSING = "missing", "来源不明、失踪或被拐卖、收买"
    BEGGING = "begging", "被组织乞讨"
    OTHER_SERIOUS = (
        "other_serious",
        "其他严重侵害身心健康或正在面临不法侵害危险",
    )
    # The ledger's own key targets (国发〔2016〕13号)
    LIVING_ALONE = "living_alone", "独居、无人监护"
    GUARDIAN_FAILING = "guardian_failing", "监护人无监护能力或不履行监护职责"
    NO_HUKOU = "no_hukou", "无户籍"
    OUT_OF_SCHOOL = "out_of_school", "失学辍学"


# Sexual harm: highly sensitive by default, visible to the named handlers only.
SEXUAL_HARM = frozenset(
    {Situation.GENITAL_INJURY, Situation.GIRL_UNDER_14, Situation.GIRL_14_PLUS}
)
# Abuse, abandonment or neglect: an open case puts the child in 监护困境 (domain rule 4).
ABUSE_OR_NEGLECT = SEXUAL_HARM | {
    Situation.VIOLENCE,
    Situation.ABANDONED,
    Situation.LIVING_ALONE,
    Situation.GUARDIAN_FAILING,
}
# Situations that also go to the county's education unit at once.
SCHOOL_SITUATIONS = frozenset({Situation.OUT_OF_SCHOOL})


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "危急"


class Sensitivity(models.TextChoices):
    NORMAL = "normal", "一般"
    SENSITIVE = "sensitive", "敏感"
    HIGH = "high", "高度敏感"


class Channel(models.TextChoices):
    ONLINE = "online", "系统内报告"
    PHONE = "phone", "电话报告（代录）"


class CaseStatus(models.TextChoices):
    REPORTED = "reported", "待公安受理"
    ACCEPTED = "accepted", "公安已受理"
    ASSESSED = "assessed", "民政已评估"
    REFERRED = "referred", "转介处置中"
    CLOSED = "closed", "已结案"


class PoliceDecision(models.TextChoices):
    ACCEPTED = "accepted", "受案"
    FILED = "filed", "立案"
    NOT_FILED = "not_filed", "不予立案"


class Risk(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class Need(models.TextChoices):
    SAFETY = "safety", "人身安全保护"
    GUARDIANSHIP = "guardianship", "监护照料"
    MEDICAL = "medical", "医疗救治"
    PSYCHOLOGICAL = "psychological", "心理疏导"
    EDUCATION = "education", "就学保障"
    LIVING = "living", "基本生活"
    LEGAL = "legal", "法律援助"
    HUKOU = "hukou", "户籍登记"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "风险已消除"
    PLACED = "placed", "已妥善安置"
    TRANSFERRED = "transferred", "已移交司法程序"
    UNFOUNDED = "unfounded", "经核实不属实"
    OTHER = "other", "其他"


class ServiceType(models.TextChoices):
    SCHOOLING = "schooling", "就学保障与劝返复学"
    PSYCHOLOGICAL = "psychological", "心理疏导"
    MEDICAL = "medical", "医疗救治"
    LEGAL = "legal", "法律援助"
    HUKOU = "hukou", "户籍登记"
    FAMILY_EDUCATION = "family_education", "家庭教育指导"
    LIVING = "living", "生活帮扶"
    SAFETY = "safety", "安全保护"
    INVESTIGATION = "investigation", "调查取证"
    OTHER = "other", "其他服务"


class Timeframe(models.IntegerChoices):
    # Hours a unit has to answer a referral.
    DAY = 24, "24小时内"
    THREE_DAYS = 72, "3日内"
    WEEK = 168, "7日内"
    MONTH = 720, "30日内"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已拒绝"
    DONE = "done", "已办结"
    REVOKED = "revoked", "已撤回"


# While a referral is in one of these, its unit sees the case (domain.md).
REFERRAL_OPEN = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class ActionKind(models.TextChoices):
    # 民政
    RESCUE = "rescue", "救助流浪乞讨未成年人"
    TEMPORARY_GUARDIANSHIP = "temporary_guardianship", "临时监护"
    PLACEMENT = "placement", "安置"
    LONG_TERM_GUARDIANSHIP = "long_term_guardianship", "长期监护"
    REVOKE_PETITION = "revoke_petition", "申请撤销监护人资格"
    FAMILY_HELP = "family_help", "帮扶监护严重缺失家庭"
    # 公安
    HUKOU = "hukou", "为无户籍儿童登记户口"
    POLICE_CASE = "police_case", "立案侦查"
    # 检察院
    ARREST = "arrest", "审查逮捕"
    PROSECUTION = "prosecution", "审查起诉"
    RECOMMENDATION = "recommendation", "制发检察建议"
    # 法院
    COURT_ACCEPTED = "court_accepted", "法院受理案件"
    COURT_JUDGED = "court_judged", "法院审结案件"
    # 其他成员单位
    SERVICE = "service", "其他帮扶措施"


class Actor(models.TextChoices):
    """Who records an action: civil affairs or a member unit (accounts.Unit values)."""

    CIVIL_AFFAIRS = "civil_affairs", "民政"
    POLICE = "police", "公安"
    PROCURATORATE = "procuratorate", "检察院"
    COURT = "court", "法院"
    OTHER = "other", "其他成员单位"


ACTION_ACTOR = {
    ActionKind.RESCUE: Actor.CIVIL_AFFAIRS,
    ActionKind.TEMPORARY_GUARDIANSHIP: Actor.CIVIL_AFFAIRS,
    ActionKind.PLACEMENT: Actor.CIVIL_AFFAIRS,
    ActionKind.LONG_TERM_GUARDIANSHIP: Actor.CIVIL_AFFAIRS,
    ActionKind.REVOKE_PETITION: Actor.CIVIL_AFFAIRS,
    ActionKind.FAMILY_HELP: Actor.CIVIL_AFFAIRS,
    ActionKind.HUKOU: Actor.POLICE,
    ActionKind.POLICE_CASE: Actor.POLICE,
    ActionKind.ARREST: Actor.PROCURATORATE,
    ActionKind.PROSECUTION: Actor.PROCURATORATE,
    ActionKind.RECOMMENDATION: Actor.PROCURATORATE,
    ActionKind.COURT_ACCEPTED: Actor.COURT,
    ActionKind.COURT_JUDGED: Actor.COURT,
    ActionKind.SERVICE: Actor.OTHER,
}


class GuardianshipGround(models.TextChoices):
    # 未成年人保护法 第九十二条
    UNKNOWN_PARENTS = "unknown_parents", "查找不到未成年人的父母或者其他监护人"
    GUARDIAN_MISSING = "guardian_missing", "监护人下落不明且无其他人可以担任监护人"
    GUARDIAN_UNABLE = (
        "guardian_unable",
        "监护人因自身客观原因或突发事件不能履行监护职责",
    )
    GUARDIAN_REFUSES = (
        "guardian_refuses",
        "监护人拒绝或怠于履行监护职责，导致处于无人照料状态",
    )
    GUARDIAN_DETAINED = "guardian_detained", "监护人教唆、利用未成年人实施违法犯罪行为"
    HARMED = "harmed", "遭受监护人严重伤害或面临人身安全威胁"
    REVOKED = "revoked", "监护人资格被撤销"
    OTHER = "other", "法律规定的其他情形"


class Placement(models.TextChoices):
    # 未成年人保护法 第九十三条
    RELATIVES = "relatives", "委托亲属抚养"
    FOSTER = "foster", "家庭寄养"
    PROTECTION_INSTITUTION = "protection_institution", "未成年人救助保护机构抚养"
    WELFARE_INSTITUTION = "welfare_institution", "儿童福利机构抚养"


# Placements the bulletin counts as "placed in an institution".
INSTITUTIONAL = frozenset(
    {Placement.PROTECTION_INSTITUTION, Placement.WELFARE_INSTITUTION}
)


class Charge(models.TextChoices):
    TRAFFICKING = "trafficking", "拐卖儿童罪"
    ABUSE = "abuse", "虐待儿童罪"
    INDECENCY = "indecency", "猥亵儿童罪"
    ABANDONMENT = "abandonment", "遗弃罪"
    OTHER = "other", "其他"


class Sentence(models.TextChoices):
    DEATH = "death", "死刑"
    LIFE = "life", "无期徒刑"
    FIXED_TERM = "fixed_term", "有期徒刑"
    DETENTION = "detention", "拘役"
    SURVEILLANCE = "surveillance", "管制"
    FINE_ONLY = "fine_only", "单处罚金"
    EXEMPT = "exempt", "免予刑事处罚"
    ACQUITTED = "acquitted", "无罪"


class CaseEventKind(models.TextChoices):
    REPORTED = "reported", "报告"
    POLICE_DECIDED = "police_decided", "公安受理"
    FEEDBACK = "feedback", "向报告单位反馈"
    ASSESSED = "assessed", "民政评估"
    REFERRED = "referred", "转介"
    REFERRAL_ACCEPTED = "referral_accepted", "接收转介"
    REFERRAL_REJECTED = "referral_rejected", "拒绝转介"
    REFERRAL_DONE = "referral_done", "转介办结"
    REFERRAL_REVOKED = "referral_revoked", "撤回转介"
    ACTION = "action", "处置措施"
    HANDLERS = "handlers", "调整经办人"
    SENSITIVITY = "sensitivity", "调整敏感级别"
    CHILD_LINKED = "child_linked", "关联台账儿童"
    ESCALATED = "escalated", "逾期督办"
    CLOSED = "closed", "结案"
    REOPENED = "reopened", "重新开启"
