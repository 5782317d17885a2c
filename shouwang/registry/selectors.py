"""Reads of the child ledger, always cut to the viewer's jurisdiction."""

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from rapidfuzz import fuzz

from shouwang.accounts import access
from shouwang.accounts.models import User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.refusals import not_found
from shouwang.core.idnumber import (
    IdNumberEnd,
    InvalidIdNumber,
    id_number_end,
    parse_id_number,
)

from .models import Child, ChildChange, ChildStatus, DuplicateDecision, ExitReview
from .policy import age_on
from .services import name_keys

CATEGORY_FILTERS = {
    "孤儿": "is_orphan",
    "事实无人抚养儿童": "is_de_facto_unsupported",
    "农村留守儿童": "is_left_behind",
    "困境儿童": "is_in_difficulty",
    "无类别": None,
}
DIFFICULTY_FILTERS = {
    "生活困境": "difficulty_living",
    "自身困境": "difficulty_self",
    "监护困境": "difficulty_guardianship",
}
AGE_BANDS = {
    "0-2": (0, 2),
    "3-5": (3, 5),
    "6-11": (6, 11),
    "12-15": (12, 15),
    "16-17": (16, 17),
}
SORTS = {
    "name": ("name_pinyin",),
    "birth": ("birth_date",),
    "-birth": ("-birth_date",),
    "village": ("village_id", "name_pinyin"),
    "-updated": ("-updated_at",),
}
PAGE_SIZE = 50
_LETTERS = re.compile(r"^[a-zA-Z]+$")


@dataclass
class ChildFilters:
    area: str = ""
    category: str = ""
    difficulty: str = ""
    weakness: str = ""
    risk: str = ""
    age_band: str = ""
    schooling: str = ""
    status: str = ChildStatus.ACTIVE
    q: str = ""
    sort: str = "name"


def child_list_for(*, viewer) -> QuerySet[Child]:
    """Every child record the viewer may read (all statuses), nothing for other roles."""
    if not access.has_perm(viewer, access.Perm.VIEW_CHILDREN):
        return Child.objects.none()
    return access.scope(viewer, Child.objects.all(), "village_id")


def child_get_for(*, viewer, pk) -> Child:
    """One child the viewer may read; 404 for missing and not-yours alike."""
    try:
        return (
            child_list_for(viewer=viewer)
            .select_related("village", "responsible_director")
            .get(pk=int(pk))
        )
    except (Child.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer,
            model=Child,
            pk=pk,
            message="儿童记录不存在或不在您的管辖范围内。",
        ) from None


def birth_range_for_age(low: int, high: int, as_of: date) -> tuple[date, date]:
    """Birth dates of children aged low..high (inclusive) on as_of."""

    def years_before(years: int) -> date:
        try:
            return as_of.replace(year=as_of.year - years)
        except ValueError:  # 29 February
            return as_of.replace(year=as_of.year - years, day=28)

    youngest = years_before(low)
    oldest_exclusive = years_before(high + 1)
    return date.fromordinal(oldest_exclusive.toordinal() + 1), youngest


def searched_id_number(q: str) -> str | None:
    """The full ID number a search text is (normalised), None for any other search."""
    try:
        return parse_id_number(q.strip()).value if q.strip() else None
    except InvalidIdNumber:
        return None


def _by_id_number_end(children: QuerySet[Child], end: IdNumberEnd) -> QuerySet[Child]:
    """Children whose ID number ends as asked (and starts so, for a masked number): an
    equality on the indexed last four (Child.id_last4) narrows to a few rows per
    million before the rest is compared, so no number is scanned."""
    children = children.filter(id_last4=end.tail[-4:])
    if len(end.tail) > 4:
        children = children.filter(id_number__endswith=end.tail)
    if end.start:
        children = children.filter(id_number__startswith=end.start)
    return children


