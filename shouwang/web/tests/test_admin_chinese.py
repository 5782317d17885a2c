"""The admin site in Chinese: its title, every app and model on the index, and the
change lists' titles and column headers, third-party apps included."""

import html
import re

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.test import Client

from shouwang.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_NAMES = (
    "Axes",
    "Access attempts",
    "Access failures",
    "Access logs",
    "Tasks Database Backend",
    "Task Results",
    "Model name",
    "Add link",
    "Change or view list link",
    "Authentication and Authorization",
    "Groups",
    "Users",
)


@pytest.fixture
def client():
    client = Client()
    client.force_login(make_user(Role.ADMIN, None, username="root"))
    return client


def _visible(response) -> str:
    """The page's text outside scripts and styles, tags removed."""
    body = response.content.decode().split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_index_names_every_app_and_model_in_chinese(client):
    response = client.get("/admin/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>系统管理 | 守望 管理后台</title>" in page
    assert "守望 管理后台" in _visible(response)
    apps = [a["name"] for a in response.context["app_list"]]
    models = [m["name"] for a in response.context["app_list"] for m in a["models"]]
    assert "登录保护" in apps and "后台任务" in apps
    assert {"登录尝试", "登录失败", "登录记录", "后台任务"} <= set(models)
    for name in apps + models:
        assert CJK.search(str(name)), name
    text = _visible(response)
    for english in ENGLISH_NAMES:
        assert english not in text, english


@pytest.mark.parametrize(
    ("url", "title", "columns"),
    [
        (
            "/admin/axes/accessattempt/",
            "登录尝试",
            ["尝试时间", "IP 地址", "浏览器标识", "失败次数"],
        ),
        (
            "/admin/axes/accessfailurelog/",
            "登录失败",
            ["尝试时间", "用户名", "登录锁定"],
        ),
        (
            "/admin/django_tasks_database/dbtaskresult/",
            "后台任务",
            ["编号", "任务", "状态", "加入队列时间", "优先级", "队列名称"],
        ),
        ("/admin/audit/auditevent/", "审计事件", ["时间", "操作"]),
        ("/admin/accounts/user/", "账号", ["用户名"]),
        ("/admin/areas/area/", "行政区划", []),
        ("/admin/roster/importjob/", "花名册导入", []),
        ("/admin/auth/group/", "组", []),
    ],
)
def test_change_lists_are_titled_and_headed_in_chinese(client, url, title, columns):
    response = client.get(url)

    assert response.status_code == 200
    text = _visible(response)
    assert title in text
    # The column titles as the change list renders them (rows or none).
    headers = [
        str(h["text"])
        for h in result_headers(response.context["cl"])
        if h["class_attrib"] != ' class="action-checkbox-column"'
    ]
    for column in columns:
        assert column in headers, (column, headers)
    for header in headers:
        assert header == "ID" or CJK.search(header), header
    for english in ENGLISH_NAMES:
        assert english not in text, english
