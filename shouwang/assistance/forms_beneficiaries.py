"""The beneficiary and payment pages' forms: they only parse (dates, months, choices,
files); the rules and their Chinese messages live in services_beneficiaries and
services_payments, whose problems come back by field."""

from django import forms

from shouwang.visits.attachments import ACCEPT
from shouwang.web.refusals import RefusalsForm

from .models import AccountType
from .services_beneficiaries import parse_month

_Problems = RefusalsForm


def _text(label: str, *, limit: int, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        error_messages={
            "max_length": f"{label}最多{limit}个字。",
            "required": f"请填写{label}。",
        },
    )


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(
                f"{self.label}“{text}”无法识别：请写成 YYYY-MM，如 2026-07。"
            )
        return month


class ApplicationForm(_Problems):
    """Apply for a child (or correct an application): the guardian who receives the
    money, the account, the 养育协议 and its scan."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    guardian_name = _text("监护人（领取人）姓名", limit=50)
    guardian_relation = _text("与儿童关系", limit=20)
    account_type = forms.ChoiceField(
        label="账户类型",
        required=False,
        choices=[("", "请选择"), *AccountType.choices],
        error_messages={
            "invalid_choice": "账户类型“%(value)s”不是可选的值，应为：银行卡或社保卡。"
        },
    )
    account_number = _text("账号", limit=40)
    bank_name = _text("开户行", limit=60)
    agreement_signed_on = forms.DateField(
        label="养育协议签订日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "养育协议签订日期格式不对：请按“年-月-日”填写，如 2026-01-05。"
        },
    )
    agreement_scan = forms.FileField(
        label="养育协议扫描件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="JPG、PNG 照片或 PDF 扫描件。",
    )

    def values(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in (
                "guardian_name",
                "guardian_relation",
                "account_type",
                "account_number",
                "bank_name",
                "agreement_signed_on",
            )
        }


class VersionForm(_Problems):
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "页面已过期：请刷新后重试。"},
    )


class ReturnForm(VersionForm):
    reason = forms.CharField(
        label="退回原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StopForm(VersionForm):
    reason = forms.CharField(
        label="停保原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    month = MonthField(label="停发月份（起）", required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="文件（.xlsx 或 .csv）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
        error_messages={
            "required": "请选择要上传的文件。",
            "empty": "文件是空的：请选择填好的文件。",
        },
    )


class MonthForm(forms.Form):
    month = MonthField(
        label="发放月份",
        error_messages={"required": "请填写发放月份（YYYY-MM）。"},
    )
