"""Forms of the case pages: the report, the list's filters, and one form per step.

Every field is optional to Django where a service rule decides: `check_report` and
the step services say what is missing or wrong, in the same words as the API, and
the view puts each message on its field. The forms only turn text into values
(a date, a number) and say so in Chinese when they cannot.
"""

import json

from django import forms
from django.utils import timezone

from shouwang.accounts.models import Unit
from shouwang.areas import codes
from shouwang.registry.forms import use_chinese_messages
from shouwang.registry.vocab import Sex
from shouwang.web.refusals import RefusalsForm

from . import access
from .services import ACTION_FIELDS, MAX_NOTE, MAX_TEXT, check_report
from .vocab import (
    ActionKind,
    CaseStatus,
    Channel,
    Charge,
    GuardianshipGround,
    Need,
    Outcome,
    Placement,
    PoliceDecision,
    Risk,
    Sensitivity,
    Sentence,
    ServiceType,
    Situation,
    Timeframe,
    Urgency,
)

BLANK = [("", "请选择")]
RADIO = {"class": "form-check-input"}
BUTTONS = {"class": "btn-check", "autocomplete": "off"}  # radios drawn as buttons
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

# The ledger's own key targets (国发〔2016〕13号), listed after the nine of art. 4.
LEDGER_SITUATIONS = (
    Situation.LIVING_ALONE,
    Situation.GUARDIAN_FAILING,
    Situation.NO_HUKOU,
    Situation.OUT_OF_SCHOOL,
)
SITUATION_GROUPS = (
    (
        "高检发〔2020〕9号第四条所列情形",
        [(s.value, s.label) for s in Situation if s not in LEDGER_SITUATIONS],
    ),
    ("台账关注情形", [(s.value, s.label) for s in LEDGER_SITUATIONS]),
)


def _required(form: forms.BaseForm, *names: str) -> None:
    """Mark fields the service requires (the label shows *), Django leaving them be."""
    for name in names:
        form.fields[name].sw_required = True


def _ids(step: str, suffix: str = "") -> str:
    return f"id_{step}{suffix}_%s"


class StepForm(RefusalsForm):
    """A step's form: ids unique on the case page (several forms share field names)."""

    step = ""
    title = ""
    submit = ""

    def __init__(self, *args, suffix: str = "", **kwargs):
        kwargs.setdefault("auto_id", _ids(self.step, suffix))
        super().__init__(*args, **kwargs)
        use_chinese_messages(self)


# The report -----------------------------------------------------------------------------


