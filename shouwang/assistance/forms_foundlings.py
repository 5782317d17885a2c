"""The foundling pages' form: it only parses (dates, choices); the rules and their
messages live in services_foundlings, whose problems come back by field."""

from django import forms

from shouwang.registry.vocab import Sex
from shouwang.web.refusals import RefusalsForm

from .models import FoundlingOutcome

STALE = "页面已过期：请刷新后重新填写。"


def _date(label: str, *, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": f"{label}格式不对：请按“年-月-日”填写，如 2026-09-01。"
        },
    )


def _text(label: str, *, area: bool = False) -> forms.CharField:
    # Required fields and lengths are checked by the service, in its words.
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}) if area else forms.TextInput,
    )


def _choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "请选择"), *choices],
        error_messages={
            "invalid_choice": f"{label}“%(value)s”不是可选的值，请从列表中选择。"
        },
    )


class FoundlingForm(RefusalsForm):
    found_on = _date("捡拾日期")
    found_place = _text("捡拾地点")
    certificate_number = _text("公安捡拾证明编号")
    name = _text("暂用名")
    sex = _choice("性别", Sex.choices)
    estimated_birth_date = _date("估计出生日期")
    health = _text("健康状况", area=True)
    notice_starts_on = _date("寻亲公告开始日期")
    notice_ends_on = _date(
        "寻亲公告截止日期",
        help_text="不填则为开始日期后60日；可按公告实际截止日期修改。",
    )
    notice_medium = _text("公告刊登媒体")
    institution = _text("收留福利机构")
    admitted_on = _date("入院日期")
    outcome = _choice("结果", FoundlingOutcome.choices)
    outcome_on = _date("结果日期")
    outcome_note = _text("结果说明")
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"invalid": STALE, "min_value": STALE, "max_value": STALE},
    )

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}
