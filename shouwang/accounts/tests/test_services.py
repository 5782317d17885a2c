"""The account services: who may give which role and area, and what each write audits."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction

from shouwang.accounts import services
from shouwang.accounts.models import Role, Unit, User
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.core.exceptions import DomainError
from tests.factories import FOREIGN_COUNTY, HOME_COUNTY, PASSWORD, make_area, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh-Passw0rd-2027"


@pytest.fixture
def county():
    return make_area(HOME_COUNTY)


@pytest.fixture
def village():
    return make_area(HOME_COUNTY[:6] + "101201", "石门村")


@pytest.fixture
def township():
    return make_area(HOME_COUNTY[:6] + "101000", "桃洪镇")


@pytest.fixture
def manager(county):
    return make_user(Role.CIVIL_AFFAIRS, county, username="manager")


def _create(actor, **fields):
    values = {
        "username": "newcomer",
        "password": NEW_PASSWORD,
        "role": Role.DIRECTOR,
        "area": None,
        **fields,
    }
    return services.user_create(actor=actor, **values)


@contextmanager
def _refused(message: str, field: str | None):
    """The block must raise DomainError(message, field) and create nobody."""
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.message == message
    assert info.value.field == field
    assert not User.objects.filter(username="newcomer").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.USER_CREATE).exists()


# --- user_create ------------------------------------------------------------------


def test_a_manager_creates_a_director(manager, village):
    user = _create(manager, area=village, full_name="石主任", phone="13700000000")
    assert (user.role, user.area, user.unit) == (Role.DIRECTOR, village, "")
    assert (user.full_name, user.phone) == ("石主任", "13700000000")
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff and not user.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.USER_CREATE)
    assert (event.actor, event.actor_name) == (manager, "manager")
    assert (event.object_type, event.object_id) == ("user", str(user.pk))
    assert event.area == village


def test_a_script_creates_a_nationwide_administrator():
    user = _create(None, username="root", role=Role.ADMIN)
    assert user.area is None
    assert user.is_staff and user.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.USER_CREATE)
    assert (event.actor, event.actor_name) == (None, "")


def test_a_script_still_obeys_the_role_levels(township):
    with _refused(
        "儿童主任的管辖区划应为村级区划，而 桃洪镇（430524101000）是乡级区划。",
        "area",
    ):
        _create(None, area=township)


def test_an_unknown_role_is_refused(village):
    with _refused(
        "角色“boss”不存在：应为 admin / civil_affairs / supervisor / director / "
        "department / leader 之一。",
        "role",
    ):
        _create(None, role="boss", area=village)


def test_a_manager_cannot_grant_the_administrator_role(manager):
    with _refused("您不能授予该角色。", "role"):
        _create(manager, role=Role.ADMIN)


def test_a_non_manager_cannot_grant_any_role(village):
    director = make_user(Role.DIRECTOR, village)
    with _refused("您不能授予该角色。", "role"):
        _create(director, area=village)


def test_an_area_outside_the_managers_county_is_refused(manager):
    foreign_village = make_area(FOREIGN_COUNTY[:6] + "101201")
    with _refused("管辖区划必须在您自己的管辖范围内。", "area"):
        _create(manager, area=foreign_village)


def test_a_missing_area_is_named_as_missing(manager):
    with _refused("请选择管辖区划：除系统管理员外，每个账号都要有管辖区划。", "area"):
        _create(manager, area=None)


def test_an_administrator_is_always_nationwide(county):
    admin = make_user(Role.ADMIN, None)
    with _refused("系统管理员的管辖范围是全国，请不要选择管辖区划。", "area"):
        _create(admin, role=Role.ADMIN, area=county)


def test_a_nationwide_administrator_may_create_anywhere():
    admin = make_user(Role.ADMIN, None)
    foreign_village = make_area(FOREIGN_COUNTY[:6] + "101201")
    assert _create(admin, area=foreign_village).area == foreign_village
    assert _create(admin, username="root2", role=Role.ADMIN).area is None


def test_department_staff_need_a_known_unit(manager, county):
    with _refused("成员单位账号必须指定所属单位。", "unit"):
        _create(manager, role=Role.DEPARTMENT, area=county)
    with _refused("成员单位“army”不存在。", "unit"):
        _create(manager, role=Role.DEPARTMENT, area=county, unit="army")
    user = _create(manager, role=Role.DEPARTMENT, area=county, unit=Unit.COURT)
    assert user.unit == Unit.COURT


def test_only_department_staff_have_a_unit(manager, village):
    with _refused("只有成员单位账号才能指定所属单位。", "unit"):
        _create(manager, area=village, unit=Unit.EDUCATION)


def test_department_staff_may_sit_at_a_township_but_not_a_village(manager, village):
    with _refused(
        "成员单位的管辖区划应为省级、市级、县级、乡级区划，"
        "而 石门村（430524101201）是村级区划。",
        "area",
    ):
        _create(manager, role=Role.DEPARTMENT, area=village, unit=Unit.HEALTH)


def test_a_duplicate_username_is_refused_whatever_its_case(manager, village):
    make_user(Role.DIRECTOR, village, username="Newcomer")
    with pytest.raises(DomainError) as info:
        _create(manager, area=village)
    assert info.value.message == "账号“newcomer”已存在：请换一个用户名。"
    assert info.value.field == "username"
    assert User.objects.filter(username__iexact="newcomer").count() == 1


def test_a_weak_password_is_refused_with_every_reason(manager, village):
    with _refused("这个密码太常见了。；密码只包含数字。", "password"):
        _create(manager, area=village, password="12345678")
    with _refused("密码长度太短。密码必须包含至少 8 个字符。", "password"):
        _create(manager, area=village, password="Xy-9q")


def test_a_failed_audit_leaves_no_user(manager, village, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _create(manager, area=village)
    assert not User.objects.filter(username="newcomer").exists()


# --- user_update ------------------------------------------------------------------


def test_update_records_only_what_changed(manager, village, township):
    user = make_user(Role.DIRECTOR, village, full_name="石主任")
    services.user_update(
        actor=manager,
        user=user,
        role=Role.SUPERVISOR,
        area=township,
        full_name="石主任",
        phone="",
    )
    user.refresh_from_db()
    assert (user.role, user.area) == (Role.SUPERVISOR, township)
    event = AuditEvent.objects.get(action=AuditAction.USER_UPDATE)
    assert event.details == {
        "changes": {
            "role": ["director", "supervisor"],
            "area": [village.code, township.code],
        }
    }


def test_update_without_changes_writes_nothing(manager, village):
    user = make_user(Role.DIRECTOR, village, full_name="石主任")
    before = user.updated_at
    services.user_update(
        actor=manager, user=user, role=Role.DIRECTOR, area=village, full_name="石主任"
    )
    user.refresh_from_db()
    assert user.updated_at == before
    assert not AuditEvent.objects.filter(action=AuditAction.USER_UPDATE).exists()


def test_update_checks_the_assignment(manager, village):
    user = make_user(Role.DIRECTOR, village)
    foreign_village = make_area(FOREIGN_COUNTY[:6] + "101201")
    with pytest.raises(DomainError, match=r"^管辖区划必须在您自己的管辖范围内。$"):
        services.user_update(
            actor=manager, user=user, role=Role.DIRECTOR, area=foreign_village
        )
    user.refresh_from_db()
    assert user.area == village


@pytest.mark.parametrize("change", ["role", "area"])
def test_nobody_changes_their_own_role_or_area(manager, county, change):
    city = county.parent
    fields = {"role": Role.CIVIL_AFFAIRS, "area": county}
    fields[change] = {"role": Role.LEADER, "area": city}[change]
    with pytest.raises(DomainError) as info:
        services.user_update(actor=manager, user=manager, **fields)
    assert info.value.message == "不能修改自己的角色或管辖区划：请联系上级管理员。"
    manager.refresh_from_db()
    assert (manager.role, manager.area) == (Role.CIVIL_AFFAIRS, county)


def test_demoting_an_administrator_removes_staff_rights(county):
    admin = make_user(Role.ADMIN, None)
    other = make_user(Role.ADMIN, None)
    assert other.is_superuser
    services.user_update(actor=admin, user=other, role=Role.CIVIL_AFFAIRS, area=county)
    other.refresh_from_db()
    assert not other.is_staff and not other.is_superuser


# --- (de)activation and passwords -------------------------------------------------


def test_set_active_deactivates_and_reactivates_with_audit(manager, village):
    user = make_user(Role.DIRECTOR, village)
    services.user_set_active(actor=manager, user=user, active=False)
    assert not User.objects.get(pk=user.pk).is_active
    services.user_set_active(actor=manager, user=user, active=True)
    assert User.objects.get(pk=user.pk).is_active
    assert list(
        AuditEvent.objects.order_by("id").values_list("action", "object_id")
    ) == [
        (AuditAction.USER_DEACTIVATE, str(user.pk)),
        (AuditAction.USER_ACTIVATE, str(user.pk)),
    ]


def test_nobody_deactivates_themselves(manager):
    with pytest.raises(DomainError, match=r"^不能停用自己的账号。$"):
        services.user_set_active(actor=manager, user=manager, active=False)
    manager.refresh_from_db()
    assert manager.is_active


def test_password_reset_validates_and_audits(manager, village):
    user = make_user(Role.DIRECTOR, village)
    with pytest.raises(DomainError) as info:
        services.user_password_reset(actor=manager, user=user, password="password")
    assert (info.value.message, info.value.field) == ("这个密码太常见了。", "password")
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)

    services.user_password_reset(actor=manager, user=user, password=NEW_PASSWORD)
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.USER_PASSWORD_RESET)
    assert (event.actor, event.object_id) == (manager, str(user.pk))


def test_password_change_audits_the_owner(manager):
    services.password_change(user=manager, password=NEW_PASSWORD)
    assert User.objects.get(pk=manager.pk).check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert (event.actor, event.object_id) == (manager, str(manager.pk))


def test_a_failed_login_records_a_long_username_cut_to_fit():
    services.login_failed_record(username="x" * 300)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor_name == "x" * 150
    assert event.object_id == ""


# --- the model --------------------------------------------------------------------


def test_the_database_refuses_department_staff_without_unit(county):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nounit", role=Role.DEPARTMENT, area=county)


def test_a_user_reads_as_name_and_role(village):
    user = make_user(Role.DIRECTOR, village, full_name="石主任")
    assert str(user) == "石主任（儿童主任）"
    user.full_name = ""
    assert str(user) == f"{user.username}（儿童主任）"
    assert user.display_name == user.username