def child_search(children: QuerySet[Child], q: str) -> QuerySet[Child]:
    """Search by full ID number, by its last 4-6 characters or a masked number as lists
    show it, by pinyin or its initials, or by (part of) the name."""
    q = q.strip()
    if not q:
        return children
    if number := searched_id_number(q):
        return children.filter(id_number=number)
    if end := id_number_end(q):
        return _by_id_number_end(children, end)
    if _LETTERS.match(q):
        q = q.lower()
        return children.filter(
            Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q)
        )
    pinyin, _ = name_keys(q)
    same_name_or_sound = Q(name__contains=q)
    if pinyin:
        same_name_or_sound |= Q(name_pinyin=pinyin)
    return children.filter(same_name_or_sound)


def child_filter(
    children: QuerySet[Child], filters: ChildFilters, *, as_of: date
) -> QuerySet[Child]:
    """Apply the list filters (each an indexed column) to an already scoped queryset."""
    if filters.status in ChildStatus.values:
        children = children.filter(status=filters.status)
    if filters.area and codes.is_code(filters.area):
        children = children.filter(
            access.prefix_q("village_id", codes.prefix_of(filters.area))
        )
    if filters.category in CATEGORY_FILTERS:
        column = CATEGORY_FILTERS[filters.category]
        if column:
            children = children.filter(**{column: True})
        else:
            children = children.filter(
                is_orphan=False,
                is_de_facto_unsupported=False,
                is_left_behind=False,
                is_in_difficulty=False,
            )
    if filters.difficulty in DIFFICULTY_FILTERS:
        children = children.filter(**{DIFFICULTY_FILTERS[filters.difficulty]: True})
    if filters.weakness:
        children = children.filter(weakness_type=filters.weakness)
    if filters.risk:
        children = children.filter(
            risk_level="" if filters.risk == "无" else filters.risk
        )
    if filters.age_band in AGE_BANDS:
        children = children.filter(
            birth_date__range=birth_range_for_age(*AGE_BANDS[filters.age_band], as_of)
        )
    if filters.schooling:
        children = children.filter(schooling=filters.schooling)
    return child_search(children, filters.q)


def child_ordered(children: QuerySet[Child], sort: str) -> QuerySet[Child]:
    """The list in a sort order (SORTS, the name by default) made total by the id, with
    the village and its township, for numbered pages (core.paging)."""
    keys = (*SORTS.get(sort, SORTS["name"]), "id")
    return children.order_by(*keys).select_related("village__parent")


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) else None


class InvalidCursor(ValueError):
    """A page cursor that was not made by keyset_page for this sort."""


_MAX_ID = 2**63 - 1


def _cursor_values(keys: tuple[str, ...], cursor: str) -> list:
    """The cursor's values typed as the sort columns; InvalidCursor for anything else
    (a cursor is typed into the address bar as easily as it is followed)."""
    values = decode_cursor(cursor)
    if values is None or len(values) != len(keys):
        raise InvalidCursor(cursor)
    typed = []
    for key, value in zip(keys, values, strict=True):
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise InvalidCursor(cursor)
        try:
            typed.append(Child._meta.get_field(key.lstrip("-")).to_python(value))
        except (ValidationError, ValueError, TypeError):
            raise InvalidCursor(cursor) from None
    if not 0 < typed[-1] <= _MAX_ID:
        raise InvalidCursor(cursor)
    return typed


def keyset_page(
    children: QuerySet[Child], *, sort: str, after: str = "", size: int = PAGE_SIZE
):
    """One page of children in sort order after the cursor, and the next page's cursor;
    InvalidCursor (a ValueError) for a cursor that does not fit the sort."""
    keys = (*SORTS.get(sort, SORTS["name"]), "id")
    children = children.order_by(*keys)
    values = _cursor_values(keys, after) if after else None
    if values:
        condition = Q()
        for i in reversed(range(len(keys))):
            key = keys[i].lstrip("-")
            op = "lt" if keys[i].startswith("-") else "gt"
            step = Q(**{f"{key}__{op}": values[i]})
            for j in range(i):
                step &= Q(**{keys[j].lstrip("-"): values[j]})
            condition = step if i == len(keys) - 1 else condition | step
        children = children.filter(condition)
    rows = list(children.select_related("village")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = ""
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, k.lstrip("-")) for k in keys])
    return rows, next_cursor


