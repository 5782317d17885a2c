"""The printed documents of a case, as Word files from the templates that
scripts/build_protection_templates.py builds (shouwang/protection/data/):

- the 强制报告登记表: the whole case, for those who see it whole (access.View.FULL);
  the reporter's identity only for those who may see it (access.sees_reporter);
- the 转介单: one referral, for those who see the whole case (the sender) and for the
  receiving unit while the referral is open; only the fields a referral needs (the
  child, guardian and contact, the situation, the referral) and never the reporter.

Every download is audited (AuditAction.CASE_DOCUMENT). A value the case lacks is
printed as a blank line to write on."""

import io
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone
from docxtpl import DocxTemplate, Listing

from shouwang.accounts.models import Role, Unit
from shouwang.areas.selectors import area_path
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import NotFound
from shouwang.registry.policy import age_on

from . import access
from .access import View
from .models import Case, Referral
from .services import CASE_NOT_FOUND, REFERRAL_NOT_FOUND, action_summary
from .vocab import REFERRAL_OPEN, Need

DATA = Path(__file__).resolve().parent / "data"
REPORT_FORM = DATA / "report_form.docx"
REFERRAL_LETTER = DATA / "referral_letter.docx"
BLANK = "＿＿＿＿＿＿＿＿"
WITHHELD = "（依法保密）"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# How a letter addresses each member unit of a county ("隆回县人民法院：").
ADDRESSEE = {
    Unit.EDUCATION: "教育部门",
    Unit.POLICE: "公安机关",
    Unit.COURT: "人民法院",
    Unit.PROCURATORATE: "人民检察院",
    Unit.HEALTH: "卫生健康部门",
    Unit.HOUSING: "住房城乡建设部门",
    Unit.RURAL_REVITALIZATION: "乡村振兴部门",
    Unit.WOMENS_FEDERATION: "妇联",
    Unit.YOUTH_LEAGUE: "共青团",
    Unit.DISABLED_FEDERATION: "残联",
    Unit.JUSTICE: "司法行政部门",
}


def _filled(value) -> str:
    text = str(value if value is not None else "").strip()
    return text or BLANK


def _long(value) -> Listing | str:
    """Text of several lines (the line breaks kept in Word)."""
    text = (value or "").strip()
    return Listing(text) if text else BLANK


def _at(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日 %H:%M}" if moment else BLANK


def _who(user) -> str:
    return user.display_name if user else BLANK


def _place(area) -> str:
    return "".join(a.name for a in area_path(area))


def child_context(case: Case, *, today: date) -> dict[str, str]:
    """The child as a referral may show it: name, sex, age, village, guardian, contact."""
    child = case.child
    if child is None:
        return {
            "name": _filled(case.child_name or "（未登记儿童）"),
            "sex": _filled(case.child_sex),
            "age": f"约{case.child_age}岁" if case.child_age is not None else BLANK,
            "ledger": "不在台账",
            "village": _place(case.area),
            "guardian": BLANK,
            "guardian_phone": BLANK,
            "description": _long(case.child_description),
        }
    relation = child.get_guardian_relation_display() if child.guardian_relation else ""
    guardian = (
        f"{child.guardian_name}（{relation}）" if relation else child.guardian_name
    )
    return {
        "name": child.name,
        "sex": _filled(child.get_sex_display()),
        "age": f"{age_on(child.birth_date, today)}岁",
        "ledger": "台账儿童",
        "village": _place(child.village),
        "guardian": _filled(guardian),
        "guardian_phone": _filled(child.guardian_phone),
        "description": _long(case.child_description),
    }


def _reporter(case: Case, shown: bool) -> dict[str, str]:
    if not shown:
        return {"name": WITHHELD, "unit": WITHHELD, "contact": WITHHELD}
    if case.anonymous:
        return {"name": "匿名", "unit": "匿名", "contact": "匿名"}
    return {
        "name": _filled(case.reporter_name),
        "unit": _filled(case.reporter_unit),
        "contact": _filled(case.reporter_contact),
    }


