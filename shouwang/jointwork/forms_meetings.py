"""The forms of member units, meetings and tasks: they only parse (dates, choices,
files); the rules and their messages live in services_meetings and come back by
field. A meeting's decisions are numbered slots d1…dN, each with task slots
d1_t1…d1_tM (unit, title, deadline); an empty slot is left out."""

import contextlib

from django import forms

from shouwang.visits.attachments import AttachmentsField, limits_help
from shouwang.web.refusals import RefusalsForm

from .services_meetings import DecisionEntry, TaskEntry
from .vocab import UNIT_CHOICES

DECISION_SLOTS = 5
TASK_SLOTS = 3
MAX_DECISION_SLOTS = 20


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"请填写{label}（年-月-日）。",
            "invalid": f"{label}格式不对：请按“年-月-日”填写，如 2026-09-01。",
        },
    )


class VersionForm(RefusalsForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MemberUnitForm(VersionForm):
    duties = forms.CharField(
        label="职责分工", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    is_office = forms.BooleanField(label="联席会议办公室设在本单位", required=False)
    contacts = forms.TypedMultipleChoiceField(
        label="联络人",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="本级该单位的在用账号。",
        error_messages={
            "invalid_choice": "联络人须是本级该单位的在用账号，请从列表中选择。"
        },
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].choices = [
            (u.pk, u.full_name or u.username) for u in candidates
        ]


class MeetingForm(RefusalsForm):
    title = forms.CharField(
        label="会议名称", error_messages={"required": "请填写会议名称。"}
    )
    held_on = _date("召开日期")
    attendees = forms.MultipleChoiceField(
        label="参会单位",
        required=False,
        choices=UNIT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "参会单位须从成员单位中选择。"},
    )
    minutes = forms.FileField(
        label="会议纪要",
        required=False,
        help_text="可选。PDF 扫描件或照片。",
    )
    notes = forms.CharField(
        label="会议情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    slots = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, slots: int = DECISION_SLOTS, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            with contextlib.suppress(ValueError):
                slots = int(self.data.get("slots") or slots)
        self.n_slots = max(1, min(slots, MAX_DECISION_SLOTS))
        self.initial.setdefault("slots", self.n_slots)
        for d in range(1, self.n_slots + 1):
            self.fields[f"d{d}_text"] = forms.CharField(
                label=f"议定事项{d}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for t in range(1, TASK_SLOTS + 1):
                prefix = f"d{d}_t{t}"
                self.fields[f"{prefix}_unit"] = forms.ChoiceField(
                    label=f"任务{t}承办单位",
                    required=False,
                    choices=[("", "请选择"), *UNIT_CHOICES],
                    error_messages={"invalid_choice": "请从列表中选择承办单位。"},
                )
                self.fields[f"{prefix}_title"] = forms.CharField(
                    label=f"任务{t}内容", required=False
                )
                self.fields[f"{prefix}_deadline"] = _date(
                    f"任务{t}办理期限", required=False
                )

    @property
    def decision_slots(self):
        """(decision field, [(unit, title, deadline) bound fields]) for the page."""
        for d in range(1, self.n_slots + 1):
            yield (
                self[f"d{d}_text"],
                [
                    (
                        self[f"d{d}_t{t}_unit"],
                        self[f"d{d}_t{t}_title"],
                        self[f"d{d}_t{t}_deadline"],
                    )
                    for t in range(1, TASK_SLOTS + 1)
                ],
            )

    @property
    def fixed_fields(self):
        return [
            self[name] for name in ("title", "held_on", "attendees", "minutes", "notes")
        ]

    def decisions(self) -> list[DecisionEntry]:
        """The filled slots: a decision with text or any task value, a task with any
        of its three values."""
        data = self.cleaned_data
        found = []
        for d in range(1, self.n_slots + 1):
            tasks = []
            for t in range(1, TASK_SLOTS + 1):
                prefix = f"d{d}_t{t}"
                unit = data.get(f"{prefix}_unit") or ""
                title = (data.get(f"{prefix}_title") or "").strip()
                deadline = data.get(f"{prefix}_deadline")
                if unit or title or deadline:
                    tasks.append(TaskEntry(prefix, unit, title, deadline))
            text = (data.get(f"d{d}_text") or "").strip()
            if text or tasks:
                found.append(DecisionEntry(f"d{d}", text, tasks))
        return found


class VoidForm(RefusalsForm):
    reason = forms.CharField(
        label="作废原因",
        max_length=200,
        error_messages={"required": "请填写作废原因。"},
    )


class ReportForm(VersionForm):
    text = forms.CharField(
        label="办理情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写办理情况。"},
    )
    percent = forms.IntegerField(
        label="进度（%）",
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "进度须是0到100之间的整数。",
            "min_value": "进度须在0到100之间。",
            "max_value": "进度须在0到100之间。",
        },
    )
    done = forms.BooleanField(label="已办结，报办公室确认", required=False)
    attachments = AttachmentsField(label="附件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = limits_help()


class ReturnForm(VersionForm):
    reason = forms.CharField(
        label="退回原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写退回原因。"},
    )


class NoticeForm(RefusalsForm):
    new_deadline = _date("新的办理期限")
    text = forms.CharField(
        label="督办事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="可选：写明督办要求，印在通知中。",
    )
