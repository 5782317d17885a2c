"""The forms of the exchange pages: a list upload, an alert's decision, the worklist's
filter and a county's deadline."""

from django import forms
from django.conf import settings

from shouwang.web.refusals import RefusalsForm

from .alerts import MAX_DAYS, MIN_DAYS, REASON_LIMIT, REASON_REQUIRED
from .vocab import AlertState, ListKind


class ListUploadForm(RefusalsForm):
    """A department list: its kind (those the user may send), the area it covers
    (default: one's own) and the file."""

    kind = forms.ChoiceField(
        label="名单类型",
        error_messages={
            "required": "请选择名单类型。",
            "invalid_choice": "请从列表中选择您可以报送的名单类型。",
        },
    )
    area = forms.CharField(
        label="名单地区代码",
        required=False,
        max_length=12,
        help_text="12位行政区划代码；不填则为您的管辖区划。",
        error_messages={"max_length": "区划代码应为12位数字。"},
    )
    file = forms.FileField(
        label="名单文件",
        help_text=(
            "支持 .xlsx、.xls、.ods、.csv；第1行为表头（各类名单的列见下方说明，"
            "顺序不限），从第2行起每行一人。"
        ),
        error_messages={
            "required": "请选择要上传的名单文件。",
            "empty": "文件是空的：请选择填好的名单文件。",
            "invalid": "没有收到文件：请重新选择名单文件后上传。",
            "missing": "没有收到文件：请重新选择名单文件后上传。",
        },
    )

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + [
            (kind, ListKind(kind).label) for kind in kinds
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ROSTER_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过了 {limit} MB 的上限："
                "请删除无关的工作表和格式后另存，或拆分成几个文件分别上传。"
            )
        return upload


class AlertAcceptForm(RefusalsForm):
    """Accept: the version the page showed (a newer one refuses)."""

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "页面已过期：请刷新后再处理。",
            "invalid": "页面已过期：请刷新后再处理。",
        },
    )


class AlertRejectForm(AlertAcceptForm):
    """Reject: the version the page showed and the reason."""

    reason = forms.CharField(
        label="不采纳的原因",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": REASON_REQUIRED,
            "max_length": f"不采纳原因最多{REASON_LIMIT}个字。",
        },
    )


STATE_CHOICES = [("", "全部状态"), *AlertState.choices]


class AlertFilterForm(forms.Form):
    """The worklist's filter: state (default 待核实), village, overdue only."""

    state = forms.ChoiceField(label="状态", required=False, choices=STATE_CHOICES)
    village = forms.ChoiceField(label="村（社区）", required=False)
    overdue = forms.BooleanField(label="只看逾期", required=False)

    def __init__(self, *args, villages, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "全部村（社区）")] + [
            (v.code, f"{v.parent.name} {v.name}" if v.parent_id else v.name)
            for v in villages
        ]


class AlertPolicyForm(RefusalsForm):
    """A county's deadline for handling alerts, in days."""

    county = forms.ChoiceField(
        label="县（市、区）",
        error_messages={
            "required": "请选择县（市、区）。",
            "invalid_choice": "请从列表中选择您管辖的县（市、区）。",
        },
    )
    days = forms.IntegerField(
        label="核实时限（天）",
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        error_messages={
            "required": f"请填写核实时限（{MIN_DAYS}至{MAX_DAYS}天的整数）。",
            "invalid": f"核实时限应为{MIN_DAYS}至{MAX_DAYS}天的整数。",
            "min_value": f"核实时限应为{MIN_DAYS}至{MAX_DAYS}天的整数。",
            "max_value": f"核实时限应为{MIN_DAYS}至{MAX_DAYS}天的整数。",
        },
    )

    def __init__(self, *args, counties, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(c.code, c.name) for c in counties]