def report_form_context(case: Case, *, reporter_shown: bool, today: date) -> dict:
    """The 强制报告登记表's values for the case (the reporter withheld unless shown)."""
    referrals = [
        {
            "unit": r.get_unit_display(),
            "service": r.get_service_display(),
            "reason": r.reason,
            "respond_by": _at(r.respond_by),
            "status": r.get_status_display(),
        }
        for r in case.referrals.order_by("created_at", "id")
    ]
    actions = [
        {
            "on": f"{a.occurred_on:%Y年%m月%d日}",
            "actor": a.get_unit_display() if a.unit else a.get_actor_display(),
            "summary": action_summary(a),
        }
        for a in case.actions.order_by("occurred_on", "id")
    ]
    return {
        "number": case.number,
        "reported_at": _at(case.reported_at),
        "channel": case.get_channel_display(),
        "reporter": _reporter(case, reporter_shown),
        # Online, whoever entered the report is its reporter.
        "entered_by": _who(case.entered_by) if reporter_shown else WITHHELD,
        "situation": case.get_situation_display(),
        "urgency": case.get_urgency_display(),
        "sensitivity": case.get_sensitivity_display(),
        "found_at": _at(case.found_at),
        "area": _place(case.area),
        "found_place": _filled(case.found_place),
        "observed": _long(case.observed),
        "child": child_context(case, today=today),
        "police": {
            "decision": case.get_police_decision_display()
            if case.police_decision
            else "尚未受理",
            "at": _at(case.police_decided_at),
            "by": _who(case.police_decided_by),
            "due": _at(case.police_due_at) if case.police_due_at else "—",
            "reason": _filled(case.police_reason),
            "feedback": _filled(
                f"{case.feedback_note}（{_at(case.feedback_at)}）"
                if case.feedback_at
                else ""
            ),
        },
        "assessment": {
            "risk": case.get_risk_display() if case.risk else "尚未评估",
            "at": _at(case.assessed_at),
            "by": _who(case.assessed_by),
            "due": _at(case.assessment_due_at) if case.assessment_due_at else "—",
            "needs": _filled("、".join(Need(n).label for n in case.needs)),
            "plan": _long(case.safety_plan),
        },
        "referrals": referrals,
        "actions": actions,
        "status": case.get_status_display(),
        "closing": {
            "at": _at(case.closed_at),
            "outcome": case.get_outcome_display() if case.outcome else BLANK,
            "by": _who(case.closed_by),
            "note": _filled(case.outcome_note),
        },
    }


def referral_letter_context(referral: Referral, *, today: date) -> dict:
    """The 转介单's values: the child, the situation and the referral, no reporter."""
    case = referral.case
    ordinal = (
        case.referrals.filter(created_at__lte=referral.created_at)
        .exclude(created_at=referral.created_at, id__gt=referral.id)
        .count()
    )
    successful = {True: "办理成功", False: "未办理成功"}.get(referral.successful, "")
    return {
        "number": f"{case.number}-Z{ordinal:02d}",
        "to_unit": case.county.name
        + ADDRESSEE.get(referral.unit, referral.get_unit_display()),
        "case_number": case.number,
        "child": child_context(case, today=today),
        "situation": case.get_situation_display(),
        "urgency": case.get_urgency_display(),
        "service": referral.get_service_display(),
        "reason": _filled(referral.reason),
        "timeframe": referral.get_timeframe_display(),
        "respond_by": _at(referral.respond_by),
        "from_unit": f"{case.county.name}民政部门",
        "sent_by": _who(referral.sent_by),
        "sent_at": _at(referral.created_at),
        "status": referral.get_status_display(),
        "reply": {
            "responded_at": _at(referral.responded_at),
            "responded_by": _who(referral.responded_by),
            "reject_reason": _filled(referral.reject_reason),
            "done_at": _at(referral.done_at),
            "outcome": _filled(successful),
            "done_note": _filled(referral.done_note),
        },
    }


def _render(template: Path, context: dict) -> bytes:
    document = DocxTemplate(template)
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _generated(today: date) -> str:
    return f"由守望平台于{today:%Y年%m月%d日}生成，内容以系统记录为准。"


def report_form_render(*, actor, case: Case, on: date | None = None) -> bytes:
    """The case's 强制报告登记表 (.docx) for a viewer of the whole case; NotFound for
    everyone else; audited with whether the reporter was shown."""
    if access.view_of(actor, case) != View.FULL:
        raise NotFound(CASE_NOT_FOUND)
    shown = access.sees_reporter(actor, case)
    audit_record(
        actor=actor,
        action=AuditAction.CASE_DOCUMENT,
        obj=case,
        area_code=case.area_id,
        details={"document": "report_form", "number": case.number, "reporter": shown},
    )
    today = on or timezone.localdate()
    context = report_form_context(case, reporter_shown=shown, today=today)
    return _render(REPORT_FORM, {**context, "generated": _generated(today)})


def may_print_letter(user, referral: Referral) -> bool:
    """The sender's side (the whole case) or the receiving unit while it is open."""
    view = access.view_of(user, referral.case)
    if view == View.FULL:
        return True
    return (
        view == View.REFERRAL
        and user.role == Role.DEPARTMENT
        and user.unit == referral.unit
        and referral.status in REFERRAL_OPEN
    )


def referral_letter_render(
    *, actor, referral: Referral, on: date | None = None
) -> bytes:
    """The referral's 转介单 (.docx) for the sender's side or the receiving unit;
    NotFound for everyone else; audited."""
    if not may_print_letter(actor, referral):
        raise NotFound(REFERRAL_NOT_FOUND)
    case = referral.case
    audit_record(
        actor=actor,
        action=AuditAction.CASE_DOCUMENT,
        obj=referral,
        area_code=case.area_id,
        details={
            "document": "referral_letter",
            "number": case.number,
            "unit": referral.unit,
        },
    )
    today = on or timezone.localdate()
    context = referral_letter_context(referral, today=today)
    return _render(REFERRAL_LETTER, {**context, "generated": _generated(today)})


def report_form_filename(case: Case) -> str:
    return f"强制报告登记表_{case.number}.docx"


def referral_letter_filename(referral: Referral) -> str:
    return f"转介单_{referral.case.number}_{referral.get_unit_display()}.docx"