def child_history(child: Child, *, viewer) -> QuerySet[ChildChange]:
    """The child's changes, newest first, with those of records merged into it that
    the viewer may also see."""
    merged = list(
        child_list_for(viewer=viewer)
        .filter(merged_into=child)
        .values_list("pk", flat=True)
    )
    return ChildChange.objects.filter(child_id__in=[child.pk, *merged]).select_related(
        "child"
    )


def child_as_of(child: Child, on: date) -> dict | None:
    """The record as it stood at the end of a past date (None before it was registered)."""
    # The end of the day, inclusive (the day after may not exist: 9999-12-31).
    end = datetime.combine(on, time.max, tzinfo=timezone.get_current_timezone())
    change = (
        ChildChange.objects.filter(child=child, at__lte=end)
        .order_by("-at", "-id")
        .first()
    )
    return change.snapshot if change else None


def child_snapshot_of_version(child: Child, version: int) -> dict:
    """The record as it stood at one of its versions ({} when there is none)."""
    return (
        ChildChange.objects.filter(child=child, version=version)
        .order_by("-at", "-id")
        .values_list("snapshot", flat=True)
        .first()
    ) or {}


def value_names(
    *, village_codes: Iterable[str], director_ids: Iterable[int]
) -> tuple[dict[str, str], dict[int, str]]:
    """Names of villages and directors, to show stored codes and ids as people read
    them (the villages and directors of records the viewer already sees)."""
    villages = dict(
        Area.objects.filter(code__in=set(village_codes)).values_list("code", "name")
    )
    directors = {
        user.pk: user.display_name
        for user in User.objects.filter(pk__in=set(director_ids)).only(
            "pk", "full_name", "username"
        )
    }
    return villages, directors


def duplicate_candidates(*, viewer, child: Child, threshold: int = 85) -> list[Child]:
    """Other active records in the same county, same birth date and a similar name
    (pinyin-aware: 张晓明 / 张小明), not already judged different, that the viewer may see."""
    dismissed = set(
        DuplicateDecision.objects.filter(Q(first=child) | Q(second=child)).values_list(
            "first_id", "second_id"
        )
    )
    dismissed_ids = {pk for pair in dismissed for pk in pair} - {child.pk}
    others = (
        child_list_for(viewer=viewer)
        .filter(access.prefix_q("village_id", child.village_id[:6]))
        .filter(status=ChildStatus.ACTIVE, birth_date=child.birth_date)
        .exclude(pk__in=[child.pk, *dismissed_ids])
        .select_related("village")
    )
    found = []
    for other in others:
        if child.id_number and other.id_number:
            continue  # both numbered and different: not the same child
        same_sound = other.name_pinyin == child.name_pinyin
        if same_sound or fuzz.ratio(other.name_pinyin, child.name_pinyin) >= threshold:
            found.append(other)
    return found


def age_of(child: Child, as_of: date) -> int:
    return age_on(child.birth_date, as_of)


def exit_review_list_for(*, viewer) -> QuerySet[ExitReview]:
    """Open aging-out items of active children the viewer may read, earliest birthday
    first (nothing for roles without VIEW_CHILDREN)."""
    if not access.has_perm(viewer, access.Perm.VIEW_CHILDREN):
        return ExitReview.objects.none()
    return (
        access.scope(
            viewer,
            ExitReview.objects.filter(resolution="", child__status=ChildStatus.ACTIVE),
            "child__village_id",
        )
        .select_related("child", "child__village")
        .order_by("due_on", "id")
    )


def exit_review_get_for(*, viewer, pk) -> ExitReview:
    """One aging-out item (open or resolved) of a child the viewer may read; 404 for
    missing and not-yours alike."""
    missing = "记录不存在或不在您的管辖范围内。"
    if not access.has_perm(viewer, access.Perm.VIEW_CHILDREN):
        raise not_found(viewer=viewer, model=ExitReview, pk=pk, message=missing)
    try:
        return (
            access.scope(viewer, ExitReview.objects.all(), "child__village_id")
            .select_related("child", "child__village")
            .get(pk=int(pk))
        )
    except (ExitReview.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer, model=ExitReview, pk=pk, message=missing
        ) from None
