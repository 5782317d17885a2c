"""The closed vocabularies of dropout control (控辍保学), Chinese terms as labels."""

from django.db import models

# 适龄: compulsory-school age, 6 to 15 on the as-of date (a named interpretation that a
# province may change: settings.SCHOOL_AGE).
INTERPRET_SCHOOL_AGE = (6, 15)


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "在读", "在读"
    SUSPENDED = "休学", "休学"
    DROPPED = "辍学", "辍学"
    TRANSFERRED = "转出", "转出"
    GRADUATED = "毕业", "毕业"


class SuspectReason(models.TextChoices):
    NOT_LISTED = "未在学籍名单", "未在学籍名单"
    LIST_DROPPED = "学籍状态辍学", "学籍状态辍学"
    LIST_SUSPENDED = "学籍状态休学", "学籍状态休学"


class ClearReason(models.TextChoices):
    ELSEWHERE = "在外地就读", "在外地就读"
    DEFERRED = "因病缓学（已批准）", "因病缓学（已批准）"
    HOME_TEACHING = "送教上门", "送教上门"
    SPECIAL_SCHOOL = "在特殊教育学校就读", "在特殊教育学校就读"
    LIST_ERROR = "学籍名单有误", "学籍名单有误"
    OTHER = "其他", "其他"


class DropoutReason(models.TextChoices):
    LEARNING = "学习困难或厌学", "学习困难或厌学"
    POVERTY = "家庭经济困难", "家庭经济困难"
    WORK = "外出务工", "外出务工"
    EARLY_MARRIAGE = "早婚早育", "早婚早育"
    ILLNESS = "身心疾病或残疾", "身心疾病或残疾"
    MIGRATION = "随迁外出", "随迁外出"
    OTHER = "其他", "其他"


class ResponsibleRole(models.TextChoices):
    TOWNSHIP_CADRE = "乡镇干部", "乡镇干部"
    PRINCIPAL = "校长", "校长"
    TEACHER = "教师", "教师"
    VILLAGE_CADRE = "村干部", "村干部"


class PersuasionMethod(models.TextChoices):
    HOME_VISIT = "入户劝返", "入户劝返"
    PHONE = "电话劝返", "电话劝返"
    SCHOOL = "到校沟通", "到校沟通"
    OTHER = "其他方式", "其他方式"


class PersuasionResult(models.TextChoices):
    AGREED = "同意返校", "同意返校"
    CONSIDERING = "正在考虑", "正在考虑"
    REFUSED = "拒绝返校", "拒绝返校"
    UNREACHABLE = "未见到本人", "未见到本人"


class DropoutStatus(models.TextChoices):
    OPEN = "open", "劝返中"
    CLOSED = "closed", "已销号"


class DropoutOutcome(models.TextChoices):
    RETURNED = "返校复学", "返校复学"
    HOME_TEACHING = "送教上门", "送教上门"
    SPECIAL_EDUCATION = "转入特殊教育", "转入特殊教育"
    VOCATIONAL = "职业培训", "职业培训"
    OVER_AGE = "超出义务教育年龄", "超出义务教育年龄"
    OTHER = "其他", "其他"


class DropoutEventKind(models.TextChoices):
    REGISTERED = "registered", "登记辍学"
    RESPONSIBLE = "responsible", "明确包保责任人"
    PLAN = "plan", "制定劝返方案"
    PERSUASION = "persuasion", "劝返"
    CLOSED = "closed", "销号"
    REOPENED = "reopened", "重新开启"