class ReportForm(StepForm):
    """A mandatory report as typed: the situation, when and where, what was seen, the
    child (a ledger child or a description), and for civil-affairs staff a report
    received by phone on the reporter's behalf."""

    step = "report"

    situation = forms.ChoiceField(
        label="情形",
        required=False,
        choices=SITUATION_GROUPS,
        widget=forms.RadioSelect(attrs=RADIO),
    )
    urgency = forms.ChoiceField(
        label="紧急程度",
        required=False,
        choices=Urgency.choices,
        widget=forms.RadioSelect(attrs=BUTTONS),
    )
    found_at = forms.DateTimeField(
        label="发现时间",
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_FORMAT
        ),
    )
    area_id = forms.ChoiceField(label="发现地所在区划", required=False)
    found_place = forms.CharField(label="发现地点", required=False)
    observed = forms.CharField(
        label="发现的情况", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    child_id = forms.IntegerField(label="台账中的儿童", required=False)
    child_name = forms.CharField(label="儿童姓名", required=False)
    child_sex = forms.ChoiceField(
        label="儿童性别",
        required=False,
        choices=[*Sex.choices, ("", "不清楚")],
        widget=forms.RadioSelect(attrs=BUTTONS),
    )
    child_age = forms.IntegerField(
        label="大致年龄",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 17}),
    )
    child_description = forms.CharField(
        label="儿童描述",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    channel = forms.ChoiceField(
        label="报告方式",
        required=False,
        choices=Channel.choices,
        widget=forms.RadioSelect(attrs=RADIO),
    )
    reporter_name = forms.CharField(label="报告人姓名", required=False)
    reporter_unit = forms.CharField(label="报告单位", required=False)
    reporter_contact = forms.CharField(label="报告人联系方式", required=False)
    anonymous = forms.BooleanField(label="匿名报告（报告人不愿留名）", required=False)

    def __init__(self, *args, user, area_choices, **kwargs):
        now = timezone.localtime()
        kwargs.setdefault(
            "initial",
            {
                "urgency": Urgency.NORMAL,
                "found_at": now.replace(second=0, microsecond=0),
                "channel": Channel.ONLINE,
                "child_sex": "",
            },
        )
        super().__init__(*args, **kwargs)
        self.user = user
        _required(self, "situation", "urgency", "found_at", "found_place", "observed")
        self.fields["found_at"].error_messages["invalid"] = (
            "发现时间应为有效的日期和时间，如 2025-03-08 14:30。"
        )
        self.fields["child_age"].error_messages["invalid"] = (
            "儿童年龄应为 0 到 17 之间的整数，不清楚可不填。"
        )
        self.fields["child_id"].error_messages["invalid"] = (
            "所选儿童无效：请重新选择，或改为填写儿童描述。"
        )
        self.fields["found_at"].widget.attrs["max"] = now.strftime(DATETIME_FORMAT)
        self.fields["found_place"].widget.attrs["placeholder"] = (
            "如：某村村委会旁、某小学门口"
        )
        self.fields["observed"].widget.attrs["placeholder"] = (
            "看到或听到了什么、孩子现在的状况、是否已有人照看"
        )
        self.fields["child_description"].widget.attrs["placeholder"] = (
            "不在台账的儿童（流浪、弃婴等）：性别、大致年龄、衣着和体貌特征、口音等"
        )
        self.fields["area_id"].choices = [
            ("", "本人所在区划" if _reports_in_own_area(user) else "请选择"),
            *area_choices,
        ]
        area = self.fields["area_id"]
        area.help_text = "选择了台账中的儿童时，以儿童户籍所在村为准。"
        self.show_area = len(area_choices) > 1 or not _reports_in_own_area(user)
        self.on_behalf = access.can(user, access.Do.REPORT_ON_BEHALF)
        if not self.on_behalf:
            for name in (
                "channel",
                "reporter_name",
                "reporter_unit",
                "reporter_contact",
                "anonymous",
            ):
                del self.fields[name]
        for name, limit in (
            ("found_place", 200),
            ("observed", MAX_TEXT),
            ("child_name", 30),
            ("child_description", MAX_TEXT),
        ):
            self.fields[name].widget.attrs["data-limit"] = limit

    def clean(self):
        data = super().clean()
        problems = check_report(
            self.user, self.service_values(data), now=timezone.now()
        )
        for field, messages in problems.items():
            if field in self.errors:
                continue
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        on_behalf = any(
            data.get(key)
            for key in (
                "reporter_name",
                "reporter_unit",
                "reporter_contact",
                "anonymous",
            )
        )
        if on_behalf and data.get("channel") != Channel.PHONE:
            # Typed for a phone report, then left as one's own: say so, not drop them.
            self.add_error(
                "channel",
                "填写了报告人信息：代录电话报告请选择“电话报告（代录）”；"
                "本人发现的请清空报告人信息。",
            )
        return data

    def service_values(self, data: dict | None = None) -> dict:
        """The values keyed as services.report_file reads them."""
        data = self.cleaned_data if data is None else data
        values = {
            key: data.get(key)
            for key in (
                "situation",
                "urgency",
                "found_at",
                "area_id",
                "found_place",
                "observed",
                "child_id",
                "child_name",
                "child_sex",
                "child_age",
                "child_description",
            )
            if key not in self.errors
        }
        values["channel"] = data.get("channel") or Channel.ONLINE
        if values["channel"] == Channel.PHONE:
            for key in ("reporter_name", "reporter_unit", "reporter_contact"):
                values[key] = data.get(key) or ""
            values["anonymous"] = bool(data.get("anonymous"))
        return values

    def situation_groups(self) -> list[tuple[str, list]]:
        """The situation's radio buttons under their two headings."""
        buttons = {b.data["value"]: b for b in self["situation"]}
        return [
            (label, [buttons[value] for value, _ in choices])
            for label, choices in SITUATION_GROUPS
        ]

    def errors_in_order(self) -> list[tuple[str, str]]:
        """(label, message) for every error, in the page's order."""
        return [(field.label, error) for field in self for error in field.errors] + [
            ("", error) for error in self.non_field_errors()
        ]


def _reports_in_own_area(user) -> bool:
    """Whether a report with no area given lies in the reporter's own area (a county
    or below: services.report_area)."""
    return bool(user.area_id) and codes.level_of(user.area_id) in (
        codes.Level.COUNTY,
        codes.Level.TOWNSHIP,
        codes.Level.VILLAGE,
    )


# The list -------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *CaseStatus.choices],
    )
    situation = forms.ChoiceField(
        label="情形",
        required=False,
        choices=[("", "全部情形"), *SITUATION_GROUPS],
    )
    overdue = forms.BooleanField(label="只看逾期", required=False)


