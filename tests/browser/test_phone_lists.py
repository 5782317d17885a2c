"""Lists on a 360 px phone: the child list opens on its first card (the filters folded
behind one button), names stay on one line, 风险 is on screen, a child is found by the
last digits of the masked ID number the card shows, pages are numbered; the roster
preview shows each problem under its row."""

import re

from playwright.sync_api import expect

from shouwang.accounts.models import Role
from shouwang.registry.models import Child
from shouwang.registry.tests.factories import make_child, years_ago
from shouwang.roster.tests import files
from tests.browser.phone import PHONE

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫"
GIVEN = "晓明红梅建国"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} 横向溢出：scrollWidth={width}"


# Each name on one line and as wide as its characters: an inline link wrapped over
# several lines has one client rectangle per line.
NAME_LINES = """cells => cells.map(cell => {
  const link = cell.querySelector('a') || cell;
  const size = parseFloat(getComputedStyle(link).fontSize);
  return {
    name: link.textContent.trim(),
    lines: link.getClientRects().length,
    width: link.getBoundingClientRect().width,
    size: size,
  };
})"""


def test_a_director_finds_a_child_by_the_last_digits_on_a_phone(
    new_page, browser_world, login, static_watch
):
    village = browser_world.village
    for i in range(55):
        make_child(
            village,
            name=SURNAMES[i % 12] + GIVEN[i % 6] + ("" if i < 12 else GIVEN[i % 5]),
            birth_date=years_ago(3 + i % 12),
            guardian_capacity=("差", "一般", "较好")[i % 3],
        )
    page = new_page(**PHONE)
    login(page, browser_world.users[Role.DIRECTOR].username)
    page.goto("/children/")
    expect(page.get_by_role("heading", level=1)).to_have_text("儿童信息库")

    # The first card is on the first screen: the filters are folded behind a button.
    toggle = page.get_by_role("button", name=re.compile("^筛选和搜索"))
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_test_id("child-filters")).to_be_hidden()
    cards = page.get_by_test_id("child-card")
    expect(cards).to_have_count(50)
    first = cards.first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < PHONE["height"] - 120, "第一张卡片不在首屏"
    expect(page.get_by_test_id("child-table").locator("thead")).to_be_hidden()
    _no_horizontal_overflow(page)

    # Names never wrap a character a line; 风险 and the township are on the card.
    for cell in (
        page.get_by_test_id("child-card")
        .locator(".sw-card-title")
        .evaluate_all(NAME_LINES)
    ):
        assert cell["lines"] == 1, f"{cell['name']} 折成了 {cell['lines']} 行"
        assert cell["width"] >= 0.9 * cell["size"] * len(cell["name"]), cell
    risk = first.get_by_test_id("child-risk")
    expect(risk).to_be_visible()
    expect(risk).to_contain_text("风险")
    box = risk.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(first).to_contain_text("桃洪镇")
    expect(first).to_contain_text("桃洪镇第1村")
    expect(first.get_by_test_id("child-next-visit")).to_be_visible()

    # Numbered pages, updated in place (htmx) with the address kept in step.
    expect(page.get_by_test_id("pager-position")).to_have_text("第 1 / 2 页")
    page.get_by_role("link", name="第 2 页").click()
    expect(page.get_by_test_id("pager-position")).to_have_text("第 2 / 2 页")
    expect(cards).to_have_count(5)
    expect(page).to_have_url(re.compile(r"[?&]page=2"))

    # The masked number the card shows: its last four digits find the child.
    masked = cards.nth(2).get_by_test_id("child-id").inner_text().strip()
    assert re.fullmatch(r"\d{6}\*{8}[0-9]{3}[0-9X]", masked), masked
    wanted = cards.nth(2).locator(".sw-card-title").inner_text().strip()
    matching = Child.objects.filter(id_number__endswith=masked[-4:]).count()
    assert matching >= 1
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    search = page.get_by_label("搜索")
    expect(search).to_be_visible()
    search.fill(masked[-4:])
    search.press("Enter")
    expect(page.get_by_test_id("child-total")).to_have_text(f"共 {matching} 名儿童")
    expect(page.get_by_test_id("child-card").first).to_contain_text(wanted)
    expect(page).to_have_url(re.compile(rf"[?&]q={masked[-4:]}"))
    expect(page.get_by_test_id("pager")).to_have_count(0)
    _no_horizontal_overflow(page)
    assert not static_watch.failures and not static_watch.errors


def test_the_roster_preview_shows_each_problem_under_its_row_on_a_phone(
    new_page, browser_world, login, static_watch, settings, tmp_path
):
    settings.ROSTER_UPLOAD_DIR = tmp_path
    village = browser_world.village.code
    good = files.roster_row(village, 姓名="李娜", 性别="女")
    bad = files.roster_row(village, 姓名="王强", 父亲状况="外地打工")
    page = new_page(**PHONE)
    login(page, browser_world.users[Role.DIRECTOR].username)
    page.goto("/roster/imports/")
    page.get_by_label("花名册文件").set_input_files(
        files=[
            {
                "name": "第1村花名册.xlsx",
                "mimeType": XLSX,
                "buffer": files.xlsx([good, bad]),
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已检查，待导入")

    table = page.get_by_test_id("import-errors")
    expect(table.locator("thead")).to_be_hidden()
    row = table.locator("tbody tr").first
    expect(row).to_be_visible()
    number, problem = row.locator("td").nth(0), row.get_by_test_id("error-problem")
    expect(number).to_have_text("第3行")
    expect(problem).to_be_visible()
    label = problem.evaluate("el => getComputedStyle(el, '::before').content")
    assert "问题与改法" in label, label  # the cell says what it holds
    expect(problem).to_contain_text("外地打工")
    head, under = number.bounding_box(), problem.bounding_box()
    assert under["y"] >= head["y"] + head["height"] - 1, "问题没有排在该行之下"
    assert under["x"] >= 0 and under["x"] + under["width"] <= PHONE["width"]
    _no_horizontal_overflow(page)
    assert not static_watch.failures and not static_watch.errors
