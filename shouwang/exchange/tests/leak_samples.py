"""Leak-walker samples: a department list, an alert and a measure in each county (the
foreign list's source and the foreign alert's text are leak markers), merged with
the samples of the API tokens (leak_tokens) and the outgoing lists (leak_outgoing)."""

import importlib
from datetime import timedelta

from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.exchange.models import Alert, DepartmentList, Measure
from shouwang.exchange.vocab import ListKind, Person

_PARTS = ("leak_tokens", "leak_outgoing")


def _parts():
    for name in _PARTS:
        try:
            yield importlib.import_module(f"shouwang.exchange.tests.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"shouwang.exchange.tests.{name}":
                raise


def seed(world):
    today = timezone.localdate()
    for side in ("home", "foreign"):
        where = getattr(world, side)
        child = world.records[f"{side}_child"]  # registry's sample child
        sent = DepartmentList.objects.create(
            kind=ListKind.PRISON,
            area=where.county,
            unit=Unit.JUSTICE,
            source=f"{side}名单来源标记",
            listed_on=today,
            uploaded_by=where.users[Role.CIVIL_AFFAIRS],
            original_name=f"{side}部门名单标记.xlsx",
            sha256=f"{side:0<64}"[:64],
            row_count=1,
            matched=1,
            alert_count=1,
            measure_count=1,
        )
        world.records[f"{side}_exchange_list"] = sent
        world.records[f"{side}_alert"] = Alert.objects.create(
            department_list=sent,
            row_number=2,
            child=child,
            village_id=child.village_id,
            person=Person.FATHER,
            person_name=f"{side}比对父亲标记",
            field="father_status",
            current="外出务工",
            proposed="服刑在押",
            says=f"{side}比对提示标记：父亲在服刑在押名单中",
            consequence=f"{side}比对影响标记",
            due_on=today - timedelta(days=1),
        )
        world.records[f"{side}_measure"] = Measure.objects.create(
            kind=ListKind.HEALTH_RECORD,
            department_list=sent,
            unit=Unit.HEALTH,
            child=child,
            village_id=child.village_id,
            on=today,
            key=f"{side}-measure-{child.pk}",
        )
    world.mark(
        "foreign名单来源标记",
        "foreign部门名单标记.xlsx",
        "foreign比对父亲标记",
        "foreign比对提示标记",
        "foreign比对影响标记",
    )
    for part in _parts():
        part.seed(world)


def _foreign_list(world):
    return {"pk": world.records["foreign_exchange_list"].pk}


def _foreign_alert(world):
    return {"pk": world.records["foreign_alert"].pk}


FOREIGN_KWARGS: dict = {
    "exchange:list-detail": _foreign_list,
    "exchange:alert": _foreign_alert,
    "exchange:alert-accept": _foreign_alert,
    "exchange:alert-reject": _foreign_alert,
}
for _part in _parts():
    FOREIGN_KWARGS.update(_part.FOREIGN_KWARGS)
