"""Forms of the oversight pages: break-the-glass, and a county's deadlines. The
services hold the rules (lengths, ranges) and their messages; the forms only ask for
what is missing and turn digits into numbers."""

from django import forms

from .services import MAX_NOTE


class BreakGlassForm(forms.Form):
    number = forms.CharField(
        label="受理编号",
        max_length=24,
        error_messages={
            "required": "请填写受理编号。",
            "max_length": "受理编号最多%(limit_value)d个字符，请核对。",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "如 430524-20250101-0001"}
        ),
    )
    reason = forms.CharField(
        label="查看理由",
        max_length=MAX_NOTE,
        error_messages={
            "required": "请填写查看理由。",
            "max_length": "查看理由最多%(limit_value)d个字，当前%(show_value)d个。",
        },
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="具体说明为什么现在需要查看该案件，例如正在处置的紧急情况。",
    )


DEADLINE_FIELDS = (
    ("police_accept_hours", "公安受理时限（小时）", 168),
    ("feedback_days", "受理后向报告单位反馈时限（天）", 30),
    ("assessment_days", "民政评估时限（天）", 30),
)


class DeadlinesForm(forms.Form):
    """A county's three deadlines; ranges are checked by services.deadlines_set."""

    county = forms.ChoiceField(label="县（市、区）")

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        county = self.fields["county"]
        county.choices = [(c.code, c.name) for c in counties]
        county.error_messages["required"] = "请选择县（市、区）。"
        county.error_messages["invalid_choice"] = (
            "“%(value)s”不是您管辖范围内的县（市、区）：请从列表中选择。"
        )
        county.widget = forms.HiddenInput()
        for name, label, limit in DEADLINE_FIELDS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,  # the service names a missing value
                widget=forms.NumberInput(
                    attrs={"min": 1, "max": limit, "step": 1, "inputmode": "numeric"}
                ),
            )

    def values(self) -> dict:
        """The three values as the service takes them: digits as numbers, anything
        else as typed (the service refuses it with its message)."""
        values = {}
        for name, _, _ in DEADLINE_FIELDS:
            raw = (self.cleaned_data.get(name) or "").strip()
            numeric = raw.isascii() and raw.isdigit() and len(raw) <= 9
            values[name] = int(raw) if numeric else raw
        return values
