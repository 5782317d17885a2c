"""The form that sets (raises) an allowance standard: parsed here, checked by the
service (services.allowance_standard_set), whose refusals come back by field."""

from decimal import Decimal, InvalidOperation

from django import forms

from .services import check_amount
from .vocab import AllowanceKind


class StandardForm(forms.Form):
    area = forms.CharField(
        label="区划代码",
        required=False,
        max_length=12,
        help_text="不填则为您的管辖区划；也可以填下级县（市、区）的 12 位代码。",
    )
    kind = forms.ChoiceField(label="类别", choices=AllowanceKind.choices)
    amount = forms.CharField(
        label="标准（元/人·月）", max_length=12, help_text="如 1500 或 1500.50"
    )
    effective_from = forms.DateField(
        label="执行日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="一般为某月 1 日；提高标准是新增一条，以前的标准保留。",
        error_messages={"invalid": "请填写日期，如 2027-01-01。"},
    )

    def clean_amount(self) -> Decimal:
        text = self.cleaned_data["amount"].strip().replace(",", "").replace("，", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("金额应为数字，如 1500 或 1500.50。") from None
        if message := check_amount(amount):
            raise forms.ValidationError(f"{message}。")
        return amount

    def add_refusal(self, field: str | None, message: str) -> None:
        self.add_error(field if field in self.fields else None, message)
