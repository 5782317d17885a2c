"""The aid programme pages' forms: they only parse (dates, choices, ticked ids); the
rules and their messages (amounts, budget, area, who may approve) live in
services_programmes, whose problems come back by field."""

from django import forms

from shouwang.accounts import access
from shouwang.areas.models import Area, AreaLevel
from shouwang.web.refusals import RefusalsForm

from .models import AidForm

STALE = "页面已过期：请刷新后重新填写。"


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"请填写{label}（年-月-日）。",
            "invalid": f"{label}格式不对：请按“年-月-日”填写，如 2026-09-01。",
        },
    )


def _text(label: str, *, limit: int, area: bool = False, required=False, help_text=""):
    # Lengths are checked by the service (its words); the form only caps the input.
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if area else forms.TextInput,
        error_messages={"required": f"请填写{label}。"},
    )


_Problems = RefusalsForm


class ProgrammeForm(_Problems):
    name = _text("项目名称", limit=100, required=True)
    area = forms.ChoiceField(
        label="实施区划",
        error_messages={
            "required": "请选择实施区划。",
            "invalid_choice": "实施区划“%(value)s”不在您的管辖范围内，请从列表中选择。",
        },
    )
    starts_on = _date("开始日期")
    ends_on = _date("结束日期")
    form = forms.ChoiceField(
        label="救助方式",
        choices=[("", "请选择"), *AidForm.choices],
        error_messages={
            "required": "请选择救助方式（现金或实物）。",
            "invalid_choice": "救助方式“%(value)s”不是可选的值，请从列表中选择。",
        },
    )
    amount = _text(
        "每人金额（元）",
        limit=20,
        help_text="现金必填；实物可填每人折合金额（计入预算），如棉衣 150。",
    )
    item = _text("实物名称", limit=50, help_text="实物必填，如“棉衣”“棉被”。")
    eligibility_notes = _text("救助条件", limit=1000, area=True)
    budget = _text("预算（元）", limit=20, required=True)
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"invalid": STALE, "min_value": STALE, "max_value": STALE},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.filter(
            access.jurisdiction_q(user, "code"),
            level__in=[AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY],
        ).order_by("code")
        self.fields["area"].choices = [
            ("", "请选择"),
            *((a.code, a.name) for a in areas),
        ]

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}


class _Ticked(_Problems):
    """A form whose rows are ticked checkboxes named `ids_field`."""

    ids_field = ""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self._ids = data.getlist(self.ids_field) if data is not None else []

    def clean(self):
        cleaned = super().clean()
        ids = []
        for raw in self._ids:
            if not raw.isdigit() or not 0 < int(raw) < 2**63:
                raise forms.ValidationError("勾选的记录无效：请刷新页面后重试。")
            ids.append(int(raw))
        cleaned[self.ids_field] = ids
        return cleaned


class ChooseForm(_Ticked):
    ids_field = "children"
    amount = _text(
        "每人金额（元）",
        limit=20,
        help_text="不填则按项目的每人金额；医疗康复等可按人填写。",
    )
    reason = _text("选定理由", limit=200)


class DecideForm(_Ticked):
    ids_field = "beneficiaries"
    decision = forms.ChoiceField(
        label="审批结果",
        choices=[("approve", "审批通过"), ("reject", "退回（不予救助）")],
        error_messages={
            "required": "请选择审批结果。",
            "invalid_choice": "审批结果“%(value)s”不是可选的值，请从列表中选择。",
        },
    )
    note = _text("审批意见", limit=200, help_text="退回时必填。")


class DeliverForm(_Ticked):
    ids_field = "beneficiaries"
    delivered_on = _date("发放（送达）日期")
    delivery_note = _text("发放说明", limit=200)
