"""Checking and loading an area list: every problem by line, and all or nothing."""

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.areas.services import areas_load, areas_parse
from shouwang.audit.models import AuditEvent
from tests.factories import HOME_COUNTY, make_user

HEADER = "code,name,parent_code\n"
# Three new areas under 隆回县, which ships with the product.
GOOD = HEADER + (
    "430524101000,桃花镇,430524000000\n"
    "430524101201,新田村,430524101000\n"
    "430524101202,大坪村,430524101000\n"
)
NEW_CODES = ["430524101000", "430524101201", "430524101202"]


def _only_error(text: str) -> list[str]:
    """Load text, which must fail, and prove that nothing of it was stored."""
    before = Area.objects.count()
    report = areas_load(text=text, source="t.csv")
    assert report.errors
    assert report.created == report.updated == 0
    assert Area.objects.count() == before
    assert not AuditEvent.objects.filter(action="areas.load").exists()
    return report.messages


# --- a good list -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_list_loads_with_levels_and_parents():
    report = areas_load(text=GOOD, source="good.csv")
    assert report.messages == []
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    areas = {a.code: a for a in Area.objects.filter(code__in=NEW_CODES)}
    assert areas["430524101000"].name == "桃花镇"
    assert areas["430524101000"].level == "township"
    assert areas["430524101000"].parent_id == HOME_COUNTY
    assert areas["430524101201"].level == "village"
    assert areas["430524101201"].parent_id == "430524101000"


@pytest.mark.django_db
def test_a_real_load_is_audited_and_a_repeat_changes_nothing():
    actor = make_user("admin", None)
    areas_load(text=GOOD, actor=actor, source="good.csv")
    event = AuditEvent.objects.get(action="areas.load")
    assert event.actor == actor
    assert event.actor_name == actor.username
    assert event.object_type == "area"
    assert event.details == {
        "source": "good.csv",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }

    again = areas_load(text=GOOD, actor=actor, source="good.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.filter(action="areas.load").count() == 1


@pytest.mark.django_db
def test_a_renamed_area_is_updated_and_its_update_time_set():
    areas_load(text=GOOD)
    before = Area.objects.get(code="430524101000").updated_at
    renamed = GOOD.replace("桃花镇", "桃洪镇")

    report = areas_load(text=renamed, source="renamed.csv")

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    area = Area.objects.get(code="430524101000")
    assert area.name == "桃洪镇"
    assert area.updated_at is not None
    assert area.updated_at > before
    assert AuditEvent.objects.filter(action="areas.load").latest("id").details == {
        "source": "renamed.csv",
        "created": 0,
        "updated": 1,
        "unchanged": 2,
    }


@pytest.mark.django_db
def test_rows_may_come_before_their_parents():
    text = (
        HEADER + "430524101201,新田村,430524101000\n430524101000,桃花镇,430524000000\n"
    )
    assert areas_load(text=text).created == 2
    assert Area.objects.get(code="430524101201").parent_id == "430524101000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "word", ["乡镇", "乡", "township", "TOWNSHIP", "乡级", " 乡镇 "]
)
def test_the_level_column_takes_the_words_the_product_uses(word):
    text = f"code,name,parent_code,level\n430524101000,桃花镇,430524000000,{word}\n"
    assert areas_load(text=text).messages == []
    assert Area.objects.get(code="430524101000").level == "township"


@pytest.mark.django_db
def test_the_level_column_takes_the_page_label_of_a_village():
    text = (
        "level,code,name,parent_code\n"
        "乡镇,430524101000,桃花镇,430524000000\n"
        "村（社区）,430524101201,新田村,430524101000\n"
    )
    assert areas_load(text=text).created == 2


@pytest.mark.django_db
def test_the_header_may_carry_a_mark_spaces_and_capitals():
    text = "\ufeffCode, Name ,PARENT_CODE\n" + GOOD.split("\n", 1)[1]
    assert areas_load(text=text).created == 3


@pytest.mark.django_db
def test_old_mac_line_ends_and_blank_lines_are_read():
    text = GOOD.replace("\n", "\r") + "\r\r"
    assert areas_load(text=text).created == 3


# --- every problem, by line, and nothing loaded ----------------------------------


@pytest.mark.django_db
def test_an_empty_file():
    assert _only_error("") == ["第1行：文件为空，应有表头 code,name,parent_code。"]
    assert _only_error("\n \r\n") == [
        "第1行：文件为空，应有表头 code,name,parent_code。"
    ]


