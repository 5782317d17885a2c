"""The closed vocabularies of department data exchange (部门数据共享)."""

from django.db import models

from shouwang.accounts.models import Unit


class ListKind(models.TextChoices):
    """The kinds of department list; the value is the command line's --kind."""

    PRISON = "prison", "服刑在押"
    REHAB = "rehab", "强制隔离戒毒"
    DEATH = "death", "死亡"
    MIGRATION = "migration", "户籍迁移"
    BIRTH = "birth", "出生登记"
    DISABILITY = "disability", "残疾证"
    SUBSISTENCE = "subsistence", "低保"
    EXTREME_POVERTY = "extreme_poverty", "特困供养"
    MONITORING = "monitoring", "防返贫监测"
    REGISTERED_POOR = "registered_poor", "建档立卡"
    HOUSING = "housing", "危房改造"
    HEALTH_RECORD = "health_record", "健康档案"
    VACCINATION = "vaccination", "预防接种"
    HUKOU = "hukou", "户口登记"
    ENROLMENT = "enrolment", "学籍"


# The lists whose matches may change a fact (alerts) and those that record a service
# (measures). The poverty lists do both: the family's 帮扶 is a fact the policy
# reads (生活困境) and a measure the bulletin counts (纳入帮扶).
POVERTY_KINDS = frozenset(
    {
        ListKind.SUBSISTENCE,
        ListKind.EXTREME_POVERTY,
        ListKind.MONITORING,
        ListKind.REGISTERED_POOR,
    }
)
MEASURE_KINDS = POVERTY_KINDS | {
    ListKind.HOUSING,
    ListKind.HEALTH_RECORD,
    ListKind.VACCINATION,
    ListKind.HUKOU,
}

# The member units that may send each kind; civil-affairs staff may send every kind
# on a unit's behalf.
KIND_UNITS: dict[str, frozenset[str]] = {
    ListKind.PRISON: frozenset({Unit.JUSTICE, Unit.POLICE}),
    ListKind.REHAB: frozenset({Unit.JUSTICE, Unit.POLICE}),
    ListKind.DEATH: frozenset({Unit.POLICE, Unit.HEALTH}),
    ListKind.MIGRATION: frozenset({Unit.POLICE}),
    ListKind.BIRTH: frozenset({Unit.POLICE, Unit.HEALTH}),
    ListKind.DISABILITY: frozenset({Unit.DISABLED_FEDERATION}),
    ListKind.SUBSISTENCE: frozenset(),
    ListKind.EXTREME_POVERTY: frozenset(),
    ListKind.MONITORING: frozenset({Unit.RURAL_REVITALIZATION}),
    ListKind.REGISTERED_POOR: frozenset({Unit.RURAL_REVITALIZATION}),
    ListKind.HOUSING: frozenset({Unit.HOUSING}),
    ListKind.HEALTH_RECORD: frozenset({Unit.HEALTH}),
    ListKind.VACCINATION: frozenset({Unit.HEALTH}),
    ListKind.HUKOU: frozenset({Unit.POLICE}),
    ListKind.ENROLMENT: frozenset({Unit.EDUCATION}),
}


class Person(models.TextChoices):
    """Whom a list row was matched to, as the ledger knows them."""

    CHILD = "child", "儿童本人"
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"
    GUARDIAN = "guardian", "实际监护人"


class AlertState(models.TextChoices):
    OPEN = "open", "待核实"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "未采纳"
