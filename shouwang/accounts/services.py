"""Writes to accounts: creating, changing and deactivating users; password changes."""

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError

from . import access
from .models import Role, Unit, User


def _check_assignment(*, actor, role: str, area: Area | None, unit: str) -> None:
    """Raise DomainError unless actor may give this role, area and unit to a user."""
    if role not in Role.values:
        raise DomainError(
            f"角色“{role}”不存在：应为 {' / '.join(Role.values)} 之一。", field="role"
        )
    if actor is not None and role not in access.ASSIGNABLE_ROLES.get(actor.role, ()):
        raise DomainError("您不能授予该角色。", field="role")
    if area is None and role != Role.ADMIN:
        raise DomainError(
            "请选择管辖区划：除系统管理员外，每个账号都要有管辖区划。", field="area"
        )
    if actor is not None:
        # Only a nationwide manager may hand out the whole country.
        if area is None:
            inside = access.jurisdiction_prefix(actor) == ""
        else:
            inside = access.in_jurisdiction(actor, area.code)
        if not inside:
            raise DomainError("管辖区划必须在您自己的管辖范围内。", field="area")
    if role == Role.ADMIN and area is not None:
        raise DomainError(
            "系统管理员的管辖范围是全国，请不要选择管辖区划。", field="area"
        )
    if area is not None and area.level not in access.ROLE_LEVELS[role]:
        allowed = "、".join(
            codes.LEVEL_LABELS[level]
            for level in codes.Level
            if level in access.ROLE_LEVELS[role]
        )
        raise DomainError(
            f"{Role(role).label}的管辖区划应为{allowed}区划，"
            f"而 {area.name}（{area.code}）是{codes.LEVEL_LABELS[codes.Level(area.level)]}区划。",
            field="area",
        )
    if role == Role.DEPARTMENT and not unit:
        raise DomainError("成员单位账号必须指定所属单位。", field="unit")
    if unit and unit not in Unit.values:
        raise DomainError(f"成员单位“{unit}”不存在。", field="unit")
    if role != Role.DEPARTMENT and unit:
        raise DomainError("只有成员单位账号才能指定所属单位。", field="unit")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError("；".join(error.messages), field="password") from error


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    area: Area | None,
    unit: str = "",
    full_name: str = "",
    phone: str = "",
) -> User:
    """Create a user with a checked role, area and unit; audited. actor None: a script."""
    _check_assignment(actor=actor, role=role, area=area, unit=unit)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"账号“{username}”已存在：请换一个用户名。", field="username")
    user = User(
        username=username,
        role=role,
        area=area,
        unit=unit,
        full_name=full_name,
        phone=phone,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.USER_CREATE,
        obj=user,
        area=area,
        details={"username": username, "role": role, "unit": unit},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    role: str,
    area: Area | None,
    unit: str = "",
    full_name: str = "",
    phone: str = "",
) -> User:
    """Change a user's role, area, unit and contact details; the changes are audited."""
    if user.pk == actor.pk and (role != user.role or area != user.area):
        raise DomainError(
            "不能修改自己的角色或管辖区划：请联系上级管理员。", field="role"
        )
    _check_assignment(actor=actor, role=role, area=area, unit=unit)
    before = {
        "role": user.role,
        "area": user.area_id,
        "unit": user.unit,
        "full_name": user.full_name,
        "phone": user.phone,
    }
    user.role, user.area, user.unit = role, area, unit
    user.full_name, user.phone = full_name, phone
    user.is_staff = user.is_superuser = role == Role.ADMIN
    after = {
        "role": role,
        "area": area.pk if area else None,
        "unit": unit,
        "full_name": full_name,
        "phone": phone,
    }
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        user.save()
        audit_record(
            actor=actor,
            action=AuditAction.USER_UPDATE,
            obj=user,
            area=area,
            details={"changes": changed},
        )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (never delete) or re-activate a user; audited."""
    if user.pk == actor.pk:
        raise DomainError("不能停用自己的账号。")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active", "updated_at"])
        if active:
            axes_reset(username=user.username)
        audit_record(
            actor=actor,
            action=AuditAction.USER_ACTIVATE if active else AuditAction.USER_DEACTIVATE,
            obj=user,
            area=user.area,
        )
    return user


@transaction.atomic
def user_password_reset(*, actor: User, user: User, password: str) -> User:
    """Set a new password for another user and lift any login lockout; audited."""
    if user.pk == actor.pk:
        raise DomainError("请通过右上角的“修改密码”修改自己的密码。", field="password")
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    axes_reset(username=user.username)
    audit_record(
        actor=actor, action=AuditAction.USER_PASSWORD_RESET, obj=user, area=user.area
    )
    return user


@transaction.atomic
def password_change(*, user: User, password: str) -> User:
    """Change one's own password (already validated by the form); audited."""
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    audit_record(
        actor=user, action=AuditAction.PASSWORD_CHANGE, obj=user, area=user.area
    )
    return user


def login_record(*, user: User) -> None:
    """Audit a successful login."""
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user, area=user.area)


def login_failed_record(*, username: str) -> None:
    """Audit a failed login attempt (the username tried, never the password)."""
    user = User.objects.filter(username=username).only("pk", "area_id").first()
    audit_record(
        actor=None,
        actor_name=username[:150],
        action=AuditAction.LOGIN_FAILED,
        object_type="user",
        object_id=str(user.pk) if user else "",
        area_code=user.area_id if user else None,
    )


def logout_record(*, user: User) -> None:
    """Audit a logout."""
    audit_record(actor=user, action=AuditAction.LOGOUT, obj=user, area=user.area)
