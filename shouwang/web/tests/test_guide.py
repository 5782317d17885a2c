"""The user guide as a page: every signed-in user reads docs/user-guide.md with a table
of contents; markup in the Markdown is shown as text, never passed through."""

import html

import pytest
from django.test import Client

from shouwang.accounts.models import Role
from shouwang.web.guide import guide_render
from tests.factories import HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db


def test_every_signed_in_user_reads_the_guide_with_its_contents():
    county = make_area(HOME_COUNTY, "隆回县")
    for role in (Role.DIRECTOR, Role.LEADER, Role.DEPARTMENT, Role.ADMIN):
        user = make_user(role, None if role == Role.ADMIN else county)
        if role == Role.DIRECTOR:
            user.area = make_area("430524911001", "守望村")
            user.save()
        client = Client()
        client.force_login(user)
        response = client.get("/guide/")
        assert response.status_code == 200, role
        text = html.unescape(response.content.decode())
        assert "<h1>守望 用户手册</h1>" in text
        # The contents list the sections in order and link to their anchors.
        assert '<a href="#sec-1">一、登录与退出</a>' in text
        assert '<h2 id="sec-1">一、登录与退出</h2>' in text
        assert '<h3 id="' in text
        assert "委托监护责任确认书" in text
        nav = [item["label"] for item in response.context["nav_items"]]
        assert nav[-1] == "使用手册"
        assert 'aria-current="page" href="/guide/">使用手册</a>' in text


def test_the_guide_needs_a_signed_in_user():
    response = Client().get("/guide/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/guide/"


def test_markup_in_the_markdown_stays_text_and_bad_links_are_dropped():
    guide = guide_render(
        "# 手册\n\n## 一、开始\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n[点我](javascript:alert(1))\n\n'
        "### 小节 **甲**\n\n| 列 | 值 |\n|---|---|\n| a | b |\n"
    )
    assert guide.title == "手册"
    assert [(h.level, h.anchor, h.text) for h in guide.toc] == [
        (2, "sec-1", "一、开始"),
        (3, "sec-2", "小节 **甲**"),
    ]
    assert "<script>" not in guide.html and "&lt;script&gt;" in guide.html
    assert "<img" not in guide.html
    assert 'href="javascript' not in guide.html
    assert '<h3 id="sec-2">小节 <strong>甲</strong></h3>' in guide.html
    assert '<table class="table table-sm table-bordered">' in guide.html
