"""The dropout pages' forms: they only parse (dates, choices, numbers); the rules and
their messages live in schooling.services, whose problems come back by field."""

from django import forms

from shouwang.web.refusals import RefusalsForm

from .vocab import (
    ClearReason,
    DropoutOutcome,
    DropoutReason,
    PersuasionMethod,
    PersuasionResult,
    ResponsibleRole,
)

RESPONSIBLE_ROWS = 4


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": f"{label}格式不对：请按“年-月-日”填写，如 2026-09-01。"
        },
    )


def _choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "请选择"), *choices.choices],
        error_messages={
            "invalid_choice": f"{label}“%(value)s”不是可选的值，请从列表中选择。"
        },
    )


def _text(label: str, *, limit: int = 500, area: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 3}) if area else forms.TextInput,
        error_messages={"max_length": f"{label}最多{limit}个字。"},
    )


class _Problems(RefusalsForm):
    responsible_rows = None

    def plain_fields(self) -> list:
        return [
            field
            for field in self.visible_fields()
            if not field.name.startswith(("role_", "name_", "phone_"))
        ]


class _Responsibles(_Problems):
    """Up to RESPONSIBLE_ROWS responsible persons (包保责任人); empty rows skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, RESPONSIBLE_ROWS + 1):
            self.fields[f"role_{i}"] = _choice(f"第{i}位身份", ResponsibleRole)
            self.fields[f"name_{i}"] = _text(f"第{i}位姓名", limit=30)
            self.fields[f"phone_{i}"] = _text(f"第{i}位电话", limit=20)

    def responsible_rows(self) -> list[tuple]:
        return [
            (self[f"role_{i}"], self[f"name_{i}"], self[f"phone_{i}"])
            for i in range(1, RESPONSIBLE_ROWS + 1)
        ]

    def responsibles(self) -> list[dict]:
        rows = []
        for i in range(1, RESPONSIBLE_ROWS + 1):
            item = {
                key: self.cleaned_data.get(f"{key}_{i}") or ""
                for key in ("role", "name", "phone")
            }
            if item["role"] or item["name"].strip():
                rows.append(item)
        return rows


class DropoutRegisterForm(_Responsibles):
    school = _text("辍学前学校", limit=100)
    grade = _text("年级", limit=20)
    left_on = _date("辍学日期")
    reason = _choice("辍学原因", DropoutReason)
    reason_note = _text("原因说明")
    plan = _text("劝返方案（一人一案）", limit=2000, area=True)

    def values(self) -> dict:
        return {**self.cleaned_data, "responsibles": self.responsibles()}


class DropoutPlanForm(_Responsibles):
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": "页面已过期：请刷新后重新填写。",
            "invalid": "页面已过期：请刷新后重新填写。",
            "min_value": "页面已过期：请刷新后重新填写。",
            "max_value": "页面已过期：请刷新后重新填写。",
        },
    )
    plan = _text("劝返方案（一人一案）", limit=2000, area=True)


class PersuasionForm(_Problems):
    on = _date("劝返日期")
    by = _text("劝返人员", limit=100)
    method = _choice("劝返方式", PersuasionMethod)
    result = _choice("劝返结果", PersuasionResult)
    note = _text("情况说明")


class DropoutCloseForm(_Problems):
    outcome = _choice("销号结果", DropoutOutcome)
    outcome_on = _date("销号日期")
    evidence = _text("佐证材料")


class DropoutReopenForm(_Problems):
    reason = _text("重新开启的理由")


class SuspectClearForm(_Problems):
    list_id = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "invalid": "比对的学籍名单无效：请刷新工作清单后重试。",
            "min_value": "比对的学籍名单无效：请刷新工作清单后重试。",
            "max_value": "比对的学籍名单无效：请刷新工作清单后重试。",
        },
    )
    reason = _choice("排除理由", ClearReason)
    note = _text("说明")
