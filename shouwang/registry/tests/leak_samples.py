"""Foreign records for the leak-walker (tests/leakwalk.py): a child in the foreign county."""

from datetime import date

from shouwang.core.idnumber import make_id_number
from shouwang.registry.models import Child, ExitReview


def seed(world):
    """A child in each county; the foreign one's name and numbers are leak markers."""
    for side, name in ((world.home, "家园儿童"), (world.foreign, "泄露标记儿童")):
        born = date(2016, 5, 1)
        child = Child.objects.create(
            name=name,
            name_pinyin="x",
            name_initials="x",
            sex="男",
            birth_date=born,
            id_number=make_id_number(side.county.code[:6], born, 7, male=True),
            village=side.village,
            father_status="外出务工",
            father_work_place="广东省深圳市",
            mother_status="外出务工",
            mother_work_place="广东省东莞市",
            guardian_name=f"{name}的奶奶",
            guardian_relation="祖父母",
            is_left_behind=True,
            risk_level="中",
        )
        world.records[f"{'home' if side is world.home else 'foreign'}_child"] = child
    foreign = world.records["foreign_child"]
    world.mark(foreign.name, foreign.guardian_name, foreign.id_number)
    # An open aging-out item on each side: the worklist lists the home one only.
    for side in ("home", "foreign"):
        world.records[f"{side}_exit_review"] = ExitReview.objects.create(
            child=world.records[f"{side}_child"], reason="16", due_on=date(2032, 5, 1)
        )


def _foreign_child(world):
    return {"pk": world.records["foreign_child"].pk}


def _foreign_pair(world):
    return {
        "pk": world.records["foreign_child"].pk,
        "other": world.records["home_child"].pk,
    }


FOREIGN_KWARGS = {
    "registry:child-detail": _foreign_child,
    "registry:child-edit": _foreign_child,
    "registry:child-print": _foreign_child,
    "registry:child-reveal-ids": _foreign_child,
    "registry:child-exit": _foreign_child,
    "registry:child-readmit": _foreign_child,
    "registry:child-as-of": _foreign_child,
    "registry:child-merge": _foreign_pair,
    "registry:child-not-duplicate": _foreign_pair,
    "registry:exit-review-exit": lambda w: {"pk": w.records["foreign_exit_review"].pk},
    "registry:exit-review-keep": lambda w: {"pk": w.records["foreign_exit_review"].pk},
    "api:child-detail": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:child-history": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:child-update": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:child-exit": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:child-readmit": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:child-reveal-ids": lambda w: {"child_id": w.records["foreign_child"].pk},
}
