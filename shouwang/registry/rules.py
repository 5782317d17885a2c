"""The checks a child's record must pass, shared by the web form, the API and the roster
importer, so that one rule gives one message everywhere.

`check_child(values, today=...)` takes already-typed values (dates as date, flags as
bool) keyed by Child field names and returns {field: [messages]}; an empty dict means
the record may be saved. Messages say what is wrong and how to fix it.
"""

import re
from collections.abc import Mapping
from datetime import date

from shouwang.core.idnumber import IdNumber, InvalidIdNumber, parse_id_number

from .policy import age_on
from .vocab import Health, ParentStatus

_DIGIT = re.compile(r"\d")
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
PARENTS = (("father", "父亲"), ("mother", "母亲"))


def check_person_name(value: str, label: str = "姓名") -> str | None:
    """A name of 1–30 characters (trimmed) without digits, or the message saying why not."""
    value = (value or "").strip()
    if not value:
        return f"{label}不能为空"
    if len(value) > 30:
        return f"{label}最多30个字符，当前{len(value)}个"
    if _DIGIT.search(value):
        return f"{label}不能包含数字"
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
    elif born and age_on(born, today) >= 18 and not values.get("in_school_after_18"):
        add(
            "birth_date",
            "已年满18周岁，不在儿童信息库登记范围内（年满18周岁仍在校的孤儿请勾选“年满18周岁仍在校”）",
        )

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
