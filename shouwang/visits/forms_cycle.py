"""Forms of the quarterly review cycle's pages: open a cycle, return a village."""

from django import forms
from django.utils import timezone

from .models import ReviewOutcome
from .services.cycle import COMMENT_MAX, current_quarter

VERSION_MESSAGES = {
    "required": "请求缺少版本号，请刷新页面后重试。",
    "invalid": "请求缺少版本号，请刷新页面后重试。",
}


class CycleOpenForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        error_messages={
            "required": "请填写年度，如 2026。",
            "invalid": "年度应为四位数字，如 2026。",
        },
    )
    quarter = forms.TypedChoiceField(
        label="季度",
        coerce=int,
        choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)],
        error_messages={
            "required": "请选择季度。",
            "invalid_choice": "“%(value)s”不是可选的季度：请选择第1至第4季度。",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        year, quarter = current_quarter(timezone.localdate())
        self.fields["year"].initial = year
        self.fields["quarter"].initial = quarter


class VersionForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages=VERSION_MESSAGES
    )


class ReturnForm(VersionForm):
    comment = forms.CharField(
        label="退回意见",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "请填写退回意见，说明需要核实或修改什么。",
            "max_length": "退回意见最多%(limit_value)d个字，当前%(show_value)d个。",
        },
    )


class ConfirmForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices,
        error_messages={
            "required": "请选择摸排结果：无变化、已更新或已退出。",
            "invalid_choice": "摸排结果应为：无变化、已更新或已退出。",
        },
    )
