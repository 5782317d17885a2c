"""The home page and the role navigation, through HTTP."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import Role
from tests.factories import HOME_COUNTY, make_area, make_user

pytestmark = pytest.mark.django_db

NAV = {
    Role.ADMIN: ["首页", "行政区划", "账号管理", "审计日志", "系统管理"],
    Role.CIVIL_AFFAIRS: [
        "首页",
        "儿童信息库",
        "我的待走访",
        "走访与摸排",
        "保护案件",
        "控辍保学",
        "救助保障",
        "协同",
        "统计与通报",
        "花名册导入",
        "行政区划",
        "账号管理",
        "审计日志",
    ],
    Role.SUPERVISOR: [
        "首页",
        "儿童信息库",
        "我的待走访",
        "走访与摸排",
        "保护案件",
        "控辍保学",
        "救助保障",
        "协同",
        "统计与通报",
        "花名册导入",
        "行政区划",
    ],
    Role.DIRECTOR: [
        "首页",
        "儿童信息库",
        "我的待走访",
        "走访与摸排",
        "保护案件",
        "控辍保学",
        "协同",
        "花名册导入",
        "行政区划",
    ],
    # The walker's member unit is the education unit (make_user's default).
    Role.DEPARTMENT: ["首页", "保护案件", "控辍保学", "协同", "行政区划"],
    Role.LEADER: ["首页", "走访与摸排", "救助保障", "协同", "统计与通报", "行政区划"],
}
# The items of the drop-down menus (走访与摸排, 保护案件, 控辍保学, 救助保障, 协同 (部门协同),
# then 统计与通报) each role sees.
ASSISTANCE_MENU = {
    Role.CIVIL_AFFAIRS: [
        "基本生活保障对象",
        "应保未保",
        "应停未停",
        "发放批次",
        "基本生活保障标准",
        "救助项目",
        "弃婴登记",
        "弃婴数量",
    ],
    Role.SUPERVISOR: [
        "基本生活保障对象",
        "应保未保",
        "应停未停",
        "发放批次",
        "救助项目",
    ],
    Role.LEADER: ["发放批次", "基本生活保障标准", "救助项目", "弃婴数量"],
}
# 协同: the education unit sends its school lists (学籍) and receives lists; county civil
# affairs also manage the API tokens.
EXCHANGE_MENU = {
    Role.CIVIL_AFFAIRS: [
        "比对提示",
        "部门名单",
        "接口令牌",
        "名单提供",
        "联席会议",
        "督办任务",
        "成员单位",
        "责任书",
        "社会关爱",
        "责任落实通报",
    ],
    Role.SUPERVISOR: ["比对提示", "社会关爱"],
    Role.DIRECTOR: ["比对提示", "社会关爱"],
    Role.DEPARTMENT: ["部门名单", "名单提供", "督办任务", "成员单位", "社会关爱"],
    Role.LEADER: ["责任书", "社会关爱", "责任落实通报"],
}
REPORTS_MENU = {
    Role.CIVIL_AFFAIRS: ["统计分析", "工作情况通报", "通报模板", "指标说明"],
    Role.SUPERVISOR: ["统计分析", "指标说明"],
    Role.LEADER: ["统计分析", "工作情况通报", "指标说明"],
}
PROTECTION_MENU = {
    Role.CIVIL_AFFAIRS: [
        "待办",
        "强制报告",
        "案件",
        "督办",
        "紧急查看",
        "复核紧急查看",
        "保护工作设置",
    ],
    Role.SUPERVISOR: ["强制报告", "案件"],
    Role.DIRECTOR: ["强制报告", "案件"],
    Role.DEPARTMENT: ["待办", "强制报告", "案件", "紧急查看"],
}
SCHOOLING_MENU = {
    Role.CIVIL_AFFAIRS: ["疑似失学辍学", "辍学登记", "学籍名单"],
    Role.SUPERVISOR: ["疑似失学辍学", "辍学登记"],
    Role.DIRECTOR: ["疑似失学辍学", "辍学登记"],
    Role.DEPARTMENT: ["疑似失学辍学", "辍学登记", "学籍名单"],
}
VISITS_MENU = {
    Role.CIVIL_AFFAIRS: [
        "我负责的儿童",
        "季度摸排",
        "走访逾期率",
        "确认书签订情况",
        "待复核退出",
        "调整责任人",
        "包片领导",
        "走访间隔设置",
    ],
    Role.SUPERVISOR: [
        "我负责的儿童",
        "季度摸排",
        "走访逾期率",
        "确认书签订情况",
        "待复核退出",
        "调整责任人",
        "包片领导",
    ],
    Role.DIRECTOR: [
        "我负责的儿童",
        "季度摸排",
        "走访逾期率",
        "确认书签订情况",
        "待复核退出",
    ],
    Role.LEADER: ["走访逾期率"],
}


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


@pytest.fixture
def county():
    county = make_area(HOME_COUNTY)
    township = make_area("430524901000", "甲镇")
    make_area("430524901001", "甲一村")
    make_area("430524901002", "甲二村")
    return county, township


@pytest.mark.parametrize("role", list(NAV))
def test_navigation_follows_the_role(county, role):
    area = {
        Role.ADMIN: None,
        Role.SUPERVISOR: county[1],
        Role.DIRECTOR: make_area("430524901001"),
    }.get(role, county[0])
    user = make_user(role, area)
    response = _home(user)
    items = response.context["nav_items"]
    # Every signed-in user finds the user guide last.
    assert [item["label"] for item in items] == [*NAV[role], "使用手册"]
    menu = [i for item in items for i in item.get("menu", ())]
    assert [i["label"] for i in menu] == (
        VISITS_MENU.get(role, [])
        + PROTECTION_MENU.get(role, [])
        + SCHOOLING_MENU.get(role, [])
        + ASSISTANCE_MENU.get(role, [])
        + EXCHANGE_MENU.get(role, [])
        + REPORTS_MENU.get(role, [])
    )
    # Rendered as links, the group as a drop-down of its items.
    page = response.content.decode()
    for item in items:
        if "url" in item:
            assert f'href="{item["url"]}">{item["label"]}</a>' in page
        else:
            assert (
                f'data-bs-toggle="dropdown" aria-expanded="false">{item["label"]}'
                in page
            )
    for item in menu:
        assert (
            f'<a class="dropdown-item" href="{item["url"]}">{item["label"]}</a>' in page
        )
    # Every item the menu offers opens for the role.
    client = Client()
    client.force_login(user)
    for item in [*items, *menu]:
        if "url" in item:
            assert client.get(item["url"], follow=True).status_code == 200, item


def test_the_current_page_is_marked_in_its_menu(county):
    client = Client()
    client.force_login(make_user(Role.DIRECTOR, make_area("430524901001")))
    items = client.get("/children/review/").context["nav_items"]
    active = [i["label"] for i in items if i["active"]]
    assert active == ["走访与摸排"]
    menu = next(i for i in items if i["label"] == "走访与摸排")["menu"]
    assert [i["label"] for i in menu if i["active"]] == ["待复核退出"]


def test_home_shows_the_jurisdiction_and_real_figures(county):
    user = make_user(Role.CIVIL_AFFAIRS, county[0], full_name="周民政")
    make_user(Role.DIRECTOR, make_area("430524901001"))
    make_user(Role.DIRECTOR, make_area("430524901002"), is_active=False)
    make_user(Role.DIRECTOR, make_area("430525901001"))  # another county
    response = _home(user)
    body = response.content.decode()
    assert "您好，周民政" in body
    assert "湖南省 / 邵阳市 / 隆回县" in body
    rows = {row.area.name: row for row in response.context["overview"].rows}
    assert list(rows) == ["甲镇"]
    # The accounts by role moved to the accounts page (test_home).
    assert 'id="users-chart-data"' not in body


def test_a_user_without_an_area_sees_no_figures(county):
    user = make_user(Role.LEADER, None)
    response = _home(user)
    assert "未设置（请联系管理员）" in response.content.decode()
    for key in ("overview", "child_figures", "tasks", "due"):
        assert key not in response.context


def test_anonymous_visitors_are_sent_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_forbidden_and_missing_pages_speak_chinese(county):
    client = Client()
    client.force_login(make_user(Role.DIRECTOR, make_area("430524901001")))
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert "您的角色没有此项操作的权限" in forbidden.content.decode()
    missing = client.get("/areas/430525000000/")
    assert missing.status_code == 404
    assert "不在您的管辖范围内" in missing.content.decode()


def test_home_counts_children_for_caseworkers_and_leaders(county):
    from shouwang.registry.models import Child

    village = make_area("430524901001")
    for i, left_behind in enumerate([True, True, False]):
        Child.objects.create(
            name=f"儿童{i}",
            sex="男",
            birth_date="2016-01-01",
            village=village,
            father_status="外出务工",
            mother_status="外出务工",
            is_left_behind=left_behind,
            is_in_difficulty=not left_behind,
            risk_level="高" if not left_behind else "低",
            # The child in difficulty was due for a visit yesterday.
            next_visit_due=timezone.localdate() - timedelta(days=1)
            if not left_behind
            else None,
        )
    Child.objects.create(
        name="外县儿童",
        sex="女",
        birth_date="2016-01-01",
        village=make_area("430525901001"),
        father_status="在家",
        mother_status="在家",
        is_left_behind=True,
    )
    leader = _home(make_user(Role.LEADER, county[0]))
    figures = {f["label"]: f for f in leader.context["child_figures"]}
    assert {label: f["value"] for label, f in figures.items()} == {
        "在册儿童": 3,
        "农村留守儿童": 2,
        "孤儿": 0,
        "事实无人抚养儿童": 0,
        "困境儿童": 1,
        "风险等级高": 1,
        "逾期未走访儿童": 1,
    }
    page = leader.content.decode()
    assert "/children/?" not in page  # aggregates only
    # The overdue figure leads to the rates by area, which leaders may read.
    assert '<a class="text-decoration-none" href="/visits/overdue/">1</a>' in page
    director = _home(make_user(Role.DIRECTOR, village))
    figures = {f["label"]: f for f in director.context["child_figures"]}
    assert figures["在册儿童"]["value"] == 3
    assert figures["农村留守儿童"]["url"] == (
        "/children/?category=%E5%86%9C%E6%9D%91%E7%95%99%E5%AE%88%E5%84%BF%E7%AB%A5"
    )
    assert figures["风险等级高"]["url"] == "/children/?risk=%E9%AB%98"
    assert "/children/?category=%E5%86%9C%E6%9D%91" in director.content.decode()
    department = _home(make_user(Role.DEPARTMENT, county[0]))
    assert "child_figures" not in department.context
