"""The case pages: report a child at risk (phone-first) and its receipt, the inbox,
the case list, one case as the viewer may see it, and one POST endpoint per step.

Views parse, authorize (protection.access; a case the viewer cannot see answers 404
like a missing one), call one service and render. A refused step shows the case page
again with the messages on that step's form, everything typed kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts.access import Perm, has_perm, require
from shouwang.accounts.models import Role, Unit
from shouwang.areas.models import AreaLevel
from shouwang.areas.selectors import area_list_for
from shouwang.audit.refusals import not_found
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.core.idnumber import mask_id_number
from shouwang.core.paging import page_of
from shouwang.registry.selectors import (
    age_of,
    child_list_for,
    child_search,
    searched_id_number,
)
from shouwang.registry.services import child_id_search_record
from shouwang.web.refusals import add_refusal

from .. import access, selectors, services
from ..access import Do, View
from ..forms import (
    AcceptForm,
    ActionForm,
    AssessForm,
    CaseFilterForm,
    CloseForm,
    DecideForm,
    DoneForm,
    FeedbackForm,
    HandlersForm,
    LinkChildForm,
    ReferForm,
    RejectForm,
    ReopenForm,
    ReportForm,
    RevokeForm,
    SensitivityForm,
    StepForm,
)
from ..models import Case, Referral
from ..services import DENIED, InvalidInput
from ..vocab import SCHOOL_SITUATIONS, Need, ReferralStatus

PAGE_SIZE = 20
INBOX_SHOWN = 30  # rows of each inbox section (a phone screenful or two); the case list has the rest
CHILD_PICKS = 10  # ledger children offered for one search
WHEN = "%Y-%m-%d %H:%M"


def _casework(user) -> None:
    """Case pages are for those who report or handle cases (not leaders, not the
    system administrator)."""
    if not (has_perm(user, Perm.REPORT_CASES) or has_perm(user, Perm.HANDLE_CASES)):
        raise PermissionDenied(DENIED)


def _case_or_404(user, pk: int) -> Case:
    try:
        return selectors.case_get_for(user, pk=pk)
    except NotFound as error:
        raise not_found(viewer=user, model=Case, pk=pk, message=error.message) from None


def _referral_or_404(user, pk: int) -> Referral:
    try:
        return selectors.referral_get_for(user, pk=pk)
    except NotFound as error:
        raise not_found(
            viewer=user, model=Referral, pk=pk, message=error.message
        ) from None


def _at(value) -> str:
    return timezone.localtime(value).strftime(WHEN) if value else ""


# Report -----------------------------------------------------------------------------


def _area_choices(user) -> list[tuple[str, str]]:
    """The county, townships and villages a reporter may name as where the child was
    found (a full stop in front of a village: it sits under the township above)."""
    areas = (
        area_list_for(viewer=user)
        .filter(level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
        .order_by("code")
        .only("code", "name", "level")[:2000]
    )
    indent = {AreaLevel.COUNTY: "", AreaLevel.TOWNSHIP: "　", AreaLevel.VILLAGE: "　　"}
    return [(a.code, indent[a.level] + a.name) for a in areas]


def _picked(user, child_id) -> list:
    """The ledger child chosen on a form shown again (as the search offered it)."""
    try:
        pk = int(child_id or 0)
    except (TypeError, ValueError):
        return []
    if not pk:
        return []
    children = list(
        child_list_for(viewer=user)
        .select_related("village", "village__parent")
        .filter(pk=pk)
    )
    return _with_ages(children)


def _with_ages(children: list) -> list:
    today = timezone.localdate()
    for child in children:
        child.age = age_of(child, today)
        child.masked_id = mask_id_number(child.id_number)
    return children


def report(request: HttpRequest) -> HttpResponse:
    """File a mandatory report (phone-first); refused values come back by field with
    everything typed kept."""
    user = request.user
    _casework(user)
    if not access.can(user, Do.REPORT):
        raise PermissionDenied("您的账号没有所属区划，不能提交强制报告。")
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        user=user,
        area_choices=_area_choices(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.report_file(actor=user, values=form.service_values())
        except InvalidInput as error:
            form.add_problems(error.problems)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if access.view_of(user, case) is None:
                # A highly sensitive report entered by someone who is not its handler.
                messages.success(
                    request,
                    f"报告已提交，受理编号 {case.number}。县公安机关和民政部门已收到。",
                )
                return redirect("protection:report")
            return redirect("protection:report-receipt", pk=case.pk)
    can_pick = has_perm(user, Perm.VIEW_CHILDREN)
    picked = _picked(user, form["child_id"].value()) if form.is_bound else []
    return render(
        request,
        "protection/report_form.html",
        {
            "form": form,
            "can_pick": can_pick,
            "picked": picked,
            "chosen_id": picked[0].pk if picked else None,
        },
    )


def report_children(request: HttpRequest) -> HttpResponse:
    """Ledger children matching a name, pinyin or the last digits of an ID number, to
    pick on the report form (HTMX); a full ID number searched is audited."""
    user = request.user
    require(user, Perm.VIEW_CHILDREN)
    q = (request.GET.get("child_q") or "").strip()[:50]
    children: list = []
    more = False
    if q:
        found = child_search(child_list_for(viewer=user), q)
        if number := searched_id_number(q):
            child_id_search_record(actor=user, id_number=number, found=found.count())
        found = found.select_related("village", "village__parent")
        children = list(found.order_by("name", "pk")[: CHILD_PICKS + 1])
        more = len(children) > CHILD_PICKS
        children = _with_ages(children[:CHILD_PICKS])
    return render(
        request,
        "protection/_child_picks.html",
        {"children": children, "q": q, "more": more, "chosen_id": None},
    )


def report_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of a report: its number and what happens next."""
    user = request.user
    _casework(user)
    case = _case_or_404(user, pk)
    services.case_read_record(actor=user, case=case)
    return render(
        request,
        "protection/report_receipt.html",
        {
            "case": case,
            "deadlines": services.deadlines_for(case.county_id),
            "school": case.situation in SCHOOL_SITUATIONS,
        },
    )


