"""The visit form: every field optional to Django, so that services.visit.check_visit
alone says what is missing or wrong, in the same words as the API and the service."""

from django import forms
from django.utils import timezone

from shouwang.registry.forms import use_chinese_messages

from .attachments import AttachmentsField, check_uploads, limits_help
from .models import FINDING_ASPECTS, Finding, VisitMode
from .services.visit import MAX_NAMES, MAX_NOTE, MAX_TEXT, VISIT_FIELDS, check_visit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Radio buttons drawn as large toggle buttons (Bootstrap's btn-check).
BUTTONS = {"class": "btn-check", "autocomplete": "off"}


class VisitForm(forms.Form):
    """A visit's values as typed; `uploads` are the chosen files, checked by content."""

    visit_date = forms.DateField(label="走访日期", required=False, widget=DATE_WIDGET)
    mode = forms.ChoiceField(
        label="走访方式",
        required=False,
        choices=VisitMode.choices,
        widget=forms.RadioSelect(attrs=BUTTONS),
    )
    visitors = forms.CharField(label="走访人员", required=False)
    met = forms.CharField(label="见到的人", required=False)
    problems = forms.CharField(
        label="发现的问题", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label="采取的措施", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    followup_needed = forms.BooleanField(label="需要跟进", required=False)
    followup_due = forms.DateField(label="跟进期限", required=False, widget=DATE_WIDGET)
    attachments = AttachmentsField(label="照片或扫描件")

    def __init__(self, *args, child, user, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {
                "visit_date": today,
                "mode": VisitMode.HOME,
                "visitors": user.display_name,
            },
        )
        super().__init__(*args, **kwargs)
        self.child = child
        self.today = today
        for name, label in FINDING_ASPECTS:
            self.fields[name] = forms.ChoiceField(
                label=f"{label}情况",
                required=False,
                choices=Finding.choices,
                widget=forms.RadioSelect(attrs=BUTTONS),
            )
            self.fields[f"{name}_note"] = forms.CharField(
                label=f"{label}情况说明",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*VISIT_FIELDS, "attachments"])
        use_chinese_messages(self)
        # The browser keeps what was typed beyond a limit as typed (no maxlength): the
        # message says how much to cut, instead of the phone dropping characters.
        for name, limit in (
            ("visitors", MAX_NAMES),
            ("met", MAX_NAMES),
            ("problems", MAX_TEXT),
            ("measures", MAX_TEXT),
            *((f"{n}_note", MAX_NOTE) for n, _ in FINDING_ASPECTS),
        ):
            self.fields[name].widget.attrs["data-limit"] = limit
        self.fields["visit_date"].widget.attrs["max"] = today.isoformat()
        if child.birth_date:
            self.fields["visit_date"].widget.attrs["min"] = child.birth_date.isoformat()
        self.fields["attachments"].help_text = limits_help()
        self.fields["visitors"].widget.attrs["autocomplete"] = "name"
        self.fields["met"].widget.attrs["placeholder"] = "如：祖母王桂兰、儿童本人"
        self.uploads = list(self.files.getlist("attachments")) if self.files else []

    def clean(self):
        data = super().clean()
        values = {k: v for k, v in data.items() if k not in self.errors}
        problems = check_visit(
            values, birth_date=self.child.birth_date, today=self.today
        )
        for field, messages in problems.items():
            if field in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)
        for message in check_uploads(self.uploads):
            self.add_error("attachments", message)
        return data

    def service_data(self) -> dict:
        """The cleaned values keyed as services.visit.visit_record reads them."""
        return {field: self.cleaned_data.get(field) for field in VISIT_FIELDS}

    def aspects(self):
        """(finding field, note field) for the five aspects, in order."""
        return [(self[name], self[f"{name}_note"]) for name, _ in FINDING_ASPECTS]

    def errors_in_order(self) -> list[tuple[str, str, str]]:
        """(field name, label, message) for every error, in the page's order."""
        return [
            (field.name, field.label, error) for field in self for error in field.errors
        ] + [("", "", error) for error in self.non_field_errors()]
