"""The checks a child's record must pass, shared by the web form, the API and the roster
importer, so that one rule gives one message everywhere.

`check_child(values, today=...)` takes already-typed values (dates as date, flags as
bool) keyed by Child field names and returns {field: [messages]}; an empty dict means
the record may be saved. Messages say what is wrong and how to fix it.
"""

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from shouwang.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number

from .policy import age_on, stays_orphan_after_18
from .vocab import Health, ParentStatus

_DIGIT = re.compile(r"\d")
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
PARENTS = (("father", "父亲"), ("mother", "母亲"))
ADULT_REFUSED = (
    "已年满18周岁，不在儿童信息库登记范围内（父母均死亡或不详、就学状况为高中、中职或"
    "高职及以上的孤儿除外）"
)


# A person's name holds 汉字 and letters (for minority and foreign names), the middle
# dot of names such as 阿依古丽·买买提, and single spaces between letters (John Smith);
# markup and other symbols (< > " & …) have no place in it.
MIDDLE_DOT = "·"
PERSON_NAME_FIELDS = (
    "name",
    "father_name",
    "mother_name",
    "guardian_name",
    "liaison_cadre_name",
)
NAME_CHARACTERS = "只能由汉字、字母、间隔号“·”（如 阿依古丽·买买提）组成，外文姓名的字母之间可有一个空格"
# The middle dot as input methods and fonts give it, and a full-width space.
_NAME_VARIANTS = str.maketrans(
    dict.fromkeys("・•．‧･⋅∙\u0387\u2e31", MIDDLE_DOT) | {"\u3000": " "}
)
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_ONLY = re.compile(f"[{_HAN}]{{1,30}}")  # the usual name, accepted at once
_IS_HAN = re.compile(f"[{_HAN}]")
_CONTROL_NAMES = {"\t": "制表符", "\n": "换行", "\r": "回车"}


def normal_person_name(value: str | None) -> str:
    """The name as it is kept: trimmed, the look-alikes of the middle dot (・ • ．…)
    written as ·, a full-width space as a space."""
    return (value or "").translate(_NAME_VARIANTS).strip()


def check_person_name(value: str, label: str = "姓名") -> str | None:
    """A name of 1–30 characters (trimmed) of 汉字, letters, the middle dot between
    parts and single spaces between letters, or the message saying why not."""
    value = (value or "").strip()
    if _HAN_ONLY.fullmatch(value):
        return None
    value = normal_person_name(value)
    if not value:
        return f"{label}不能为空"
    if len(value) > 30:
        return f"{label}最多30个字符，当前{len(value)}个"
    if _DIGIT.search(value):
        return f"{label}不能包含数字"
    return _name_characters(value, label)


def _is_letter(character: str) -> bool:
    return unicodedata.category(character)[0] in "LM"  # 汉字 are letters too


def _name_characters(value: str, label: str) -> str | None:
    wrong = [
        c
        for c in dict.fromkeys(value)
        if c not in " " + MIDDLE_DOT and not _is_letter(c)
    ]
    if wrong:
        shown = "".join(
            f"“{c}”" if c.isprintable() else _CONTROL_NAMES.get(c, f"U+{ord(c):04X}")
            for c in wrong
        )
        return f"{label}不能包含{shown}：姓名{NAME_CHARACTERS}"
    for position, character in enumerate(value):
        if character not in " " + MIDDLE_DOT:
            continue
        before = value[position - 1] if position else " "
        after = value[position + 1] if position + 1 < len(value) else " "
        if not (_is_letter(before) and _is_letter(after)):
            return (
                f"{label}中的间隔号“·”只能在两部分之间，不能在开头、结尾或连用"
                if character == MIDDLE_DOT
                else f"{label}中的空格只能有一个，且只能在两个字母之间"
            )
        if character == " " and (_IS_HAN.match(before) or _IS_HAN.match(after)):
            return f"{label}的汉字之间、汉字与字母之间不要加空格：请删除空格"
    return None


def check_phone(value: str) -> str | None:
    """A mainland mobile (11 digits starting 1) or a landline with area code."""
    if not value or _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return "电话号码应为11位手机号（1开头）或带区号的固定电话（如 0739-1234567）"


