from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html

from shouwang.areas.models import Area
from shouwang.areas.selectors import area_choices_for

from . import access
from .models import Role, Unit, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。注意：连续多次输错，账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系本级民政部门的管理员。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})

    def get_invalid_login_error(self):
        # Django refuses deactivated accounts before it can say so; tell the person
        # (only when the password was right, so nothing is revealed to a guesser).
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        user = User.objects.filter(username=username, is_active=False).first()
        if user is not None and password and user.check_password(password):
            return forms.ValidationError(
                self.error_messages["inactive"], code="inactive"
            )
        return super().get_invalid_login_error()


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}（{obj.code}·{obj.get_level_display()}）"


class UserFormBase(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    role = forms.ChoiceField(label="角色")
    area = AreaChoiceField(
        label="管辖区划",
        queryset=Area.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选区划不存在或不在您的管辖范围内。"},
    )
    unit = forms.ChoiceField(
        label="成员单位", required=False, help_text="仅成员单位账号填写"
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (r, Role(r).label) for r in access.ASSIGNABLE_ROLES.get(actor.role, ())
        ]
        self.fields["unit"].choices = [("", "（无）"), *Unit.choices]
        self.fields["area"].queryset = area_choices_for(viewer=actor)


class UserCreateForm(UserFormBase):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 @ . + - _ 字符。"},
    )
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )

    field_order = ["username", "full_name", "phone", "role", "area", "unit", "password"]


class UserUpdateForm(UserFormBase):
    pass


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
