"""Forms of the bulletin pages: generate a bulletin (area, period, reference date,
template), upload a template. Dates are checked by periods.parse_period, whose
messages name the field; the area code is resolved by the view (report_area_for),
so that an unknown code and one outside the jurisdiction answer alike."""

from datetime import date

from django import forms

from shouwang.areas.models import Area

from .periods import BadPeriod, Period, parse_date, parse_period

TEMPLATE_AUTO = "auto"
TEMPLATE_DEFAULT = "default"


class DateInput(forms.DateInput):
    input_type = "date"


def _area_choices(areas: list[Area]) -> list[tuple[str, str]]:
    return [(a.code, f"{'　' * _depth(a, areas)}{a.name}") for a in areas]


def _depth(area: Area, areas: list[Area]) -> int:
    top = min((len(a.code.rstrip("0")) for a in areas), default=0)
    return max(0, (len(area.code.rstrip("0")) - top + 1) // 3)


class BulletinForm(forms.Form):
    area = forms.CharField(
        label="区划", max_length=12, error_messages={"required": "请选择区划。"}
    )
    start = forms.CharField(
        label="起始日期", required=False, widget=DateInput(format="%Y-%m-%d")
    )
    end = forms.CharField(
        label="截止日期", required=False, widget=DateInput(format="%Y-%m-%d")
    )
    reference = forms.CharField(
        label="对比基准日",
        required=False,
        widget=DateInput(format="%Y-%m-%d"),
        help_text="留空则为截止日期上一年的12月31日。时点数与该日比，期间数与该年同期比。",
    )
    template = forms.ChoiceField(
        label="模板",
        choices=[
            (
                TEMPLATE_AUTO,
                "本区划在用的模板（没有则用上级的，再没有则用系统默认模板）",
            ),
            (TEMPLATE_DEFAULT, "系统默认模板"),
        ],
        initial=TEMPLATE_AUTO,
    )

    def __init__(self, *args, areas: list[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].widget = forms.Select(choices=_area_choices(areas))
        self.period: Period | None = None

    def clean(self):
        data = super().clean()
        try:
            self.period = parse_period(self.data.get("start"), self.data.get("end"))
        except BadPeriod as error:
            self.add_error("start" if error.field == "from" else "end", error.message)
        try:
            data["reference"] = parse_date(
                self.data.get("reference"), field="reference", label="对比基准日"
            )
        except BadPeriod as error:
            self.add_error("reference", error.message)
        return data

    @property
    def reference_date(self) -> date | None:
        return self.cleaned_data.get("reference")


class TemplateUploadForm(forms.Form):
    area = forms.CharField(
        label="适用区划", max_length=12, error_messages={"required": "请选择区划。"}
    )
    name = forms.CharField(
        label="模板名称",
        max_length=100,
        required=False,
        help_text="如“2026年季度通报”；不填则用文件名。",
    )
    file = forms.FileField(
        label="Word 模板（.docx）",
        help_text="可先下载系统默认模板，在 Word 中修改文字后上传；占位符见“占位符说明”。",
        error_messages={"required": "请选择要上传的 Word 模板（.docx）。"},
    )

    def __init__(self, *args, areas: list[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].widget = forms.Select(choices=_area_choices(areas))