@pytest.mark.django_db
def test_a_header_without_rows():
    assert _only_error(HEADER + "\n,,\n") == [
        "第2行：文件只有表头，没有区划行：请在表头下逐行填写区划。"
    ]


@pytest.mark.django_db
def test_a_header_missing_a_column():
    assert _only_error("code,name\n430524101000,桃花镇\n") == [
        "第1行：表头缺少列 parent_code；表头应为 code,name,parent_code（可另加 level 列）。"
    ]


@pytest.mark.django_db
def test_a_malformed_code():
    text = GOOD + "43052410200,石门镇,430524000000\n"
    assert _only_error(text) == [
        "第5行：区划代码“43052410200”格式不对：应为12位数字（不足12位的在末尾补0），"
        "前两位为省级代码。"
    ]


@pytest.mark.django_db
def test_a_code_in_full_width_digits_is_malformed():
    code = "430524102000".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert _only_error(f"{HEADER}{code},石门镇,430524000000\n") == [
        f"第2行：区划代码“{code}”格式不对：应为12位数字（不足12位的在末尾补0），"
        "前两位为省级代码。"
    ]


@pytest.mark.django_db
def test_a_parent_that_does_not_exist():
    text = GOOD + "430599100000,某镇,430599000000\n"
    assert _only_error(text) == [
        "第5行：上级区划 430599000000 不存在（文件和系统中都没有）："
        "请先导入上级区划，或在文件中补上这一行。"
    ]


@pytest.mark.django_db
def test_a_parent_inconsistent_with_the_code():
    text = GOOD + "430524102000,石门镇,430525000000\n"
    assert _only_error(text) == [
        "第5行：上级代码“430525000000”与区划代码不一致：430524102000 的上级应为 "
        "430524000000。"
    ]


@pytest.mark.django_db
def test_a_missing_parent_and_a_province_with_one():
    text = HEADER + "430524102000,石门镇,\n990000000000,某省,430000000000\n"
    assert _only_error(text) == [
        "第2行：上级代码“”与区划代码不一致：430524102000 的上级应为 430524000000。",
        "第3行：990000000000 是省级区划，上级代码应为空，而不是“430000000000”。",
    ]


@pytest.mark.django_db
def test_a_level_that_does_not_match_the_code():
    text = "code,name,parent_code,level\n430524101000,桃花镇,430524000000,村\n"
    assert _only_error(text) == [
        "第2行：级别“村”与区划代码不符：代码 430524101000 是乡级区划。"
    ]


@pytest.mark.django_db
def test_a_level_that_is_not_a_level():
    text = "code,name,parent_code,level\n430524101000,桃花镇,430524000000,街道\n"
    assert _only_error(text) == [
        "第2行：级别“街道”无法识别：应为 省/市/县/乡/村 或 "
        "province/city/county/township/village。"
    ]


@pytest.mark.django_db
def test_a_duplicated_code():
    text = GOOD + "430524101201,新田村,430524101000\n"
    assert _only_error(text) == [
        "第5行：区划代码 430524101201 与第3行重复：请删除其中一行。"
    ]


@pytest.mark.django_db
def test_an_empty_and_an_overlong_name():
    text = (
        HEADER
        + "430524102000,,430524000000\n"
        + f"430524103000,{'长' * 101},430524000000\n"
    )
    assert _only_error(text) == [
        "第2行：名称为空：请填写区划名称。",
        "第3行：名称超过100个字符：请缩短。",
    ]


@pytest.mark.django_db
def test_every_problem_is_reported_once_with_its_line():
    text = (
        "code,name,parent_code,level\n"
        "430524101000,桃花镇,430524000000,乡\n"  # 2: good
        "4305241,坏码村,430524101000,村\n"  # 3: malformed
        "430524101201,新田村,430524000000,村\n"  # 4: wrong parent
        "430524101202,大坪村,430524101000,乡\n"  # 5: wrong level
        "430524101000,桃花镇,430524000000,乡\n"  # 6: duplicate of 2
    )
    assert _only_error(text) == [
        "第3行：区划代码“4305241”格式不对：应为12位数字（不足12位的在末尾补0），"
        "前两位为省级代码。",
        "第4行：上级代码“430524000000”与区划代码不一致：430524101201 的上级应为 "
        "430524101000。",
        "第5行：级别“乡”与区划代码不符：代码 430524101202 是村级区划。",
        "第6行：区划代码 430524101000 与第2行重复：请删除其中一行。",
    ]