# Inbox and list -----------------------------------------------------------------------


@dataclass
class Section:
    """One part of the inbox: what waits, and the deadline each row shows."""

    key: str
    title: str
    hint: str
    items: Any
    due: str = ""  # the deadline column ("" for a notice)
    referrals: bool = False
    rows: list | None = None
    total: int = 0


def inbox(request: HttpRequest) -> HttpResponse:
    """What waits for the viewer's unit, oldest deadline first, with the time left or
    overdue."""
    user = request.user
    _casework(user)
    sections: list[Section] = []
    if access.is_police(user):
        sections += [
            Section(
                "police",
                "待受理的报告",
                "报告一到即开始计时：请在时限内受理（受案、立案或不予立案）。",
                selectors.police_inbox_for(user),
                "police_due_at",
            ),
            Section(
                "feedback",
                "待向报告单位反馈",
                "受理后3日内告知报告单位案件进展（高检发〔2020〕9号第八条）。",
                selectors.feedback_inbox_for(user),
                "feedback_due_at",
            ),
        ]
    if access.is_civil(user):
        sections.append(
            Section(
                "desk",
                "待评估的案件",
                "评估风险和需求，制定安全计划，必要时转介成员单位。",
                selectors.desk_inbox_for(user),
                "assessment_due_at",
            )
        )
    if user.role == Role.DEPARTMENT:
        sections.append(
            Section(
                "referrals",
                "转介给本单位",
                "待接收的转介请在时限内接收或说明理由拒绝；已接收的办理后填写结果。",
                selectors.referral_inbox_for(user),
                "respond_by",
                referrals=True,
            )
        )
        if user.unit == Unit.EDUCATION:
            sections.append(
                Section(
                    "school",
                    "失学辍学报告（同步告知教育部门）",
                    "涉及失学辍学的报告同时告知县教育部门，以便及时劝返复学。",
                    selectors.school_notices_for(user),
                )
            )
    for section in sections:
        section.total = section.items.count()
        section.rows = list(section.items[:INBOX_SHOWN])
    return render(
        request,
        "protection/inbox.html",
        {"sections": sections, "now": timezone.now(), "shown": INBOX_SHOWN},
    )


