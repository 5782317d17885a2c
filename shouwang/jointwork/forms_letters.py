"""The responsibility letter forms: they only parse (year, dates, the chosen
codes); who may be a party, duplicates and the scan's content are judged by
services_letters, whose problems come back by field."""

from django import forms

from shouwang.accounts.models import Unit
from shouwang.visits.attachments import ACCEPT
from shouwang.web.refusals import RefusalsForm

from . import selectors_letters as sel


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"请填写{label}（年-月-日）。",
            "invalid": f"{label}格式不对：请按“年-月-日”填写，如 2026-12-20。",
        },
    )


def scan_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="可选。JPG、PNG 照片或 PDF 扫描件。",
    )


class LetterForm(RefusalsForm):
    year = forms.IntegerField(
        label="年度",
        min_value=1900,
        max_value=2999,
        error_messages={
            "required": "请填写年度，如 2027。",
            "invalid": "年度应为四位数字，如 2027。",
            "min_value": "年度应为四位数字，如 2027。",
            "max_value": "年度应为四位数字，如 2027。",
        },
    )
    # Codes are plain text behind a list: the service says why one is not allowed.
    area = forms.CharField(
        label="签订方（政府）",
        error_messages={"required": "请选择签订方（政府）。"},
    )
    party_area = forms.CharField(
        label="责任方：乡镇或村（社区）",
        required=False,
        help_text="与成员单位二选一。",
    )
    party_unit = forms.CharField(
        label="责任方：成员单位",
        required=False,
        widget=forms.Select(choices=[("", "（不选）"), *Unit.choices]),
    )
    signed_on = date_field("签订日期")
    scan = scan_field("责任书扫描件")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        governments = sel.government_areas_for(user)
        self.fields["area"].widget = forms.Select(
            choices=[(a.code, a.name) for a in governments]
        )
        self.fields["party_area"].widget = forms.Select(
            choices=[
                ("", "（不选）"),
                *((a.code, a.name) for a in sel.party_areas_for(user)),
            ]
        )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            k: data.get(k) for k in ("year", "area", "party_area", "party_unit")
        } | {"signed_on": data.get("signed_on")}


class VoidForm(RefusalsForm):
    reason = forms.CharField(
        label="作废原因",
        max_length=200,
        error_messages={
            "required": "请填写作废原因。",
            "max_length": "作废原因最多200个字。",
        },
    )
