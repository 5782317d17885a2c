"""The closed vocabularies of joint work (联席会议) and community care (社会关爱)."""

from django.db import models

from shouwang.accounts.models import Unit

CIVIL_AFFAIRS = "civil_affairs"
# The units of a joint meeting: civil affairs (usually its office) and the member
# units of the accounts' catalogue.
UNIT_CHOICES = [(CIVIL_AFFAIRS, "民政"), *Unit.choices]
UNIT_LABELS = dict(UNIT_CHOICES)


class TaskState(models.TextChoices):
    OPEN = "open", "办理中"
    REPORTED = (
        "reported",
        "已报办结",
    )  # the unit says done; the office has not closed it
    CLOSED = "closed", "已办结"


class PairingKind(models.TextChoices):
    FAMILY = "亲情陪护", "亲情陪护"
    STUDY = "课业辅导", "课业辅导"
    PSYCHOLOGY = "心理辅导", "心理辅导"


class ActivityKind(models.TextChoices):
    TONGBAN = "童伴计划", "童伴计划"
    CHILDRENS_DAY = "六一关爱", "六一关爱"
    HOLIDAY = "假期关爱", "假期关爱"
    SAFETY = "安全教育", "安全教育"
    MENTAL = "心理健康", "心理健康"
    OTHER = "其他", "其他"


class PublicityKind(models.TextChoices):
    HANDBOOK = "宣传手册", "宣传手册"
    SIGNBOARD = "宣传标牌", "宣传标牌"
    LEAFLET = "宣传单", "宣传单"
    OTHER = "其他", "其他"


PUBLICITY_UNITS = {
    PublicityKind.HANDBOOK: "册",
    PublicityKind.SIGNBOARD: "块",
    PublicityKind.LEAFLET: "份",
    PublicityKind.OTHER: "件",
}
