"""`manage.py user_create`: accounts for scripts, the password read from standard input."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from shouwang.accounts.models import Role, Unit, User
from shouwang.audit.models import AuditAction, AuditEvent
from tests.factories import HOME_COUNTY, make_area

pytestmark = pytest.mark.django_db

SECRET = "Script-Passw0rd-2026"
VILLAGE = HOME_COUNTY[:6] + "101201"


@pytest.fixture
def village():
    return make_area(VILLAGE, "石门村")


def _run(monkeypatch, *args, stdin: str = SECRET + "\n", **options) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("user_create", *args, stdout=out, **options)
    return out.getvalue()


def _refused(monkeypatch, message: str, *args, **options) -> None:
    with pytest.raises(CommandError) as info:
        _run(monkeypatch, *args, **options)
    assert str(info.value) == message
    assert info.value.returncode == 2
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_creates_a_director_with_a_usable_password(monkeypatch, village):
    out = _run(
        monkeypatch,
        "shi_zhuren",
        role="director",
        area=VILLAGE,
        full_name="石主任",
        password_stdin=True,
    )
    assert out == "已创建账号 shi_zhuren（儿童主任）。\n"
    user = User.objects.get(username="shi_zhuren")
    assert (user.role, user.area, user.full_name) == (Role.DIRECTOR, village, "石主任")
    assert user.has_usable_password()
    assert user.check_password(SECRET)
    event = AuditEvent.objects.get(action=AuditAction.USER_CREATE)
    assert (event.actor, event.object_id) == (None, str(user.pk))


def test_reads_only_the_first_line_and_strips_a_windows_newline(monkeypatch, village):
    _run(
        monkeypatch,
        "shi_zhuren",
        role="director",
        area=VILLAGE,
        password_stdin=True,
        stdin=SECRET + "\r\nsecond line\n",
    )
    assert User.objects.get(username="shi_zhuren").check_password(SECRET)


def test_creates_a_nationwide_administrator_without_area(monkeypatch):
    _run(monkeypatch, "root", role="admin", password_stdin=True)
    user = User.objects.get(username="root")
    assert user.area is None
    assert user.is_superuser


def test_creates_department_staff_with_a_unit(monkeypatch):
    make_area(HOME_COUNTY)
    _run(
        monkeypatch,
        "police_liu",
        role="department",
        area=HOME_COUNTY,
        unit="police",
        password_stdin=True,
    )
    assert User.objects.get(username="police_liu").unit == Unit.POLICE


def test_an_unknown_role_is_refused(monkeypatch, village):
    _refused(
        monkeypatch,
        "角色“boss”不存在：应为 admin / civil_affairs / supervisor / director / "
        "department / leader 之一。",
        "someone",
        role="boss",
        area=VILLAGE,
        password_stdin=True,
    )


def test_an_unknown_area_is_refused(monkeypatch):
    _refused(
        monkeypatch,
        "区划代码“439999999999”不存在：请填写系统中已有的12位区划代码。",
        "someone",
        role="director",
        area="439999999999",
        password_stdin=True,
    )


def test_department_staff_without_unit_are_refused(monkeypatch):
    make_area(HOME_COUNTY)
    _refused(
        monkeypatch,
        "成员单位账号必须指定所属单位。",
        "someone",
        role="department",
        area=HOME_COUNTY,
        password_stdin=True,
    )


def test_a_role_without_area_is_refused(monkeypatch):
    _refused(
        monkeypatch,
        "请选择管辖区划：除系统管理员外，每个账号都要有管辖区划。",
        "someone",
        role="leader",
        password_stdin=True,
    )


def test_the_password_must_come_from_stdin(monkeypatch, village):
    _refused(
        monkeypatch,
        "请用 --password-stdin 从标准输入提供密码。",
        "someone",
        role="director",
        area=VILLAGE,
    )


def test_an_empty_stdin_is_refused(monkeypatch, village):
    _refused(
        monkeypatch,
        "标准输入中没有读到密码。",
        "someone",
        role="director",
        area=VILLAGE,
        password_stdin=True,
        stdin="",
    )


def test_a_weak_password_is_refused(monkeypatch, village):
    _refused(
        monkeypatch,
        "这个密码太常见了。",
        "someone",
        role="director",
        area=VILLAGE,
        password_stdin=True,
        stdin="password\n",
    )


def test_a_duplicate_username_is_refused(monkeypatch, village):
    _run(monkeypatch, "shi_zhuren", role="director", area=VILLAGE, password_stdin=True)
    with pytest.raises(CommandError) as info:
        _run(
            monkeypatch,
            "Shi_Zhuren",
            role="director",
            area=VILLAGE,
            password_stdin=True,
        )
    assert str(info.value) == "账号“Shi_Zhuren”已存在：请换一个用户名。"
    assert info.value.returncode == 2
    assert User.objects.count() == 1


def test_the_real_command_exits_with_status_2(tmp_path):
    # Refused before any database access, so the real process needs no test database.
    result = subprocess.run(
        [sys.executable, "manage.py", "user_create", "someone", "--role", "director"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "SHOUWANG_VAR_DIR": str(tmp_path)},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "请用 --password-stdin 从标准输入提供密码。" in result.stderr