# Police ---------------------------------------------------------------------------------


class DecideForm(StepForm):
    step = "decide"
    submit = "确认受理"
    title = "受理报告"

    decision = forms.ChoiceField(
        label="受理结果",
        required=False,
        choices=PoliceDecision.choices,
        widget=forms.RadioSelect(attrs=RADIO),
    )
    reason = forms.CharField(
        label="受理说明或不予立案理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不予立案时必填。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "decision")


class FeedbackForm(StepForm):
    step = "feedback"
    submit = "提交反馈"
    title = "向报告单位反馈"

    note = forms.CharField(
        label="反馈内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="受理后3日内告知报告单位案件进展（高检发〔2020〕9号第八条）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "note")


# Civil affairs --------------------------------------------------------------------------


class AssessForm(StepForm):
    step = "assess"
    submit = "保存评估"
    title = "评估"

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    risk = forms.ChoiceField(
        label="风险等级",
        required=False,
        choices=Risk.choices,
        widget=forms.RadioSelect(attrs=BUTTONS),
    )
    needs = forms.MultipleChoiceField(
        label="需求",
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple(attrs=RADIO),
    )
    safety_plan = forms.CharField(
        label="安全计划", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "expected_version": case.version,
                "risk": case.risk,
                "needs": case.needs,
                "safety_plan": case.safety_plan,
            },
        )
        super().__init__(*args, **kwargs)
        _required(self, "risk", "needs", "safety_plan")
        self.title = "修改评估" if case.assessed_at else "评估"
        self.fields["expected_version"].error_messages["required"] = (
            "页面缺少案件版本，请刷新后重新填写。"
        )

    def kept_on(self, case) -> None:
        """Keep what was typed, now against the case's current version (the page
        shows the newer assessment above; a second submit is made knowingly)."""
        data = self.data.copy()
        data["expected_version"] = str(case.version)
        self.data = data


class ReferForm(StepForm):
    step = "refer"
    submit = "发送转介"
    title = "转介成员单位"

    unit = forms.ChoiceField(
        label="转介单位", required=False, choices=[*BLANK, *Unit.choices]
    )
    service = forms.ChoiceField(
        label="服务类型", required=False, choices=[*BLANK, *ServiceType.choices]
    )
    reason = forms.CharField(
        label="转介原因", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    timeframe = forms.TypedChoiceField(
        label="响应时限",
        required=False,
        coerce=int,
        choices=Timeframe.choices,
        initial=Timeframe.THREE_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "unit", "service", "reason", "timeframe")


class CloseForm(StepForm):
    step = "close"
    submit = "确认结案"
    title = "结案"

    outcome = forms.ChoiceField(
        label="结案结果", required=False, choices=[*BLANK, *Outcome.choices]
    )
    note = forms.CharField(
        label="结案说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "outcome", "note")


class ReopenForm(StepForm):
    step = "reopen"
    submit = "重新开启案件"
    title = "重新开启"

    reason = forms.CharField(
        label="重新开启的理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "reason")


class HandlersForm(StepForm):
    step = "handlers"
    submit = "保存经办人"
    title = "调整经办人"

    add = forms.TypedMultipleChoiceField(label="增加经办人", required=False, coerce=int)
    remove = forms.TypedMultipleChoiceField(
        label="移除经办人",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs=RADIO),
    )

    def __init__(self, *args, candidates, current, **kwargs):
        super().__init__(*args, **kwargs)
        named = {h.user_id for h in current}
        self.fields["add"].choices = [
            (u.pk, _person(u)) for u in candidates if u.pk not in named
        ]
        self.fields["add"].widget.attrs["size"] = 4
        self.fields["remove"].choices = [(h.user_id, _person(h.user)) for h in current]
        self.fields["add"].help_text = "可多选（按住 Ctrl 或在手机上逐个点选）。"


def _person(user) -> str:
    unit = user.get_unit_display() if user.unit else user.get_role_display()
    area = user.area.name if user.area_id else ""
    return f"{user.display_name}（{area}{unit}）"


class SensitivityForm(StepForm):
    step = "sensitivity"
    submit = "保存敏感级别"
    title = "调整敏感级别"

    sensitivity = forms.ChoiceField(
        label="敏感级别", required=False, choices=Sensitivity.choices
    )
    reason = forms.CharField(label="调整理由", required=False)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"sensitivity": case.sensitivity})
        super().__init__(*args, **kwargs)
        _required(self, "sensitivity", "reason")
        field = self.fields["sensitivity"]
        field.help_text = (
            "高度敏感：只有经办人可以查看；调高时您、保护专岗和公安自动成为经办人。"
        )


