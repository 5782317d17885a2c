"""Forms of the responsibility and confirmation pages: every message in Chinese,
naming the field and the fix; the services check again."""

from django import forms
from django.utils import timezone

from shouwang.registry.forms import DATE_WIDGET, use_chinese_messages

from .attachments import AttachmentsField, check_uploads, limits_help


class DirectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class ResponsibilityForm(forms.Form):
    """Children of one village (checkboxes), a director of that village and/or a
    包联干部, and a note."""

    children = forms.TypedMultipleChoiceField(
        label="儿童",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    director = DirectorChoiceField(
        label="责任儿童主任",
        queryset=None,
        required=False,
        empty_label="（不调整）",
    )
    cadre_name = forms.CharField(label="包联干部姓名", max_length=30, required=False)
    cadre_phone = forms.CharField(label="包联干部电话", max_length=20, required=False)
    change_cadre = forms.BooleanField(label="同时调整包联干部", required=False)
    note = forms.CharField(
        label="说明",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：原儿童主任调离"}),
    )

    def __init__(self, *args, children, directors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(c.pk, c.name) for c in children]
        self.fields["director"].queryset = directors
        use_chinese_messages(self)
        self.fields["children"].error_messages["invalid_choice"] = (
            "所选儿童不在本村的在册儿童中：请刷新页面后重新选择。"
        )
        self.fields["director"].error_messages["invalid_choice"] = (
            "所选儿童主任不是本村在岗的儿童主任：请从列表中选择。"
        )

    def clean(self):
        data = super().clean()
        if "children" in data and not data["children"]:
            self.add_error("children", "请选择要调整责任人的儿童。")
        wants_cadre = data.get("change_cadre") or data.get("cadre_name")
        if not data.get("director") and not wants_cadre and not self.errors:
            self.add_error("director", "请选择责任儿童主任或填写包联干部。")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        wants_cadre = data["change_cadre"] or data["cadre_name"]
        return {
            "child_ids": data["children"],
            "director_id": data["director"].pk if data["director"] else None,
            "cadre_name": data["cadre_name"] if wants_cadre else None,
            "cadre_phone": data["cadre_phone"] if wants_cadre else None,
            "note": data["note"],
        }


class UnassignedForm(forms.Form):
    """把本村未指定责任人的儿童指定给… one director of the village."""

    director = DirectorChoiceField(label="儿童主任", queryset=None)

    def __init__(self, *args, directors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["director"].queryset = directors
        use_chinese_messages(self)
        self.fields["director"].error_messages["invalid_choice"] = (
            "所选儿童主任不是本村在岗的儿童主任：请从列表中选择。"
        )


class ConfirmationForm(forms.Form):
    """A signed 委托监护责任确认书 and its scanned pages."""

    signed_on = forms.DateField(label="签订日期", widget=DATE_WIDGET)
    valid_until = forms.DateField(label="有效期至", widget=DATE_WIDGET, required=False)
    entrusting_parties = forms.CharField(label="委托方（父母）", max_length=100)
    entrusted_guardian = forms.CharField(label="受委托监护人", max_length=60)
    committee_signatory = forms.CharField(label="村（居）委会经办人", max_length=60)
    note = forms.CharField(
        label="备注",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = AttachmentsField(label="确认书扫描件")

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["attachments"].help_text = limits_help() + "每页一张照片亦可。"
        use_chinese_messages(self)
        self.fields["entrusting_parties"].widget.attrs["placeholder"] = (
            "如：父亲张建国、母亲李丽"
        )

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("签订日期不能晚于今天。")
        if value < self.child.birth_date:
            raise forms.ValidationError(
                f"签订日期不能早于儿童的出生日期（{self.child.birth_date:%Y-%m-%d}）。"
            )
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        problems = check_uploads(files)
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        signed, until = data.get("signed_on"), data.get("valid_until")
        if signed and until and until <= signed:
            self.add_error("valid_until", "有效期至应晚于签订日期。")
        return data


class PatchLeaderForm(forms.Form):
    """Set or change the 包片 leader of one area of the township."""

    area = forms.ChoiceField(label="包片区域")
    name = forms.CharField(label="包片领导姓名", max_length=30)
    title = forms.CharField(label="职务", max_length=60, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    started_on = forms.DateField(label="起始日期", widget=DATE_WIDGET)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, a.name) for a in areas]
        self.fields["started_on"].initial = timezone.localdate()
        use_chinese_messages(self)


class PatchLeaderEndForm(forms.Form):
    area = forms.CharField(widget=forms.HiddenInput)
    ended_on = forms.DateField(label="结束日期", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_chinese_messages(self)
