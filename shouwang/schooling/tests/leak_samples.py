"""Leak-walker samples: a school registration list in each county; the foreign one's
file name and uploader are leak markers. The pages take no parameters (yet)."""

from datetime import date

from shouwang.schooling.models import EnrolmentList, EnrolmentRow


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


FOREIGN_KWARGS: dict = {}