@pytest.mark.django_db
def test_a_child_of_a_faulty_row_gets_no_second_message():
    # The township's own row is wrong; its village must not be told it has no parent.
    text = (
        "code,name,parent_code,level\n"
        "430524101000,桃花镇,430524000000,村\n"
        "430524101201,新田村,430524101000,村\n"
    )
    assert _only_error(text) == [
        "第2行：级别“村”与区划代码不符：代码 430524101000 是乡级区划。"
    ]


@pytest.mark.django_db
def test_line_numbers_count_lines_of_the_file_not_rows():
    # A quoted cell spanning two lines: the row after it starts on line 4.
    text = HEADER + '"4305241\n01000",桃花镇,430524000000\n430524102000,,430524000000\n'
    assert _only_error(text) == [
        "第2行：区划代码“4305241\n01000”格式不对：应为12位数字（不足12位的在末尾补0），"
        "前两位为省级代码。",
        "第4行：名称为空：请填写区划名称。",
    ]


@pytest.mark.django_db
def test_an_unclosed_quote_is_a_message_not_a_crash():
    text = GOOD + '430524102000,"石门镇,430524000000\n' + "x" * 140_000 + "\n"
    assert _only_error(text) == [
        "第5行：无法按 CSV 读取（field larger than field limit (131072)）："
        "请检查引号是否成对，并将文件另存为 CSV。"
    ]


# --- properties of the parser (no database: parents given as `stored`) ------------

NAME_CHARS = st.characters(
    codec="utf-8", categories=("Lo", "Nd", "Lu"), include_characters=",\"'"
)
NAMES = st.text(NAME_CHARS, min_size=1, max_size=12)
LEAF_CODES = st.from_regex(r"43052[4-5][1-3][0-9]{2}[0-2][0-9]{2}", fullmatch=True)
STORED = {"430524000000": "隆回县", "430525000000": "洞口县"}


def _tree(leaves: list[str]) -> list[str]:
    """The leaves and every area between them and the stored counties."""
    found: set[str] = set()
    for code in leaves:
        while code not in STORED and code not in found:
            found.add(code)
            code = codes.expected_parent(code)
    return sorted(found)


def _csv(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "parent_code"])
    writer.writerows(rows)
    return out.getvalue()


@given(st.lists(LEAF_CODES, min_size=1, max_size=8), st.data())
def test_any_well_formed_tree_parses_back_unchanged(leaves, data):
    tree = _tree(leaves)
    names = {code: data.draw(NAMES) for code in tree}
    rows = [(c, names[c], codes.expected_parent(c)) for c in tree]
    rows = data.draw(st.permutations(rows))

    report = areas_parse(_csv(rows), stored=STORED)

    assert report.messages == []
    assert {(r.code, r.name, r.parent_code) for r in report.rows} == set(rows)


@given(st.lists(LEAF_CODES, min_size=1, max_size=8, unique=True), st.data())
def test_one_wrong_parent_gives_exactly_one_message_on_its_line(leaves, data):
    tree = _tree(leaves)
    rows = [(c, "某地", codes.expected_parent(c)) for c in tree]
    broken = data.draw(st.integers(0, len(rows) - 1))
    code, name, parent = rows[broken]
    wrong = data.draw(st.sampled_from([*STORED, *tree]).filter(lambda p: p != parent))
    rows[broken] = (code, name, wrong)

    report = areas_parse(_csv(rows), stored=STORED)

    assert report.messages == [
        f"第{broken + 2}行：上级代码“{wrong}”与区划代码不一致：{code} 的上级应为 "
        f"{parent}。"
    ]


@given(st.text(max_size=300))
def test_any_text_gives_rows_or_messages_on_lines_of_the_file(text):
    report = areas_parse(text, stored=STORED)
    lines = len(re.split(r"\r\n|\r|\n", text))
    for line, _ in report.errors:
        assert 1 <= line <= lines + 1
    for message in report.messages:
        assert re.fullmatch(r"第\d+行：.+。", message, flags=re.DOTALL)
    for row in report.rows:
        assert codes.is_code(row.code)
        assert row.parent_code == codes.expected_parent(row.code)