def case_list(request: HttpRequest) -> HttpResponse:
    """Every case the viewer sees, newest report first: filters and numbered pages."""
    user = request.user
    _casework(user)
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    cases = selectors.case_filter(
        selectors.case_list_for(user),
        status=data.get("status", ""),
        situation=data.get("situation", ""),
        overdue=bool(data.get("overdue")),
        now=now,
    )
    total = cases.count()
    page = page_of(request, cases, size=PAGE_SIZE, count=total)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "now": now,
        "chosen": sum(1 for key in ("status", "situation", "overdue") if data.get(key)),
        "can_report": access.can(user, Do.REPORT),
    }
    if request.headers.get("HX-Target") == "case-results":
        return render(request, "protection/_case_rows.html", context)
    return render(request, "protection/case_list.html", context)


# One case ---------------------------------------------------------------------------


def _child_facts(user, case: Case, view: View) -> dict:
    """The child as the page shows it: from the ledger or from the report's
    description; a referral sees name, sex, age, village, guardian and contact only."""
    if case.child_id:
        child = case.child
        return {
            "ledger": True,
            "pk": child.pk,
            "link": view == View.FULL and has_perm(user, Perm.VIEW_CHILDREN),
            "name": child.name,
            "sex": child.sex,
            "age": f"{age_of(child, timezone.localdate())}岁",
            "place": child.village,
            "guardian": " ".join(
                part
                for part in (
                    child.guardian_name,
                    f"（{child.get_guardian_relation_display()}）"
                    if child.guardian_relation
                    else "",
                )
                if part
            ),
            "contact": child.guardian_phone,
            "description": "",
        }
    return {
        "ledger": False,
        "name": case.child_name or "（姓名不详）",
        "sex": case.child_sex or "不详",
        "age": f"约{case.child_age}岁" if case.child_age is not None else "不详",
        "place": case.area,
        "guardian": "",
        "contact": "",
        "description": case.child_description,
    }


def _deadlines(case: Case, view: View, referrals: list[Referral]) -> list[dict]:
    """Each clock of the case the viewer may follow: due (with the time left) or met."""
    rows = []
    if view in (View.FULL, View.RECEIPT):
        rows.append(
            {
                "what": "公安受理",
                "due": case.police_due_at,
                "met": case.police_decided_at,
            }
        )
        rows.append(
            {
                "what": "向报告单位反馈",
                "due": case.feedback_due_at,
                "met": case.feedback_at,
                "waiting": "受理后开始计时" if not case.police_decided_at else "",
            }
        )
    if view == View.FULL:
        rows.append(
            {
                "what": "民政评估",
                "due": case.assessment_due_at,
                "met": case.assessed_at,
            }
        )
    for referral in referrals:
        pending = referral.status == ReferralStatus.PENDING
        met = referral.responded_at or referral.revoked_at
        rows.append(
            {
                "what": f"{referral.get_unit_display()}接收转介",
                "due": referral.respond_by if pending else None,
                "met": None if pending else met,
                "state": "" if pending else referral.get_status_display(),
            }
        )
    return rows


@dataclass(frozen=True)
class CaseStep:
    """A step on a case: who may take it, when the case offers it, the form, the one
    service it calls and the message on success."""

    do: Do
    form: type[StepForm]
    offered: Callable[[Case], bool]
    run: Callable[[Any, Case, StepForm], Any]
    done: Callable[[Any], str]
    folded: bool = False  # folded on every screen (settings of the case)


@dataclass(frozen=True)
class ReferralStep:
    do: Do
    form: type[StepForm]
    offered: Callable[[Referral], bool]
    run: Callable[[Any, Referral, StepForm], Any]
    done: Callable[[Any], str]


