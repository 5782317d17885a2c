"""The county visit policy form: a county of the user's jurisdiction and three
intervals, with the same Chinese messages as the service and the API."""

from django import forms

from .services.schedule import INTERVAL_FIELDS, MAX_DAYS, MIN_DAYS, interval_problem


class VisitPolicyForm(forms.Form):
    county = forms.ChoiceField(label="县（市、区）")
    high_days = forms.CharField(label="风险高（天）")
    medium_days = forms.CharField(label="风险中（天）")
    low_days = forms.CharField(label="风险低（天）")

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        county = self.fields["county"]
        county.choices = [(c.code, c.name) for c in counties]
        county.error_messages["required"] = "请选择县（市、区）。"
        county.error_messages["invalid_choice"] = (
            "“%(value)s”不是您管辖范围内的县（市、区）：请从列表中选择。"
        )
        if len(counties) == 1:
            county.widget = forms.HiddenInput()
        for name, _ in INTERVAL_FIELDS:
            field = self.fields[name]
            field.required = False  # interval_problem names the missing field
            field.widget = forms.NumberInput(
                attrs={
                    "min": MIN_DAYS,
                    "max": MAX_DAYS[name],
                    "step": 1,
                    "inputmode": "numeric",
                }
            )

    def _clean_days(self, name: str) -> int | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        value: object = raw
        if raw.lstrip("-").isdigit() and raw.isascii():
            value = int(raw)
        problem = interval_problem(name, value if raw else None)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_high_days(self):
        return self._clean_days("high_days")

    def clean_medium_days(self):
        return self._clean_days("medium_days")

    def clean_low_days(self):
        return self._clean_days("low_days")