class LinkChildForm(StepForm):
    step = "link"
    submit = "关联该儿童"
    title = "关联台账儿童"

    child_id = forms.IntegerField(label="台账中的儿童", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "child_id")
        self.fields["child_id"].error_messages["invalid"] = "所选儿童无效：请重新选择。"

    def clean(self):
        data = super().clean()
        if "child_id" not in self.errors and not data.get("child_id"):
            self.add_error("child_id", "请先搜索并选择台账中的儿童。")
        return data


# Actions --------------------------------------------------------------------------------

# The vocabularies of an action's own fields (services.ACTION_FIELDS says which kind
# carries which).
ACTION_VOCAB = {
    "ground": GuardianshipGround,
    "placement": Placement,
    "charge": Charge,
    "sentence": Sentence,
    "service": ServiceType,
}


class ActionForm(StepForm):
    step = "action"
    submit = "记录措施"
    title = "记录处置措施"

    kind = forms.ChoiceField(label="措施", required=False)
    occurred_on = forms.DateField(
        label="日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    persons = forms.IntegerField(label="人数（人次）", required=False, min_value=0)
    families = forms.IntegerField(label="户数", required=False, min_value=0)
    cases = forms.IntegerField(label="案件数", required=False, min_value=0)
    ground = forms.ChoiceField(
        label="临时监护情形",
        required=False,
        choices=[*BLANK, *GuardianshipGround.choices],
    )
    placement = forms.ChoiceField(
        label="安置方式", required=False, choices=[*BLANK, *Placement.choices]
    )
    charge = forms.ChoiceField(
        label="罪名", required=False, choices=[*BLANK, *Charge.choices]
    )
    sentence = forms.ChoiceField(
        label="判处", required=False, choices=[*BLANK, *Sentence.choices]
    )
    service = forms.ChoiceField(
        label="措施类型", required=False, choices=[*BLANK, *ServiceType.choices]
    )
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kinds, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _required(self, "kind", "occurred_on")
        self.fields["kind"].choices = [*BLANK, *((k.value, k.label) for k in kinds)]
        self.fields["kind"].widget.attrs["data-action-kind"] = ""
        self.fields["occurred_on"].widget.attrs["max"] = (
            timezone.localdate().isoformat()
        )
        for name in ("persons", "families", "cases"):
            self.fields[name].error_messages["invalid"] = (
                f"{self.fields[name].label}应为 1 到 9999 之间的整数。"
            )
            self.fields[name].error_messages["min_value"] = self.fields[
                name
            ].error_messages["invalid"]
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["note"].widget.attrs["data-limit"] = MAX_NOTE
        # Which kinds each extra field belongs to, and its label per kind (cases.js
        # shows the fields of the chosen kind; without script every field shows).
        for name in ("persons", "families", "cases", *ACTION_VOCAB):
            labels = {
                str(kind): fields[name][0]
                for kind, fields in ACTION_FIELDS.items()
                if name in fields
            }
            self.fields[name].kinds = " ".join(labels)
            self.fields[name].kind_labels_json = json.dumps(labels, ensure_ascii=False)

    def service_values(self) -> dict:
        """The values keyed as services.action_record reads them: the chosen kind's
        own fields only."""
        data = self.cleaned_data
        kind = data.get("kind") or ""
        values = {
            "kind": kind,
            "occurred_on": data.get("occurred_on"),
            "note": data.get("note") or "",
        }
        if kind in ActionKind.values:
            for name in ACTION_FIELDS[kind]:
                values[name] = data.get(name)
        return values


# Referrals ------------------------------------------------------------------------------


class AcceptForm(StepForm):
    step = "accept"
    submit = "接收转介"
    title = "接收转介"


class RejectForm(StepForm):
    step = "reject"
    submit = "确认拒绝"
    title = "拒绝转介"

    reason = forms.CharField(label="拒绝理由", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "reason")


class DoneForm(StepForm):
    step = "done"
    submit = "确认办结"
    title = "办结转介"

    successful = forms.ChoiceField(
        label="办理结果",
        required=False,
        choices=[("1", "办理成功"), ("0", "未成功")],
        widget=forms.RadioSelect(attrs=BUTTONS),
    )
    note = forms.CharField(
        label="办理情况或未成功的原因",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "successful", "note")

    def clean(self):
        data = super().clean()
        if "successful" not in self.errors and not data.get("successful"):
            self.add_error("successful", "请选择办理结果：办理成功或未成功。")
        return data


class RevokeForm(StepForm):
    step = "revoke"
    submit = "确认撤回"
    title = "撤回转介"

    reason = forms.CharField(label="撤回理由", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, "reason")
