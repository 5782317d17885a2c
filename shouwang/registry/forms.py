from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from shouwang.accounts.models import Role, User
from shouwang.areas.models import Area
from shouwang.areas.selectors import area_list_for
from shouwang.core.idnumber import InvalidIdNumber, parse_id_number

from .models import Child
from .rules import PERSON_NAME_FIELDS, check_child, normal_person_name
from .selectors import AGE_BANDS, CATEGORY_FILTERS, DIFFICULTY_FILTERS
from .services import FACT_FIELDS
from .vocab import Assistance, ExitReason, RiskLevel, Schooling, WeaknessType

# The form edits the facts the services track, in the order the page shows them.
EDITABLE = [name.removesuffix("_id") for name in FACT_FIELDS]
SECTIONS = (
    ("基本信息", EDITABLE[:16]),
    ("父母情况", EDITABLE[16:26]),
    ("监护与家庭", EDITABLE[26:36]),
    ("其他", EDITABLE[36:]),
)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ID_FIELDS = ("id_number", "father_id_number", "mother_id_number", "guardian_id_number")


class YesNoUnknownSelect(forms.NullBooleanSelect):
    """是 / 否 / （未填）, showing a stored True or False as selected."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "（未填）"), ("true", "是"), ("false", "否")]


def use_chinese_messages(form: forms.BaseForm) -> None:
    """Messages that name the field and say what to do, instead of Django's generic
    "这个字段是必填项" / "选择一个有效的选项" (the error list may show them out of place)."""
    for field in form.fields.values():
        label = field.label
        choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
        field.error_messages["required"] = (
            f"请选择{label}。" if choosing else f"请填写{label}。"
        )
        if choosing:
            field.error_messages["invalid_choice"] = (
                f"“%(value)s”不是可选的{label}：请从列表中选择。"
            )
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = f"{label}应为有效日期，如 2015-03-08。"
        if isinstance(field, forms.CharField) and field.max_length:
            field.error_messages["max_length"] = (
                f"{label}最多%(limit_value)d个字符，当前%(show_value)d个。"
            )


def normal_id_number(value: str | None) -> str:
    """A valid number in its stored form (ASCII, upper-case X); anything else as typed
    (trimmed), for the record checks to name what is wrong with it."""
    value = (value or "").strip()
    try:
        return parse_id_number(value).value
    except InvalidIdNumber:
        return value.upper()


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name if obj.parent else ''} {obj.name}".strip()


class DirectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.area.name if obj.area else ''}）"


class ChildForm(forms.ModelForm):
    """A child's facts; every rule of registry.rules is checked in clean()."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    hukou_registered = forms.TypedChoiceField(
        label="户口登记状况",
        choices=[("1", "已登记"), ("0", "未登记")],
        coerce=lambda v: v == "1",
        initial="1",
    )
    family_assistance = forms.MultipleChoiceField(
        label="家庭救助帮扶情况",
        choices=Assistance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    boarding = forms.NullBooleanField(
        label="是否寄宿", required=False, widget=YesNoUnknownSelect
    )

    class Meta:
        model = Child
        fields = EDITABLE
        widgets = {
            "birth_date": DATE_WIDGET,
            "confirmation_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {
            "village": VillageChoiceField,
            "responsible_director": DirectorChoiceField,
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        use_chinese_messages(self)
        villages = (
            area_list_for(viewer=actor).filter(level="village").select_related("parent")
        )
        self.fields["village"].queryset = villages
        self.fields["village"].error_messages["invalid_choice"] = (
            "所选村（社区）不存在或不在您的管辖范围内。"
        )
        self.fields["responsible_director"].error_messages["invalid_choice"] = (
            "所选责任儿童主任不存在或不在您的管辖范围内。"
        )
        for name in ID_FIELDS:
            # The record checks say "应为18位，当前为19位"; a browser's maxlength would
            # silently cut a pasted number with a space in front of it instead.
            field = self.fields[name]
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
            field.widget.attrs.pop("maxlength", None)
        if villages.count() == 1 and not self.instance.pk:
            self.fields["village"].initial = villages.first()
        self.fields["responsible_director"].queryset = (
            User.objects.filter(role=Role.DIRECTOR, is_active=True, area__in=villages)
            .select_related("area")
            .order_by("area_id", "full_name")
        )
        self.fields[
            "id_number"
        ].help_text = "18位；末位 X 大小写均可。户口未登记的可不填。"
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text"}
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.initial["hukou_registered"] = (
                "1" if self.instance.hukou_registered else "0"
            )

    def validate_unique(self):
        # The service checks ID clashes itself, naming only the county of a record that
        # lies outside the worker's jurisdiction; the model's check would say more.
        pass

    def clean_id_number(self):
        return normal_id_number(self.cleaned_data.get("id_number")) or None

    def clean_father_id_number(self):
        return normal_id_number(self.cleaned_data.get("father_id_number"))

    def clean_mother_id_number(self):
        return normal_id_number(self.cleaned_data.get("mother_id_number"))

    def clean_guardian_id_number(self):
        return normal_id_number(self.cleaned_data.get("guardian_id_number"))

    def clean(self):
        data = super().clean()
        for name in PERSON_NAME_FIELDS:
            if isinstance(data.get(name), str):
                data[name] = normal_person_name(data[name])  # ・ • ． → ·
        values = {k: v for k, v in data.items() if k not in self.errors}
        for field, messages in check_child(values, today=timezone.localdate()).items():
            target = field if field in self.fields else None
            for message in messages:
                if target is None or target not in self.errors:
                    self.add_error(target, message + "。")
        return data

    def sections(self):
        """The fields grouped as the page shows them."""
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def service_data(self) -> dict:
        """The cleaned values keyed by Child attribute names, for the services."""
        data = {k: v for k, v in self.cleaned_data.items() if k in EDITABLE}
        data["village_id"] = data.pop("village").pk
        director = data.pop("responsible_director")
        data["responsible_director_id"] = director.pk if director else None
        data["family_assistance"] = sorted(data.get("family_assistance") or [])
        return data


class ChildFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50)
    area = forms.CharField(label="区划", required=False, max_length=12)
    category = forms.ChoiceField(label="类别", required=False)
    difficulty = forms.ChoiceField(label="困境类型", required=False)
    weakness = forms.ChoiceField(label="监护能力薄弱类型", required=False)
    risk = forms.ChoiceField(label="风险等级", required=False)
    age_band = forms.ChoiceField(label="年龄段", required=False)
    schooling = forms.ChoiceField(label="就学状况", required=False)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("active", "在册"), ("exited", "已退出"), ("all", "全部")],
    )
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[
            ("name", "按姓名拼音"),
            ("village", "按村（社区）"),
            ("birth", "按出生日期（早→晚）"),
            ("-birth", "按出生日期（晚→早）"),
            ("-updated", "最近修改"),
        ],
    )

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", "全部")]
        self.fields["category"].choices = every + [(k, k) for k in CATEGORY_FILTERS]
        self.fields["difficulty"].choices = every + [(k, k) for k in DIFFICULTY_FILTERS]
        self.fields["weakness"].choices = every + list(WeaknessType.choices)
        self.fields["risk"].choices = every + list(RiskLevel.choices) + [("无", "无")]
        self.fields["age_band"].choices = every + [(k, f"{k}岁") for k in AGE_BANDS]
        self.fields["schooling"].choices = every + list(Schooling.choices)
        self.fields["area"].widget = forms.Select(
            choices=[("", "全部区划"), *area_choices]
        )


class ExitForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "请求缺少版本号，请刷新页面后重试。",
            "invalid": "请求缺少版本号，请刷新页面后重试。",
        },
    )
    reason = forms.ChoiceField(
        label="退出原因",
        choices=[("", "请选择"), *ExitReason.choices],
        error_messages={
            "required": "请选择退出原因。",
            "invalid_choice": "“%(value)s”不是可选的退出原因：请从列表中选择。",
        },
    )
    exit_date = forms.DateField(
        label="退出日期",
        widget=DATE_WIDGET,
        error_messages={
            "invalid": "退出日期格式应为 2026-01-31。",
            "required": "请填写退出日期。",
        },
    )
    note = forms.CharField(
        label="说明",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_exit_date(self):
        value = self.cleaned_data["exit_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("退出日期不能晚于今天。")
        return value
