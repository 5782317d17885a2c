"""The child form, the list filter form and the exit form: every bad input gives a
Chinese message on its own field that says how to fix it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouwang.core.idnumber import check_character
from shouwang.registry.forms import ChildFilterForm, ChildForm, ExitForm

from .factories import child_data, id_for, make_child, make_place, post_data, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return make_place()


def _form(place, data, **kwargs) -> ChildForm:
    return ChildForm(data, actor=kwargs.pop("actor", place.director), **kwargs)


def _errors(form) -> dict[str, list[str]]:
    assert not form.is_valid()
    return {field: list(messages) for field, messages in form.errors.items()}


def test_a_complete_record_gives_the_service_its_data(place):
    form = _form(
        place,
        post_data(place.village, family_assistance=["特困供养", "低保"], boarding=True),
    )
    assert form.is_valid(), form.errors
    data = form.service_data()
    expected = child_data(place.village, family_assistance=["低保", "特困供养"])
    assert data["village_id"] == place.village.code
    assert data["responsible_director_id"] is None
    assert data["family_assistance"] == ["低保", "特困供养"]
    assert data["boarding"] is True
    assert data["hukou_registered"] is True
    assert set(data) == set(expected)
    assert "version" not in data


def test_id_numbers_are_stored_in_their_normal_form(place):
    born = date(2016, 1, 1)
    number = next(
        first17 + "X"
        for first17 in (f"430524{born:%Y%m%d}{order:03d}" for order in range(1, 999, 2))
        if check_character(first17) == "X"
    )
    full_width = number[:17].translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    form = _form(
        place,
        post_data(
            place.village,
            birth_date=born,
            id_number=f" {full_width}ｘ ",
            father_id_number=number.lower(),
        ),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == number
    assert form.cleaned_data["father_id_number"] == number


def test_a_child_without_registered_hukou_may_have_no_number(place):
    form = _form(place, post_data(place.village, id_number=None))
    assert form.is_valid(), form.errors
    assert form.service_data()["id_number"] is None
    assert form.service_data()["hukou_registered"] is False


def _id_with_date(date8: str) -> str:
    first17 = f"430524{date8}013"
    return first17 + check_character(first17)


def _wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


BORN = years_ago(9, days=40)
DAY_BEFORE = BORN - timedelta(days=1)
UNREGISTERED = {"id_number": "", "hukou_registered": "0"}

# name: (the bad input, given the good POST data; its field; the message shown)
BAD_INPUTS = {
    "id too short": (
        lambda good: {"id_number": good["id_number"][:17]},
        "id_number",
        "身份号码应为18位，当前为17位。",
    ),
    "id too long": (
        lambda good: {"id_number": good["id_number"] + "1"},
        "id_number",
        "身份号码应为18位，当前为19位。",
    ),
    "id check digit": (
        lambda good: {"id_number": _wrong_check(good["id_number"])},
        "id_number",
        "身份号码校验位不正确：请逐位核对号码（常见原因是录入错一位）。",
    ),
    "id impossible date": (
        lambda good: {"id_number": _id_with_date("20150230")},
        "id_number",
        "身份号码中的出生日期 20150230 不是真实的日期。",
    ),
    "id letters": (
        lambda good: {"id_number": "43052420160101001A"},
        "id_number",
        "身份号码前17位应为数字，最后一位为数字或 X。",
    ),
    "sex disagrees with id": (
        lambda good: {"sex": "女"},
        "sex",
        "性别“女”与身份号码（第17位表示男性）不一致：请核对。",
    ),
    "birth date disagrees with id": (
        lambda good: {"birth_date": DAY_BEFORE.isoformat()},
        "birth_date",
        f"出生日期 {DAY_BEFORE:%Y-%m-%d} 与身份号码中的 {BORN:%Y-%m-%d} 不一致：请核对。",
    ),
    "birth date in the future": (
        lambda good: {**UNREGISTERED, "birth_date": "2999-01-01"},
        "birth_date",
        "出生日期 2999-01-01 晚于今天：请核对。",
    ),
    "birth date not a date": (
        lambda good: {"birth_date": "2015-13-40"},
        "birth_date",
        "出生日期应为有效日期，如 2015-03-08。",
    ),
    "registered hukou without number": (
        lambda good: {"id_number": ""},
        "id_number",
        "户口已登记的儿童必须填写公民身份号码；确未登记户口的请将户口登记状况选为未登记。",
    ),
    "parent status outside the list": (
        lambda good: {"father_status": "外星人"},
        "father_status",
        "“外星人”不是可选的父亲状况：请从列表中选择。",
    ),
    "parent status missing": (
        lambda good: {"mother_status": ""},
        "mother_status",
        "请选择母亲状况。",
    ),
    "disability without category": (
        lambda good: {"health": "残疾", "disability_grade": "二级"},
        "disability_category",
        "健康状况为残疾时，请选择残疾类别。",
    ),
    "disability without grade": (
        lambda good: {"health": "残疾", "disability_category": "肢体"},
        "disability_grade",
        "健康状况为残疾时，请选择残疾等级。",
    ),
    "signed without a date": (
        lambda good: {"confirmation_signed": "on"},
        "confirmation_date",
        "已签订委托监护责任确认书时，请填写签订日期。",
    ),
    "signed in the future": (
        lambda good: {"confirmation_signed": "on", "confirmation_date": "2999-01-01"},
        "confirmation_date",
        "签订日期 2999-01-01 晚于今天：请核对。",
    ),
    "name missing": (lambda good: {"name": ""}, "name", "请填写姓名。"),
    "name with digits": (lambda good: {"name": "张3"}, "name", "姓名不能包含数字。"),
    "name with markup": (
        lambda good: {"name": "<b>张</b>"},
        "name",
        "姓名不能包含“<”“>”“/”：姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格。",
    ),
    "guardian name with an ampersand": (
        lambda good: {"guardian_name": "王&李"},
        "guardian_name",
        "实际监护人姓名不能包含“&”：姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格。",
    ),
    "father name with an equals sign": (
        lambda good: {"father_name": "张=三"},
        "father_name",
        "父亲姓名不能包含“=”：姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格。",
    ),
    "cadre name with a tag": (
        lambda good: {"liaison_cadre_name": "<i>"},
        "liaison_cadre_name",
        "包联干部姓名不能包含“<”“>”：姓名只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格。",
    ),
    "mother name with a dot at the end": (
        lambda good: {"mother_name": "古丽·"},
        "mother_name",
        "母亲姓名中的间隔号“·”只能在两部分之间，不能在开头、结尾或连用。",
    ),
    "migrant without work place": (
        lambda good: {"father_work_place": ""},
        "father_work_place",
        "父亲外出务工时请填写务工地（省、市）。",
    ),
    "bad phone": (
        lambda good: {"guardian_phone": "12345"},
        "guardian_phone",
        "电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）。",
    ),
    "guardian without relation": (
        lambda good: {"guardian_relation": ""},
        "guardian_relation",
        "填写了实际监护人，请选择监护人与儿童关系。",
    ),
    "village of another county": (
        lambda good: {"village": "430525911001"},
        "village",
        "所选村（社区）不存在或不在您的管辖范围内。",
    ),
    "village of another director": (
        lambda good: {"village": "430524911002"},
        "village",
        "所选村（社区）不存在或不在您的管辖范围内。",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_each_bad_input_names_its_field_and_the_fix(place, case):
    bad, field, message = BAD_INPUTS[case]
    data = post_data(place.village, birth_date=BORN)
    data.update(bad(data))

    errors = _errors(_form(place, data))
    assert errors.get(field) == [message], errors


def test_names_are_kept_with_the_middle_dot(place):
    data = post_data(
        place.village,
        name="阿依古丽・买买提",
        mother_name="古丽•热合曼",
        guardian_name="John Smith",
    )
    form = _form(place, data)
    assert form.is_valid(), form.errors
    service = form.service_data()
    assert service["name"] == "阿依古丽·买买提"
    assert service["mother_name"] == "古丽·热合曼"
    assert service["guardian_name"] == "John Smith"


def test_an_adult_may_be_registered_only_as_an_orphan_in_school(place):
    refused = [
        "已年满18周岁，不在儿童信息库登记范围内（父母均死亡或不详、就学状况为高中、中职或"
        "高职及以上的孤儿除外）。"
    ]
    data = post_data(
        place.village, id_number=None, birth_date=years_ago(18), schooling="高中"
    )
    assert _errors(_form(place, data))["birth_date"] == refused  # parents migrant
    data.update(
        father_status="死亡",
        father_work_place="",
        mother_status="不详",
        mother_work_place="",
        schooling="初中",
    )
    assert _errors(_form(place, data))["birth_date"] == refused  # not full-time
    assert "in_school_after_18" not in _form(place, data).fields  # derived, not ticked
    for schooling in ("高中", "中职", "高职及以上"):
        data["schooling"] = schooling
        assert _form(place, data).is_valid(), schooling


def test_a_director_is_offered_their_own_village_and_directors(place):
    form = ChildForm(actor=place.director)
    assert list(form.fields["village"].queryset) == [place.village]
    assert form.fields["village"].initial == place.village
    assert list(form.fields["responsible_director"].queryset) == [place.director]
    form = ChildForm(actor=place.supervisor)
    assert set(form.fields["village"].queryset) == {place.village, place.other_village}
    assert form.fields["village"].initial is None
    assert set(form.fields["responsible_director"].queryset) == {
        place.director,
        place.other_director,
    }


def test_editing_shows_the_record_as_it_is(place):
    child = make_child(place.village, boarding=True, hukou_registered=True)
    html = str(ChildForm(instance=child, actor=place.director)["boarding"])
    assert '<option value="true" selected>是</option>' in html
    assert '<option value="unknown">（未填）</option>' in html
    child.boarding = False
    html = str(ChildForm(instance=child, actor=place.director)["boarding"])
    assert '<option value="false" selected>否</option>' in html
    form = ChildForm(instance=child, actor=place.director)
    assert form["version"].value() == 1
    assert '<option value="1" selected>已登记</option>' in str(form["hukou_registered"])


def test_the_filter_form_offers_every_filter():
    form = ChildFilterForm(area_choices=[("430524911001", "守望村")])
    choices = {
        name: [c[0] for c in field.choices]
        for name, field in form.fields.items()
        if hasattr(field, "choices")
    }
    assert choices["category"] == [
        "",
        "孤儿",
        "事实无人抚养儿童",
        "农村留守儿童",
        "困境儿童",
        "无类别",
    ]
    assert choices["difficulty"] == ["", "生活困境", "自身困境", "监护困境"]
    assert choices["risk"] == ["", "高", "中", "低", "无"]
    assert choices["age_band"] == ["", "0-2", "3-5", "6-11", "12-15", "16-17"]
    assert choices["status"] == ["active", "exited", "all"]
    assert "③-CB" in choices["weakness"]
    assert "辍学" in choices["schooling"]
    assert '<option value="430524911001">守望村</option>' in str(form["area"])
    assert not ChildFilterForm({"category": "外星人"}).is_valid()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": ""}, "reason", "请选择退出原因。"),
        ({"reason": "毕业"}, "reason", "“毕业”不是可选的退出原因：请从列表中选择。"),
        ({"exit_date": ""}, "exit_date", "请填写退出日期。"),
        ({"exit_date": "2026-02-30"}, "exit_date", "退出日期格式应为 2026-01-31。"),
        ({"exit_date": "tomorrow"}, "exit_date", "退出日期不能晚于今天。"),
        ({"version": ""}, "version", "请求缺少版本号，请刷新页面后重试。"),
    ],
)
def test_the_exit_form_names_what_is_missing(data, field, message):
    if data.get("exit_date") == "tomorrow":
        data["exit_date"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    form = ExitForm(
        {"version": "1", "reason": "其他", "exit_date": timezone.localdate(), **data}
    )
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_the_exit_form_accepts_today():
    form = ExitForm(
        {"version": "3", "reason": "被收养", "exit_date": timezone.localdate()}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["exit_date"] == timezone.localdate()


def test_a_fresh_id_number_is_valid_for_its_birth_date(place):
    born = years_ago(3)
    form = _form(
        place,
        post_data(
            place.village, birth_date=born, id_number=id_for(place.village, born)
        ),
    )
    assert form.is_valid(), form.errors