def check_child(
    values: dict, *, today: date, parsed_ids: Mapping[str, IdNumber] | None = None
) -> dict[str, list[str]]:
    """Every problem of a child's record, by field; {} when it may be saved.
    `parsed_ids` (field → IdNumber) are ID numbers the caller has already parsed
    for the same today, not parsed again (the roster import reads thousands)."""
    errors: dict[str, list[str]] = {}

    def parse(field: str) -> IdNumber:
        known = parsed_ids.get(field) if parsed_ids else None
        if known is not None and known.value == values[field]:
            return known
        return parse_id_number(values[field], today=today)

    def add(field: str, message: str | None) -> None:
        if message:
            errors.setdefault(field, []).append(message)

    add("name", check_person_name(values.get("name", "")))
    born: date | None = values.get("birth_date")
    if born and born > today:
        add("birth_date", f"出生日期 {born:%Y-%m-%d} 晚于今天：请核对")
    elif (
        born
        and age_on(born, today) >= 18
        and not stays_orphan_after_18(
            father_status=values.get("father_status"),
            mother_status=values.get("mother_status"),
            schooling=values.get("schooling"),
        )
    ):
        add("birth_date", ADULT_REFUSED)

    number = values.get("id_number") or ""
    if not number and values.get("hukou_registered", True):
        add(
            "id_number",
            "户口已登记的儿童必须填写公民身份号码；确未登记户口的请将户口登记状况选为未登记",
        )
    if number:
        try:
            parsed = parse("id_number")
        except InvalidIdNumber as error:
            add("id_number", f"{error}")
        else:
            if born and parsed.birth_date != born:
                add(
                    "birth_date",
                    f"出生日期 {born:%Y-%m-%d} 与身份号码中的 {parsed.birth_date:%Y-%m-%d} 不一致：请核对",
                )
            sex = values.get("sex")
            if sex and parsed.sex != sex:
                add(
                    "sex",
                    f"性别“{sex}”与身份号码（第17位表示{parsed.sex}性）不一致：请核对",
                )

    if values.get("health") == Health.DISABLED:
        if not values.get("disability_category"):
            add("disability_category", "健康状况为残疾时，请选择残疾类别")
        if not values.get("disability_grade"):
            add("disability_grade", "健康状况为残疾时，请选择残疾等级")
    else:
        if values.get("disability_category") or values.get("disability_grade"):
            add(
                "health",
                "填写了残疾类别或等级，健康状况应选“残疾”；否则请清空残疾类别和等级",
            )

    for who, label in PARENTS:
        if values.get(f"{who}_name"):
            add(f"{who}_name", check_person_name(values[f"{who}_name"], f"{label}姓名"))
        if values.get(f"{who}_id_number"):
            try:
                parse(f"{who}_id_number")
            except InvalidIdNumber as error:
                add(f"{who}_id_number", f"{label}{error}")
        add(f"{who}_phone", check_phone(values.get(f"{who}_phone", "")))
        if (
            values.get(f"{who}_status") == ParentStatus.MIGRANT
            and not values.get(f"{who}_work_place", "").strip()
        ):
            add(f"{who}_work_place", f"{label}外出务工时请填写务工地（省、市）")

    guardian = values.get("guardian_name", "")
    if guardian:
        add("guardian_name", check_person_name(guardian, "实际监护人姓名"))
        if not values.get("guardian_relation"):
            add("guardian_relation", "填写了实际监护人，请选择监护人与儿童关系")
    if values.get("guardian_id_number"):
        try:
            parse("guardian_id_number")
        except InvalidIdNumber as error:
            add("guardian_id_number", f"监护人{error}")
    add("guardian_phone", check_phone(values.get("guardian_phone", "")))
    if values.get("liaison_cadre_name"):
        add(
            "liaison_cadre_name",
            check_person_name(values["liaison_cadre_name"], "包联干部姓名"),
        )

    signed, signed_on = (
        values.get("confirmation_signed"),
        values.get("confirmation_date"),
    )
    if signed and not signed_on:
        add("confirmation_date", "已签订委托监护责任确认书时，请填写签订日期")
    if signed_on and not signed:
        add(
            "confirmation_date",
            "填写了签订日期，请将“已签订委托监护责任确认书”选为是，或清空日期",
        )
    if signed_on and signed_on > today:
        add("confirmation_date", f"签订日期 {signed_on:%Y-%m-%d} 晚于今天：请核对")
    return errors
