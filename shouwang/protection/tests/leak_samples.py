"""Leak-walker samples: a case in each county, referred to the county's education unit
(the walker's department users), with an action and a break-the-glass grant. The
foreign case's words are leak markers."""

from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.protection import services
from shouwang.protection.vocab import Situation
from tests.factories import make_user


def seed(world):
    for side_name in ("home", "foreign"):
        side = getattr(world, side_name)
        police = make_user(
            Role.DEPARTMENT,
            side.county,
            unit=Unit.POLICE,
            username=f"leak_{side_name}_police",
            full_name=f"{side_name}公安民警",
        )
        case = services.report_file(
            actor=side.users[Role.DIRECTOR],
            values={
                "situation": Situation.LIVING_ALONE,
                "urgency": "urgent",
                "found_at": timezone.now(),
                "found_place": f"{side_name}案发地点标记",
                "observed": f"{side_name}案情标记",
                "child_name": f"{side_name}报告儿童",
                "child_description": "",
            },
        )
        services.case_police_decide(actor=police, case_id=case.pk, decision="accepted")
        referral = services.referral_send(
            actor=side.users[Role.CIVIL_AFFAIRS],
            case_id=case.pk,
            unit=Unit.EDUCATION,
            service="schooling",
            reason=f"{side_name}转介原因标记",
            timeframe=72,
        )
        services.referral_accept(
            actor=side.users[Role.DEPARTMENT], referral_id=referral.pk
        )
        action = services.action_record(
            actor=side.users[Role.CIVIL_AFFAIRS],
            case_id=case.pk,
            values={
                "kind": "rescue",
                "persons": 1,
                "occurred_on": timezone.localdate(),
            },
        )
        court = make_user(
            Role.DEPARTMENT,
            side.county,
            unit=Unit.COURT,
            username=f"leak_{side_name}_court",
            full_name=f"{side_name}法院法官",
        )
        glass = services.break_glass(
            actor=court, number=case.number, reason=f"{side_name}紧急查看理由"
        )
        world.records[f"{side_name}_case"] = case
        world.records[f"{side_name}_referral"] = referral
        world.records[f"{side_name}_case_action"] = action
        world.records[f"{side_name}_police"] = police
        # The county's people, beside the walker's one user per role.
        side.users["police"], side.users["court"] = police, court
        if side_name == "foreign":
            world.mark(
                police.username, police.full_name, court.username, court.full_name
            )
        world.records[f"{side_name}_glass"] = glass
    world.mark(
        "foreign案发地点标记",
        "foreign案情标记",
        "foreign报告儿童",
        "foreign转介原因标记",
        "foreign紧急查看理由",
        world.records["foreign_case"].number,
    )


def _case(world):
    return {"pk": world.records["foreign_case"].pk}


def _referral(world):
    return {"pk": world.records["foreign_referral"].pk}


def _glass(world):
    return {"pk": world.records["foreign_glass"].pk}


# url name → kwargs naming a foreign record, one dict per module (each owned by one
# author while R7 is built; merged below).
CASES_KWARGS = {  # views/cases.py
    "protection:report-receipt": _case,
    "protection:case-detail": _case,
    **{
        f"protection:case-{step}": _case
        for step in (
            "decide",
            "feedback",
            "assess",
            "refer",
            "action",
            "close",
            "reopen",
            "handlers",
            "sensitivity",
            "link-child",
        )
    },
    **{
        f"protection:referral-{step}": _referral
        for step in ("accept", "reject", "done", "revoke")
    },
}
OVERSIGHT_KWARGS = {"protection:glass-review": _glass}  # views/oversight.py
DOCUMENTS_KWARGS = {  # views/documents.py
    "protection:case-report-docx": _case,
    "protection:referral-letter": _referral,
}
API_KWARGS = {  # api.py
    **{
        f"api:protection-{name}": lambda w: {"case_id": w.records["foreign_case"].pk}
        for name in (
            "case-detail",
            "case-decide",
            "case-feedback",
            "case-assess",
            "referral-send",
            "action-record",
            "case-close",
            "case-reopen",
        )
    },
    **{
        f"api:protection-referral-{name}": lambda w: {
            "referral_id": w.records["foreign_referral"].pk
        }
        for name in ("accept", "reject", "done", "revoke")
    },
}

FOREIGN_KWARGS = {**CASES_KWARGS, **OVERSIGHT_KWARGS, **DOCUMENTS_KWARGS, **API_KWARGS}
