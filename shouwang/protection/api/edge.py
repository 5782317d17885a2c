"""The protection API's edge: a body read in Chinese, the case or referral looked up
through the access policy (404 unseen, 403 not allowed), a service's refusal as the
answer, and a case written out as the viewer sees it."""

import functools
from datetime import datetime

from django.utils import timezone
from ninja import Status

from shouwang.core import api_edge
from shouwang.core.api_edge import In, invalid
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.registry.policy import age_on

from .. import access, selectors, services
from ..access import Do, View
from ..models import Case, CaseAction, Referral
from ..services import DENIED
from ..vocab import Channel
from .schemas import LABELS, ReportIn

# The steps a viewer may be offered on a case (CaseOut.allowed).
CASE_STEPS = (
    Do.DECIDE,
    Do.FEEDBACK,
    Do.ASSESS,
    Do.REFER,
    Do.RECORD_ACTION,
    Do.CLOSE,
    Do.REOPEN,
    Do.MANAGE,
    Do.BREAK_GLASS,
)


def answers_refusals(view):
    """A service's refusal as the answer: NotFound 404, the access policy's refusal
    403, any other rule 400 with its message and field."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            return Status(404, {"detail": error.message})
        except DomainError as error:
            if error.message == DENIED:
                return Status(403, {"detail": error.message})
            return Status(400, {"detail": error.message, "field": error.field})

    return wrapper


def body(request, schema: type[In]) -> In:
    """The JSON body as schema; 422 for a type problem or a NUL character (which
    PostgreSQL text cannot hold), in Chinese by field."""
    payload = api_edge.body(request, schema, LABELS)
    held = [
        name
        for name, value in payload
        if "\x00" in (value if isinstance(value, str) else "")
        or (isinstance(value, list) and any("\x00" in str(v) for v in value))
    ]
    if held:
        raise invalid(
            (name, f"{LABELS.get(name, name)}含有不允许的空字符（NUL），请删除后重试。")
            for name in held
        )
    return payload


def case_for(request, case_id: int, do: Do | None = None) -> Case:
    """The case if the viewer sees it (else 404) and may do `do` to it (else 403)."""
    case = selectors.case_get_for(request.user, pk=case_id)
    if do is not None and not access.can(request.user, do, case):
        raise DomainError(DENIED)
    return case


def referral_for(request, referral_id: int, do: Do) -> Referral:
    """The referral if the viewer sees it (else 404) and may do `do` to it (else 403)."""
    referral = selectors.referral_get_for(request.user, pk=referral_id)
    if not access.can(request.user, do, referral):
        raise DomainError(DENIED)
    return referral


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _summary(case: Case, view: View) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "view": view,
        "status": case.status,
        "status_label": case.get_status_display(),
        "situation": case.situation,
        "situation_label": case.get_situation_display(),
        "urgency": case.urgency,
        "urgency_label": case.get_urgency_display(),
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
        "area": case.area_id,
        "area_name": case.area.name,
        "child_name": case.child_label,
    }


def summaries(user, cases) -> list[dict]:
    cases = list(cases)
    views = access.views_of(user, cases)
    return [_summary(case, views[case.pk]) for case in cases if case.pk in views]


def _child(case: Case, *, full: bool) -> dict:
    child = case.child
    if child is None:
        return {
            "ledger_id": None,
            "name": case.child_name,
            "sex": case.child_sex,
            "age": case.child_age,
            "village": None,
            "village_name": "",
            "guardian_name": "",
            "guardian_phone": "",
            "description": case.child_description,
        }
    return {
        "ledger_id": child.pk if full else None,
        "name": child.name,
        "sex": child.sex,
        "age": age_on(child.birth_date, timezone.localdate()),
        "village": child.village_id,
        "village_name": child.village.name,
        "guardian_name": child.guardian_name,
        "guardian_phone": child.guardian_phone,
        "description": "",
    }


def referral_out(referral: Referral) -> dict:
    case = referral.case
    return {
        "id": referral.pk,
        "case_id": case.pk,
        "case_number": case.number,
        "child_name": case.child_label,
        "area_name": case.area.name,
        "unit": referral.unit,
        "unit_label": referral.get_unit_display(),
        "service": referral.service,
        "service_label": referral.get_service_display(),
        "reason": referral.reason,
        "timeframe": referral.timeframe,
        "respond_by": referral.respond_by,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "sent_by": _name(referral.sent_by),
        "sent_at": referral.created_at,
        "responded_at": referral.responded_at,
        "responded_by": _name(referral.responded_by),
        "reject_reason": referral.reject_reason,
        "done_at": referral.done_at,
        "done_by": _name(referral.done_by),
        "successful": referral.successful,
        "done_note": referral.done_note,
        "revoked_at": referral.revoked_at,
        "revoke_reason": referral.revoke_reason,
    }


def action_out(action: CaseAction) -> dict:
    return {
        "id": action.pk,
        "case_id": action.case_id,
        "referral_id": action.referral_id,
        "kind": action.kind,
        "kind_label": action.get_kind_display(),
        "actor": action.actor,
        "unit": action.unit,
        "occurred_on": action.occurred_on,
        "persons": action.persons,
        "families": action.families,
        "cases": action.cases,
        "ground": action.ground,
        "placement": action.placement,
        "charge": action.charge,
        "sentence": action.sentence,
        "service": action.service,
        "note": action.note,
        "summary": services.action_summary(action),
        "recorded_by": _name(action.recorded_by),
    }


def case_out(user, case: Case) -> dict:
    """The case as the user sees it: the sections of their view, the rest null."""
    view = access.view_of(user, case)
    full = view == View.FULL
    answer = _summary(case, view)
    answer.update(
        child=_child(case, full=full) if view != View.RECEIPT else None,
        report=None,
        reporter=None,
        police=None,
        assessment=None,
        deadlines=None,
        closing=None,
        actions=[],
        handlers=[],
    )
    if access.sees_reporter(user, case):
        answer["reporter"] = {
            "name": case.reporter_name,
            "unit": case.reporter_unit,
            "contact": case.reporter_contact,
            "anonymous": case.anonymous,
            "channel": case.channel,
        }
    if view in (View.FULL, View.RECEIPT):
        answer["police"] = {
            "decision": case.police_decision,
            "decision_label": case.get_police_decision_display(),
            "reason": case.police_reason,
            "decided_at": case.police_decided_at,
            "decided_by": _name(case.police_decided_by) if full else None,
            "feedback_note": case.feedback_note,
            "feedback_at": case.feedback_at,
        }
    if full:
        answer.update(
            report={
                "sensitivity": case.sensitivity,
                "sensitivity_label": case.get_sensitivity_display(),
                "version": case.version,
                "found_at": case.found_at,
                "found_place": case.found_place,
                "observed": case.observed,
                "channel": case.channel,
                "channel_label": case.get_channel_display(),
            },
            assessment={
                "risk": case.risk,
                "risk_label": case.get_risk_display(),
                "needs": list(case.needs or []),
                "safety_plan": case.safety_plan,
                "assessed_at": case.assessed_at,
                "assessed_by": _name(case.assessed_by),
            },
            deadlines={
                "police_due_at": case.police_due_at,
                "feedback_due_at": case.feedback_due_at,
                "assessment_due_at": case.assessment_due_at,
                "escalated_at": case.escalated_at,
            },
            closing={
                "outcome": case.outcome,
                "outcome_label": case.get_outcome_display(),
                "note": case.outcome_note,
                "closed_by": _name(case.closed_by),
            }
            if case.closed_at
            else None,
            actions=[
                action_out(a)
                for a in case.actions.select_related("recorded_by").order_by(
                    "occurred_on", "id"
                )
            ],
            handlers=[
                {
                    "user_id": h.user_id,
                    "name": h.user.display_name,
                    "role": h.user.get_role_display(),
                    "unit": h.user.get_unit_display() if h.user.unit else "",
                }
                for h in selectors.case_handlers(case)
            ],
        )
    answer["referrals"] = [
        referral_out(r)
        for r in selectors.case_referrals_for(user, case).select_related(
            "case", "case__area", "case__child"
        )
    ]
    answer["events"] = [
        {
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "at": e.at,
            "actor": e.actor_name,
            "referral_id": e.referral_id,
            "note": e.note,
        }
        for e in selectors.case_events_for(user, case)
    ]
    answer["allowed"] = [str(do) for do in CASE_STEPS if access.can(user, do, case)]
    answer["action_kinds"] = (
        [str(k) for k in access.action_kinds_for(user)]
        if access.can(user, Do.RECORD_ACTION, case)
        else []
    )
    return answer


def case_answer(request, case_id: int) -> dict:
    """The case as it stands after a step, as the actor now sees it."""
    return case_out(request.user, selectors.case_get_for(request.user, pk=case_id))


def choice(value: str, field: str, label: str, choices) -> None:
    """422 unless value is empty or one of choices."""
    if value and value not in choices.values:
        allowed = "、".join(choices.values)
        raise invalid([(field, f"{label}“{value}”不是可选的值，应为：{allowed}。")])


def report_values(payload: ReportIn) -> dict:
    """The report's values for the service; 422 for what only the API can get wrong
    (an unknown channel, a time the calendar arithmetic cannot compare)."""
    values = payload.model_dump()
    choice(values["channel"] or "", "channel", "报告方式", Channel)
    found_at: datetime | None = values["found_at"]
    if found_at is not None:
        if timezone.is_naive(found_at):
            found_at = timezone.make_aware(found_at)
        now = timezone.now()
        # Years far off would overflow when compared across time zones; the service's
        # own words say what is wrong with them.
        if found_at.year > now.year + 1:
            raise invalid([("found_at", "发现时间不能晚于现在，请核对。")])
        if found_at.year < now.year - 20:
            raise invalid([("found_at", "发现时间早于十年前，请核对。")])
        values["found_at"] = found_at
    values["channel"] = values["channel"] or Channel.ONLINE
    return values