def _decided(case: Case) -> str:
    return (
        f"已{case.get_police_decision_display()}（{case.number}）。"
        f"请于 {_at(case.feedback_due_at)} 前向报告单位反馈。"
    )


CASE_STEPS: dict[str, CaseStep] = {
    "decide": CaseStep(
        Do.DECIDE,
        DecideForm,
        lambda case: case.is_open and not case.police_decided_at,
        lambda user, case, form: services.case_police_decide(
            actor=user,
            case_id=case.pk,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        ),
        _decided,
    ),
    "feedback": CaseStep(
        Do.FEEDBACK,
        FeedbackForm,
        lambda case: case.is_open and bool(case.police_decided_at),
        lambda user, case, form: services.case_feedback(
            actor=user, case_id=case.pk, note=form.cleaned_data["note"]
        ),
        lambda case: "已向报告单位反馈。",
    ),
    "assess": CaseStep(
        Do.ASSESS,
        AssessForm,
        lambda case: case.is_open,
        lambda user, case, form: services.case_assess(
            actor=user,
            case_id=case.pk,
            expected_version=form.cleaned_data["expected_version"],
            risk=form.cleaned_data["risk"],
            needs=form.cleaned_data["needs"],
            safety_plan=form.cleaned_data["safety_plan"],
        ),
        lambda case: f"已保存评估：风险{case.get_risk_display()}。",
    ),
    "refer": CaseStep(
        Do.REFER,
        ReferForm,
        lambda case: case.is_open,
        lambda user, case, form: services.referral_send(
            actor=user,
            case_id=case.pk,
            unit=form.cleaned_data["unit"],
            service=form.cleaned_data["service"],
            reason=form.cleaned_data["reason"],
            timeframe=form.cleaned_data["timeframe"],
        ),
        lambda referral: (
            f"已转介给{referral.get_unit_display()}（{referral.get_service_display()}），"
            f"应于 {_at(referral.respond_by)} 前接收。"
        ),
    ),
    "action": CaseStep(
        Do.RECORD_ACTION,
        ActionForm,
        lambda case: case.is_open,
        lambda user, case, form: services.action_record(
            actor=user, case_id=case.pk, values=form.service_values()
        ),
        lambda action: f"已记录处置措施：{services.action_summary(action)}。",
    ),
    "close": CaseStep(
        Do.CLOSE,
        CloseForm,
        lambda case: case.is_open,
        lambda user, case, form: services.case_close(
            actor=user,
            case_id=case.pk,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        ),
        lambda case: f"案件已结案：{case.get_outcome_display()}。",
    ),
    "reopen": CaseStep(
        Do.REOPEN,
        ReopenForm,
        lambda case: not case.is_open,
        lambda user, case, form: services.case_reopen(
            actor=user, case_id=case.pk, reason=form.cleaned_data["reason"]
        ),
        lambda case: "案件已重新开启，请重新评估。",
    ),
    "handlers": CaseStep(
        Do.MANAGE,
        HandlersForm,
        lambda case: True,
        lambda user, case, form: services.case_handlers_set(
            actor=user,
            case_id=case.pk,
            add=form.cleaned_data["add"],
            remove=form.cleaned_data["remove"],
        ),
        lambda case: "已调整经办人。",
        folded=True,
    ),
    "sensitivity": CaseStep(
        Do.MANAGE,
        SensitivityForm,
        lambda case: True,
        lambda user, case, form: services.case_sensitivity_set(
            actor=user,
            case_id=case.pk,
            sensitivity=form.cleaned_data["sensitivity"],
            reason=form.cleaned_data["reason"],
        ),
        lambda case: f"敏感级别：{case.get_sensitivity_display()}。",
        folded=True,
    ),
    "link-child": CaseStep(
        Do.MANAGE,
        LinkChildForm,
        lambda case: True,
        lambda user, case, form: services.case_child_link(
            actor=user, case_id=case.pk, child_id=form.cleaned_data["child_id"]
        ),
        lambda case: f"已关联台账儿童：{case.child.name}。",
        folded=True,
    ),
}

