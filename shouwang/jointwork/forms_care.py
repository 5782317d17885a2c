"""The community care forms: they only parse (dates, the chosen ids); amounts,
quantities, who may be paired and funded are judged by services_care, whose
problems come back by field."""

from django import forms

from shouwang.accounts.models import Role
from shouwang.web.refusals import RefusalsForm

from . import selectors_care as sel
from .forms_letters import date_field
from .vocab import UNIT_CHOICES, ActivityKind, PairingKind, PublicityKind


def _text(label: str, *, required: bool = False, area: bool = False, help_text=""):
    # Lengths and shapes are checked by the service (its words).
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if area else forms.TextInput,
        error_messages={"required": f"请填写{label}。"},
    )


def _select(label: str, choices) -> forms.CharField:
    # Plain text behind a list: the service names a value that is not allowed.
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Select(choices=[("", "请选择"), *choices]),
    )


class DonationForm(RefusalsForm):
    donor = _text("捐赠方", required=True)
    amount = _text("金额（元）", required=True)
    donated_on = date_field("捐赠日期")
    purpose = _text("用途", required=True)
    recipients = _text(
        "受助儿童公民身份号码",
        area=True,
        help_text="可选。直接资助儿童的，每行填一名受助儿童的公民身份号码（本辖区在册儿童）。",
    )


class VolunteerForm(RefusalsForm):
    name = _text("志愿者姓名", required=True)
    organisation = _text("所在组织")
    phone = _text("联系电话")


class PairingForm(RefusalsForm):
    volunteer = _select("志愿者", [])
    child = _select("儿童", [])
    kind = _select("结对内容", PairingKind.choices)
    starts_on = date_field("开始日期")
    ends_on = date_field("结束日期", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        volunteers = sel.volunteers_for(viewer=user).filter(voided_at__isnull=True)
        self.fields["volunteer"].widget.choices = [
            ("", "请选择"),
            *(
                (v.pk, f"{v.name}（{v.organisation or v.area.name}）")
                for v in volunteers
            ),
        ]
        self.fields["child"].widget.choices = [
            ("", "请选择"),
            *(
                (c.pk, f"{c.name}（{c.village.name}）")
                for c in sel.children_to_pair(viewer=user)
            ),
        ]


class ActivityForm(RefusalsForm):
    title = _text("活动名称", required=True)
    held_on = date_field("活动日期")
    organiser = _select("主办单位", UNIT_CHOICES)
    kind = _select("活动类型", ActivityKind.choices)
    participants = _text("参与人数")
    children_reached = _text("受益儿童人数")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.DEPARTMENT:
            # A member unit records the activities it organises itself.
            del self.fields["organiser"]


class PublicityForm(RefusalsForm):
    kind = _select("类别", PublicityKind.choices)
    quantity = _text("数量", required=True)
    made_on = date_field("日期")
    note = _text("说明")


class CareVoidForm(RefusalsForm):
    reason = forms.CharField(
        label="作废原因",
        max_length=200,
        error_messages={
            "required": "请填写作废原因。",
            "max_length": "作废原因最多200个字。",
        },
    )


FORMS = {
    sel.DONATIONS: DonationForm,
    sel.VOLUNTEERS: VolunteerForm,
    sel.PAIRINGS: PairingForm,
    sel.ACTIVITIES: ActivityForm,
    sel.PUBLICITY: PublicityForm,
}
NEEDS_USER = {sel.PAIRINGS, sel.ACTIVITIES}
