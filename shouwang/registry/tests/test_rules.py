"""Record checks (roster-template.md), each bad input giving a Chinese message on its
own field; a complete good record gives {}."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouwang.registry.rules import (
    ADULT_REFUSED,
    check_child,
    check_person_name,
    normal_person_name,
)

TODAY = date(2026, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")

# GB 11643-1999 check character, computed here from the standard's table.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_FOR_REMAINDER = "10X98765432"


def id_number(area6: str, born: date | str, order: str) -> str:
    """A number with a correct check character (the date may be impossible)."""
    date8 = born if isinstance(born, str) else f"{born:%Y%m%d}"
    first17 = f"{area6}{date8}{order}"
    return (
        first17
        + CHECK_FOR_REMAINDER[
            sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11
        ]
    )


BORN = date(2015, 3, 8)
CHILD_ID = id_number("430521", BORN, "013")  # 17th digit 3: male
FATHER_ID = id_number("430521", date(1988, 7, 1), "011")
MOTHER_ID = id_number("430521", date(1990, 11, 20), "022")
GUARDIAN_ID = id_number("430521", date(1960, 1, 5), "044")


def good(**overrides) -> dict:
    """A complete, correct record of a left-behind child."""
    values = {
        "name": "李小明",
        "sex": "男",
        "ethnicity": "汉族",
        "birth_date": BORN,
        "id_number": CHILD_ID,
        "hukou_registered": True,
        "hukou_nature": "农村",
        "address": "湖南省邵阳市隆回县桃洪镇新村3组",
        "health": "健康",
        "disability_category": "",
        "disability_grade": "",
        "serious_illness": False,
        "schooling": "小学",
        "school": "桃洪镇中心小学",
        "boarding": False,
        "father_name": "李建国",
        "father_id_number": FATHER_ID,
        "father_status": "外出务工",
        "father_work_place": "广东省深圳市",
        "father_phone": "13812345678",
        "mother_name": "王丽",
        "mother_id_number": MOTHER_ID,
        "mother_status": "外出务工",
        "mother_work_place": "浙江省杭州市",
        "mother_phone": "0739-1234567",
        "guardian_name": "李桂兰",
        "guardian_relation": "祖父母",
        "guardian_id_number": GUARDIAN_ID,
        "guardian_phone": "010-12345678",
        "guardian_capacity": "较好",
        "family_assistance": ["低保"],
        "confirmation_signed": True,
        "confirmation_date": date(2025, 9, 1),
        "lives_alone": False,
        "notes": "",
    }
    values.update(overrides)
    return values


def errors_of(**overrides) -> dict[str, list[str]]:
    return check_child(good(**overrides), today=TODAY)


def assert_only(errors: dict[str, list[str]], field: str) -> None:
    """Exactly one field has messages, and they are Chinese."""
    assert set(errors) == {field}, errors
    assert errors[field]
    for message in errors[field]:
        assert CJK.search(message), message


# --- good records ----------------------------------------------------------------------


def test_the_id_numbers_of_the_fixture_are_valid():
    from shouwang.core.idnumber import parse_id_number

    for number in (CHILD_ID, FATHER_ID, MOTHER_ID, GUARDIAN_ID):
        parse_id_number(number, today=TODAY)


def test_a_complete_good_record_has_no_errors():
    assert check_child(good(), today=TODAY) == {}


def test_a_minimal_good_record_has_no_errors():
    values = {
        "name": "张晓燕",
        "sex": "女",
        "birth_date": date(2012, 1, 31),
        "id_number": id_number("430521", date(2012, 1, 31), "024"),
        "father_status": "在家",
        "mother_status": "死亡",
    }
    assert check_child(values, today=TODAY) == {}


def test_an_unregistered_child_may_have_no_id_number():
    assert errors_of(hukou_registered=False, id_number="") == {}
    assert errors_of(hukou_registered=False, id_number=None) == {}


def test_a_lower_case_x_is_accepted():
    for n in range(100):
        number = id_number("430521", BORN, f"{n:03d}")
        if number.endswith("X"):
            break
    sex = "男" if int(number[16]) % 2 else "女"
    assert errors_of(id_number=number.lower(), sex=sex) == {}


def test_a_disabled_child_with_category_and_grade_is_good():
    assert (
        errors_of(health="残疾", disability_category="肢体", disability_grade="二级")
        == {}
    )


def test_a_confirmation_signed_today_is_good():
    assert errors_of(confirmation_date=TODAY) == {}


def test_no_confirmation_and_no_date_is_good():
    assert errors_of(confirmation_signed=False, confirmation_date=None) == {}


@pytest.mark.parametrize(
    "phone", ["", "13812345678", "19900001111", "0739-1234567", "010-12345678"]
)
def test_good_phone_numbers(phone):
    assert errors_of(father_phone=phone, mother_phone=phone, guardian_phone=phone) == {}


def test_a_parent_at_home_needs_no_work_place():
    assert errors_of(father_status="在家", father_work_place="") == {}


def test_a_born_today_child_is_good():
    born_today = id_number("430521", TODAY, "013")
    assert errors_of(birth_date=TODAY, id_number=born_today) == {}


# --- ID number -------------------------------------------------------------------------


def test_id_number_with_a_wrong_check_digit():
    wrong = CHILD_ID[:17] + ("0" if CHILD_ID[17] != "0" else "1")
    assert_only(errors_of(id_number=wrong), "id_number")


def test_id_number_with_an_impossible_date():
    impossible = id_number("430521", "20150230", "013")
    assert_only(errors_of(id_number=impossible), "id_number")


@pytest.mark.parametrize("number", [CHILD_ID[:17], CHILD_ID + "1", CHILD_ID[:15]])
def test_id_number_of_the_wrong_length(number):
    assert_only(errors_of(id_number=number), "id_number")


def test_id_number_with_a_letter():
    assert_only(errors_of(id_number=CHILD_ID[:10] + "A" + CHILD_ID[11:]), "id_number")


def test_id_number_with_a_superscript_digit_is_reported_not_raised():
    assert_only(errors_of(id_number="²" + CHILD_ID[1:]), "id_number")


def test_id_number_born_after_today():
    # a child is recorded at birth; a number dated tomorrow is impossible
    tomorrow = date(2026, 6, 2)
    number = id_number("430521", tomorrow, "013")
    errors = errors_of(id_number=number, hukou_registered=True)
    assert "id_number" in errors


def test_registered_hukou_without_id_number():
    assert_only(errors_of(id_number=""), "id_number")
    assert_only(errors_of(id_number=None), "id_number")


def test_hukou_registered_is_the_default():
    values = good(id_number="")
    del values["hukou_registered"]
    assert_only(check_child(values, today=TODAY), "id_number")


def test_birth_date_disagreeing_with_the_id_number():
    assert_only(errors_of(birth_date=date(2015, 3, 9)), "birth_date")


def test_sex_disagreeing_with_the_id_number():
    assert_only(errors_of(sex="女"), "sex")


def test_female_id_number_and_female_sex_agree():
    number = id_number("430521", BORN, "024")  # 17th digit 4: female
    assert errors_of(id_number=number, sex="女") == {}
    assert_only(errors_of(id_number=number, sex="男"), "sex")


@pytest.mark.parametrize("who", ["father", "mother", "guardian"])
def test_invalid_id_number_of_an_adult(who):
    number = good()[f"{who}_id_number"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert_only(errors_of(**{f"{who}_id_number": wrong}), f"{who}_id_number")
    assert_only(errors_of(**{f"{who}_id_number": number[:16]}), f"{who}_id_number")


@pytest.mark.parametrize("who", ["father", "mother", "guardian"])
def test_an_adult_id_number_is_optional(who):
    assert errors_of(**{f"{who}_id_number": ""}) == {}


# --- birth date --------------------------------------------------------------------------


def test_future_birth_date():
    errors = errors_of(
        birth_date=date(2026, 6, 2), hukou_registered=False, id_number=""
    )
    assert_only(errors, "birth_date")


def test_a_person_of_18_is_not_a_child():
    born = date(2008, 6, 1)
    values = {"birth_date": born, "id_number": id_number("430521", born, "013")}
    assert_only(errors_of(**values), "birth_date")
    # the day before the 18th birthday still a child
    born = date(2008, 6, 2)
    values = {"birth_date": born, "id_number": id_number("430521", born, "013")}
    assert errors_of(**values) == {}


def test_an_orphan_of_18_in_school_may_stay():
    born = date(2007, 9, 1)
    values = {
        "birth_date": born,
        "id_number": id_number("430521", born, "013"),
        "father_status": "死亡",
        "mother_status": "死亡",
        "father_work_place": "",
        "mother_work_place": "",
        "schooling": "中职",
    }
    assert errors_of(**values) == {}
    for schooling in ("初中", "辍学", "不在学", ""):
        errors = errors_of(**{**values, "schooling": schooling})
        assert errors == {"birth_date": [ADULT_REFUSED]}
    errors = errors_of(**{**values, "mother_status": "失联"})
    assert errors == {"birth_date": [ADULT_REFUSED]}


# --- disability ------------------------------------------------------------------------


def test_disability_without_category():
    assert_only(
        errors_of(health="残疾", disability_grade="一级"), "disability_category"
    )


def test_disability_without_grade():
    assert_only(
        errors_of(health="残疾", disability_category="智力"), "disability_grade"
    )


def test_disability_without_category_or_grade():
    errors = errors_of(health="残疾")
    assert set(errors) == {"disability_category", "disability_grade"}


# --- guardianship confirmation -----------------------------------------------------------


def test_confirmation_signed_without_a_date():
    assert_only(
        errors_of(confirmation_signed=True, confirmation_date=None), "confirmation_date"
    )


def test_confirmation_date_without_signed():
    errors = errors_of(confirmation_signed=False, confirmation_date=date(2025, 9, 1))
    assert_only(errors, "confirmation_date")


def test_confirmation_date_in_the_future():
    assert_only(errors_of(confirmation_date=date(2026, 6, 2)), "confirmation_date")


# --- parents, guardian, phones, names --------------------------------------------------------


@pytest.mark.parametrize("who", ["father", "mother"])
@pytest.mark.parametrize("place", ["", "   "])
def test_migrant_parent_without_work_place(who, place):
    assert_only(errors_of(**{f"{who}_work_place": place}), f"{who}_work_place")


def test_both_migrant_parents_without_work_place():
    errors = errors_of(father_work_place="", mother_work_place="")
    assert set(errors) == {"father_work_place", "mother_work_place"}


@pytest.mark.parametrize("who", ["father", "mother", "guardian"])
@pytest.mark.parametrize(
    "phone",
    [
        "12345",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "23812345678",  # 11 digits, not starting 1
        "1381234567a",
        "1234567",  # landline without area code
        "电话13812345678",
    ],
)
def test_bad_phone_numbers(who, phone):
    assert_only(errors_of(**{f"{who}_phone": phone}), f"{who}_phone")


@pytest.mark.parametrize("name", ["李小明2", "3号", "张三１"])
def test_name_with_digits(name):
    assert_only(errors_of(name=name), "name")


def test_empty_name():
    assert_only(errors_of(name=""), "name")


@pytest.mark.parametrize("field", ["name", "father_name", "guardian_name"])
def test_name_of_spaces_only(field):
    assert field in errors_of(**{field: "   "})


def test_name_of_30_characters_is_good_and_31_is_not():
    assert errors_of(name="李" * 30) == {}
    assert_only(errors_of(name="李" * 31), "name")


@pytest.mark.parametrize("field", ["father_name", "mother_name", "guardian_name"])
def test_adult_name_with_digits(field):
    assert_only(errors_of(**{field: "王5"}), field)


def test_guardian_without_relation():
    assert_only(errors_of(guardian_relation=""), "guardian_relation")


def test_no_guardian_needs_no_relation():
    assert (
        errors_of(guardian_name="", guardian_relation="", guardian_id_number="") == {}
    )


def test_several_problems_are_all_reported():
    errors = errors_of(
        name="李1",
        sex="女",
        father_work_place="",
        mother_phone="123",
        confirmation_date=None,
    )
    assert set(errors) == {
        "name",
        "sex",
        "father_work_place",
        "mother_phone",
        "confirmation_date",
    }


# Names: 汉字, letters, the middle dot between parts, spaces between letters.

MARKUP = "不能包含“<”“>”：姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格"


@pytest.mark.parametrize(
    "name",
    [
        "李小明",
        "欧阳娜娜",
        "𠮷明",  # a character outside the basic block
        "阿依古丽·买买提",
        "热依汗古丽·阿不都热合曼·吐尔逊",
        "阿依古丽・买买提",  # the look-alikes of the middle dot
        "阿依古丽•买买提",
        "阿依古丽．买买提",
        "John Smith",
        "José María",
    ],
)
def test_good_names(name):
    assert check_person_name(name) is None
    assert errors_of(name=name, father_name=name, guardian_name=name) == {}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("<b>李</b>", "姓名" + MARKUP.replace("“<”“>”", "“<”“>”“/”")),
        ("李<明>", "姓名" + MARKUP),
        ('李"明', "姓名" + MARKUP.replace("“<”“>”", '“"”')),
        ("李&明", "姓名" + MARKUP.replace("“<”“>”", "“&”")),
        ("李明!", "姓名" + MARKUP.replace("“<”“>”", "“!”")),
        ("李\t明", "姓名" + MARKUP.replace("“<”“>”", "制表符")),
        ("李 明", "姓名的汉字之间、汉字与字母之间不要加空格：请删除空格"),
        ("John  Smith", "姓名中的空格只能有一个，且只能在两个字母之间"),
        ("·买买提", "姓名中的间隔号“·”只能在两部分之间，不能在开头、结尾或连用"),
        ("阿依··买买提", "姓名中的间隔号“·”只能在两部分之间，不能在开头、结尾或连用"),
        ("张3", "姓名不能包含数字"),
    ],
)
def test_names_refuse_markup_and_symbols(name, message):
    assert check_person_name(name) == message


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("name", "姓名"),
        ("father_name", "父亲姓名"),
        ("mother_name", "母亲姓名"),
        ("guardian_name", "实际监护人姓名"),
        ("liaison_cadre_name", "包联干部姓名"),
    ],
)
def test_every_person_name_of_the_record_is_checked(field, label):
    errors = errors_of(**{field: "<script>"})
    assert_only(errors, field)
    assert errors[field] == [label + MARKUP]


def test_the_middle_dot_look_alikes_are_written_as_the_middle_dot():
    for dot in "・•．‧･⋅∙":
        assert normal_person_name(f" 阿依古丽{dot}买买提 ") == "阿依古丽·买买提"
    assert normal_person_name("John\u3000Smith") == "John Smith"


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)))
def test_any_han_name_of_1_to_30_characters_is_good(name):
    assert (check_person_name(name) is None) == (1 <= len(name) <= 30)


@given(
    st.text(max_size=10),
    st.sampled_from("<>\"&'/=;"),
    st.text(max_size=10),
)
def test_a_name_holding_markup_is_always_refused(before, symbol, after):
    assert check_person_name(before + symbol + after) is not None