REFERRAL_STEPS: dict[str, ReferralStep] = {
    "accept": ReferralStep(
        Do.RESPOND,
        AcceptForm,
        lambda referral: referral.status == ReferralStatus.PENDING,
        lambda user, referral, form: services.referral_accept(
            actor=user, referral_id=referral.pk
        ),
        lambda referral: (
            f"已接收转介（{referral.get_service_display()}）。"
            "办理后请记录处置措施，并填写办理结果。"
        ),
    ),
    "reject": ReferralStep(
        Do.RESPOND,
        RejectForm,
        lambda referral: referral.status == ReferralStatus.PENDING,
        lambda user, referral, form: services.referral_reject(
            actor=user, referral_id=referral.pk, reason=form.cleaned_data["reason"]
        ),
        lambda referral: "已拒绝转介，转介方会看到您填写的理由。",
    ),
    "done": ReferralStep(
        Do.COMPLETE,
        DoneForm,
        lambda referral: referral.status == ReferralStatus.ACCEPTED,
        lambda user, referral, form: services.referral_done(
            actor=user,
            referral_id=referral.pk,
            successful=form.cleaned_data["successful"] == "1",
            note=form.cleaned_data["note"],
        ),
        lambda referral: (
            f"已办结转介（{'办理成功' if referral.successful else '未成功'}）。"
        ),
    ),
    "revoke": ReferralStep(
        Do.REVOKE,
        RevokeForm,
        lambda referral: referral.is_open,
        lambda user, referral, form: services.referral_revoke(
            actor=user, referral_id=referral.pk, reason=form.cleaned_data["reason"]
        ),
        lambda referral: f"已撤回给{referral.get_unit_display()}的转介。",
    ),
}


def _form_kwargs(form_class: type[StepForm], user, case: Case) -> dict:
    if form_class in (AssessForm, SensitivityForm):
        return {"case": case}
    if form_class is ActionForm:
        return {"kinds": access.action_kinds_for(user)}
    if form_class is HandlersForm:
        return {
            "candidates": selectors.handler_candidates(case),
            "current": list(selectors.case_handlers(case)),
        }
    return {}


def _offered_case_steps(user, case: Case, failed: StepForm | None) -> list[StepForm]:
    """The forms of the steps the viewer may take on the case as it stands."""
    forms = []
    for name, step in CASE_STEPS.items():
        if not step.offered(case) or not access.can(user, step.do, case):
            continue
        if name == "action" and not access.action_kinds_for(user):
            continue
        if name == "link-child" and not has_perm(user, Perm.VIEW_CHILDREN):
            continue
        if failed is not None and failed.step == step.form.step:
            form = failed
        else:
            form = step.form(**_form_kwargs(step.form, user, case))
        form.action = reverse(f"protection:case-{name}", kwargs={"pk": case.pk})
        form.folded = step.folded
        forms.append(form)
    return forms


def _offered_referral_steps(
    user, referral: Referral, failed: StepForm | None
) -> list[StepForm]:
    forms = []
    for name, step in REFERRAL_STEPS.items():
        if not step.offered(referral) or not access.can(user, step.do, referral):
            continue
        if failed is not None and failed.step == step.form.step:
            form = failed
        else:
            form = step.form(suffix=str(referral.pk))
        form.action = reverse(f"protection:referral-{name}", kwargs={"pk": referral.pk})
        forms.append(form)
    return forms


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    failed: StepForm | None = None,
    failed_referral: int | None = None,
) -> HttpResponse:
    """The case page as the viewer may see it, audited as a sensitive read."""
    user = request.user
    view = access.view_of(user, case)
    services.case_read_record(actor=user, case=case)
    referrals = list(selectors.case_referrals_for(user, case))
    for referral in referrals:
        referral.forms = _offered_referral_steps(
            user, referral, failed if failed_referral == referral.pk else None
        )
    case_forms = _offered_case_steps(
        user, case, failed if failed_referral is None else None
    )
    shown = [*case_forms, *(f for r in referrals for f in r.forms)]
    full = view == View.FULL
    actions = list(selectors.case_actions_for(user, case))
    for action in actions:
        action.summary = services.action_summary(action)
    return render(
        request,
        "protection/case_detail.html",
        {
            "case": case,
            "view": view,
            "full": full,
            "receipt": view == View.RECEIPT,
            "sees_reporter": access.sees_reporter(user, case),
            "child": _child_facts(user, case, view),
            "referrals": referrals,
            "actions": actions,
            "needs": [Need(n).label for n in case.needs if n in Need.values],
            "events": selectors.case_events_for(user, case),
            "handlers": list(selectors.case_handlers(case)) if full else [],
            "deadlines": _deadlines(case, view, referrals),
            "forms": [f for f in case_forms if not f.folded],
            "settings": [f for f in case_forms if f.folded],
            "failed": failed,
            # A step the case no longer offers (taken by someone else meanwhile): its
            # messages show on top, there being no form to put them on.
            "failed_alone": failed is not None
            and not any(form is failed for form in shown),
            "now": timezone.now(),
        },
    )


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: the whole case, a referral's part of it, or a reporter's receipt."""
    _casework(request.user)
    return _detail(request, _case_or_404(request.user, pk))


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the case after a step, or to the inbox when the step took it out of
    the viewer's sight (a unit's referral rejected or done)."""
    try:
        selectors.case_get_for(request.user, pk=pk)
    except NotFound:
        messages.info(request, "该案件已不在本单位可查看的范围内。")
        return redirect("protection:inbox")
    return redirect("protection:case-detail", pk=pk)


def _case_step(name: str):
    step = CASE_STEPS[name]

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        _casework(user)
        case = _case_or_404(user, pk)
        if not access.can(user, step.do, case):
            raise PermissionDenied(DENIED)
        form = step.form(request.POST, **_form_kwargs(step.form, user, case))
        if form.is_valid():
            try:
                result = step.run(user, case, form)
            except NotFound as error:
                raise Http404(error.message) from None
            except DomainError as error:
                add_refusal(form, error)
                if isinstance(form, AssessForm):
                    form.kept_on(case)
            else:
                messages.success(request, step.done(result))
                return _back(request, case.pk)
        return _detail(request, case, failed=form)

    view.__name__ = f"case_{name}"
    view.__doc__ = f"POST: {step.form.title} (services, one call)."
    return view


def _referral_step(name: str):
    step = REFERRAL_STEPS[name]

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        _casework(user)
        referral = _referral_or_404(user, pk)
        if not access.can(user, step.do, referral):
            raise PermissionDenied(DENIED)
        form = step.form(request.POST, suffix=str(referral.pk))
        if form.is_valid():
            try:
                result = step.run(user, referral, form)
            except NotFound as error:
                raise Http404(error.message) from None
            except DomainError as error:
                add_refusal(form, error)
            else:
                messages.success(request, step.done(result))
                return _back(request, referral.case_id)
        case = _case_or_404(user, referral.case_id)
        return _detail(request, case, failed=form, failed_referral=referral.pk)

    view.__name__ = f"referral_{name}"
    view.__doc__ = f"POST: {step.form.title} (services, one call)."
    return view


urlpatterns = [
    path("", case_list, name="case-list"),
    path("inbox/", inbox, name="inbox"),
    path("report/", report, name="report"),
    path("report/children/", report_children, name="report-children"),
    path("report/<int:pk>/receipt/", report_receipt, name="report-receipt"),
    path("<int:pk>/", case_detail, name="case-detail"),
    *(
        path(f"<int:pk>/{name}/", _case_step(name), name=f"case-{name}")
        for name in CASE_STEPS
    ),
    *(
        path(
            f"referrals/<int:pk>/{name}/", _referral_step(name), name=f"referral-{name}"
        )
        for name in REFERRAL_STEPS
    ),
]
