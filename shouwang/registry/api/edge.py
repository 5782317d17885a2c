"""Checks at the edge of the child-registry API: every problem in Chinese, by field."""

from collections.abc import Iterable
from typing import Any

from ninja import Status

from shouwang.accounts import access
from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.selectors import area_list_for
from shouwang.core import api_edge
from shouwang.core.api_edge import In, invalid, refused
from shouwang.core.exceptions import DomainError
from shouwang.core.idnumber import mask_id_number, parse_id_number

from .. import services
from ..models import Child, ChildStatus
from ..rules import PERSON_NAME_FIELDS, check_child, normal_person_name
from ..selectors import (
    AGE_BANDS,
    CATEGORY_FILTERS,
    DIFFICULTY_FILTERS,
    SORTS,
    ChildFilters,
    InvalidCursor,
    child_get_for,
    keyset_page,
)
from ..vocab import (
    Assistance,
    RiskLevel,
    Schooling,
    WeaknessType,
)
from .schemas import (
    BLANK_ALLOWED,
    CHOICES,
    ID_FIELDS,
    LABELS,
    STATUSES,
    ChildIn,
    ChildQuery,
    today,
)

# Edge checks -------------------------------------------------------------------------


def body(request, schema: type[In]) -> In:
    """The JSON body as `schema`; 422 listing every type problem in Chinese."""
    return api_edge.body(request, schema, LABELS)


def not_a_choice(label: str, value: Any, allowed: Iterable[str]) -> str:
    allowed = [a for a in allowed if a]
    if len(allowed) > 15:
        return f"{label}“{value}”不是可选的值：请填写规范名称，如“{allowed[0]}”。"
    return f"{label}“{value}”不是可选的值，应为：{'、'.join(allowed)}。"


def assignable_director(viewer, pk: int) -> bool:
    """True when pk is an active child director inside the viewer's jurisdiction."""
    directors = User.objects.filter(pk=pk, role=Role.DIRECTOR, is_active=True)
    return access.scope(viewer, directors, "area_id").exists()


def child_data(
    actor, payload: ChildIn, *, current: Child | None = None
) -> dict[str, Any]:
    """The body as the services' data, once every check of the edge has passed;
    otherwise 422 listing each problem by field (rules.check_child and the rest)."""
    values = payload.model_dump(include=set(ChildIn.model_fields))
    for field in PERSON_NAME_FIELDS:
        values[field] = normal_person_name(values[field])  # ・ • ． → ·
    for field in ID_FIELDS:
        number = (values[field] or "").upper()
        on_file = getattr(current, field, None)
        if on_file and number == mask_id_number(on_file):
            number = on_file  # read back masked and unchanged: keep the number on file
        values[field] = number
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    for field, vocab in CHOICES.items():
        value = values[field]
        if not (value in vocab.values or (value == "" and field in BLANK_ALLOWED)):
            add(field, not_a_choice(LABELS[field], value, vocab.values))
    for item in values["family_assistance"]:
        if item not in Assistance.values:
            add(
                "family_assistance",
                not_a_choice(LABELS["family_assistance"], item, Assistance.values),
            )
    for field, messages in check_child(values, today=today()).items():
        for message in messages:
            add(field, f"{message}。")
    for field in ID_FIELDS:
        if values[field] and field not in problems:
            values[field] = parse_id_number(values[field]).value  # full-width → ASCII

    village = values["village"]
    if not codes.is_code(village):
        add("village", "户籍地村（社区）应为12位统计用区划代码，如 430524101201。")
    elif not area_list_for(viewer=actor).filter(code=village, level="village").exists():
        add("village", "户籍地须为您管辖范围内的村（社区）。")
    director = values["responsible_director"]
    unchanged = current is not None and director == current.responsible_director_id
    if (
        director is not None
        and not unchanged
        and not assignable_director(actor, director)
    ):
        add("responsible_director", "责任儿童主任须为您管辖范围内在岗的儿童主任。")
    if values["id_number"] and "id_number" not in problems:
        clash = services.id_number_clash(
            actor=actor,
            id_number=values["id_number"],
            exclude_pk=current.pk if current else None,
        )
        if clash:
            add("id_number", clash)
    for field, value in values.items():
        limit = getattr(Child._meta.get_field(field), "max_length", None)
        too_long = isinstance(value, str) and limit and len(value) > limit
        if too_long and field not in problems:
            add(field, f"{LABELS[field]}最多{limit}个字，当前{len(value)}个。")

    if problems:
        order = list(ChildIn.model_fields)
        raise invalid(
            (field, message)
            for field in sorted(problems, key=order.index)
            for message in problems[field]
        )
    data = {
        k: v for k, v in values.items() if k not in ("village", "responsible_director")
    }
    data["village_id"] = village
    data["responsible_director_id"] = director
    data["id_number"] = values["id_number"] or None
    data["family_assistance"] = sorted(set(values["family_assistance"]))
    return data


def check_note(note: str) -> None:
    if len(note) > 500:
        raise invalid([("note", f"说明最多500字，当前{len(note)}个。")])


def conflict(request, stale: services.StaleEdit) -> Status:
    """409 with the record as it now stands, if it is still the caller's to see."""
    current = child_get_for(viewer=request.user, pk=stale.current.pk)
    return Status(409, {"detail": stale.message, "current": current})


def versioned_write(request, write, **kwargs):
    """Run a versioned service write for the caller: the saved record, a 409 with the
    current record when it changed meanwhile, or a 422 for the service's refusal."""
    try:
        return write(actor=request.user, **kwargs)
    except services.StaleEdit as stale:
        return conflict(request, stale)
    except DomainError as error:
        return refused(error)


def list_filters(query: ChildQuery) -> ChildFilters:
    """The list's filters, each value checked: a wrong one is a 422, never ignored."""
    problems = []
    for field, label, allowed in (
        ("category", "类别", CATEGORY_FILTERS),
        ("difficulty", "困境类型", DIFFICULTY_FILTERS),
        ("weakness", "监护能力薄弱类型", WeaknessType.values),
        ("risk", "风险等级", [*RiskLevel.values, "无"]),
        ("age_band", "年龄段", AGE_BANDS),
        ("schooling", "就学状况", Schooling.values),
        ("status", "状态", STATUSES),
        ("sort", "排序", SORTS),
    ):
        value = getattr(query, field)
        if value and value not in allowed:
            problems.append((field, not_a_choice(label, value, allowed)))
    if query.area and not codes.is_code(query.area):
        problems.append(("area", "区划代码应为12位数字，如 430524101201。"))
    if len(query.q) > 50:
        problems.append(("q", "搜索内容最多50个字。"))
    if problems:
        raise invalid(problems)
    return ChildFilters(
        area=query.area,
        category=query.category,
        difficulty=query.difficulty,
        weakness=query.weakness,
        risk=query.risk,
        age_band=query.age_band,
        schooling=query.schooling,
        status="" if query.status == "all" else query.status or ChildStatus.ACTIVE,
        q=query.q,
        sort=query.sort or "name",
    )


def page(children, *, sort: str, after: str, size: int):
    """keyset_page, with a cursor it did not make for this sort refused as a 422."""
    try:
        return keyset_page(children, sort=sort, after=after, size=size)
    except InvalidCursor:
        raise invalid(
            [
                (
                    "after",
                    "翻页游标无效或与排序方式不符：请去掉 after 参数，从第一页重新开始。",
                )
            ]
        ) from None
