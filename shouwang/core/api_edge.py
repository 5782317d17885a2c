"""The API's edge, shared by every app's operations: a body read into a schema with
every problem in Chinese by field, refusals as 403 and 422, OpenAPI bodies."""

from collections.abc import Iterable, Mapping
from typing import TypeVar

import pydantic
from ninja import Schema, Status
from ninja.errors import HttpError, ValidationError

from shouwang.accounts import access

from .exceptions import DomainError

In = TypeVar("In", bound=Schema)


class Message(Schema):
    detail: str


class FieldProblem(Schema):
    field: str
    message: str


class Invalid(Schema):
    """The 422 answer: a summary and every problem by field."""

    detail: str
    errors: list[FieldProblem]


# How a value of the wrong type is described, by the start of pydantic's error type.
TYPE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("date", "应为日期，格式如 2026-01-31"),
    ("bool", "应为 true 或 false"),
    ("int", "应为整数"),
    ("string", "应为字符串"),
    ("list", "应为列表"),
)


def require(user, perm: access.Perm, message: str) -> None:
    """403 with message unless the user holds perm."""
    if not access.has_perm(user, perm):
        raise HttpError(403, message)


# An offset past any table's rows: larger ones would overflow the database's integer
# (SQLite and PostgreSQL take 64 bits) and are the same empty page anyway.
MAX_OFFSET = 2**31 - 1


def page_window(limit: int, offset: int, *, max_limit: int) -> tuple[int, int]:
    """limit within 1..max_limit and offset within 0..MAX_OFFSET, for a list answer."""
    return max(1, min(limit, max_limit)), min(max(offset, 0), MAX_OFFSET)


def invalid(problems: Iterable[tuple[str, str]]) -> ValidationError:
    """The API's 422 (detail 请求参数有误, one entry per problem) for (field, message)."""
    return ValidationError(
        [{"loc": (field,) if field else (), "msg": msg} for field, msg in problems]
    )


def refused(error: DomainError) -> Status:
    """A service's refusal as a 422 whose detail is the service's own message."""
    errors = [{"field": error.field, "message": error.message}] if error.field else []
    return Status(422, {"detail": error.message, "errors": errors})


def type_problem(
    error: dict,
    labels: Mapping[str, str],
    *,
    type_messages: Iterable[tuple[str, str]] = TYPE_MESSAGES,
    missing_hint: str = "",
) -> tuple[str, str]:
    """A pydantic error as (field, Chinese message naming the field by its label)."""
    field = str(error["loc"][0]) if error["loc"] else ""
    label = labels.get(field, field)
    kind = error["type"]
    if kind == "json_invalid":
        return "", "请求内容不是有效的 JSON。"
    if not field:
        return "", "请求内容应为 JSON 对象。"
    if kind == "missing":
        return field, f"请填写{label}{missing_hint}。"
    if kind == "extra_forbidden":
        return field, f"不认识的字段“{field}”：请核对字段名。"
    for prefix, message in type_messages:
        if kind.startswith(prefix):
            return field, f"{label}{message}。"
    return field, f"{label}的值不正确。"


def body(request, schema: type[In], labels: Mapping[str, str], **options) -> In:
    """The JSON body as `schema`; a 422 listing every type problem in Chinese
    (options go to type_problem)."""
    try:
        return schema.model_validate_json(request.body or b"{}")
    except pydantic.ValidationError as error:
        raise invalid(
            dict.fromkeys(
                type_problem(e, labels, **options)
                for e in error.errors(include_url=False)
            )
        ) from None


def json_body(schema: type[Schema]) -> dict:
    """The OpenAPI request body of an operation that reads its body itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }
