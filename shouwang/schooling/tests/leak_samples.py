"""Leak-walker samples: a school registration list and a dropout case in each county;
the foreign list's file name and the foreign case's school are leak markers."""

from datetime import date

from shouwang.schooling.models import DropoutCase, EnrolmentList, EnrolmentRow


def seed(world):
    for side in ("home", "foreign"):
        county = getattr(world, side).county
        uploader = getattr(world, side).users["department"]
        enrolment = EnrolmentList.objects.create(
            area=county,
            listed_on=date(2026, 9, 1),
            original_name=f"{side}学籍名单标记.xlsx",
            row_count=1,
            uploaded_by=uploader,
        )
        EnrolmentRow.objects.create(
            enrolment_list=enrolment,
            row_number=2,
            name=f"{side}学生标记",
            id_number="430524201503080011",
            school=f"{side}学校标记",
            status="在读",
        )
        world.records[f"{side}_enrolment_list"] = enrolment
    world.mark("foreign学籍名单标记.xlsx")
    for side in ("home", "foreign"):
        child = world.records[f"{side}_child"]  # registry's sample child
        world.records[f"{side}_dropout"] = DropoutCase.objects.create(
            child=child,
            village_id=child.village_id,
            school=f"{side}辍学学校标记",
            left_on=date(2026, 9, 10),
            reason="其他",
            plan=f"{side}劝返方案标记",
        )
    world.mark("foreign辍学学校标记", "foreign劝返方案标记")


def _foreign_child(world):
    return {"child_id": world.records["foreign_child"].pk}


def _foreign_dropout(world):
    return {"pk": world.records["foreign_dropout"].pk}


FOREIGN_KWARGS: dict = {
    "schooling:dropout-clear": _foreign_child,
    "schooling:dropout-register": _foreign_child,
    "schooling:dropout-detail": _foreign_dropout,
    "schooling:dropout-plan": _foreign_dropout,
    "schooling:dropout-persuasion": _foreign_dropout,
    "schooling:dropout-close": _foreign_dropout,
    "schooling:dropout-reopen": _foreign_dropout,
}
