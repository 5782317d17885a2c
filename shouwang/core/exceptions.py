"""Domain exceptions raised by services; views turn them into messages a person reads."""

from collections.abc import Mapping


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is Chinese and says why."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValues(DomainError):
    """Values a person entered break rules; `problems` has every message by field
    (in form order), the first of them as `message` and `field`."""

    def __init__(self, problems: Mapping[str, list[str]]) -> None:
        field, messages = next(iter(problems.items()))
        super().__init__(messages[0], field=field)
        self.problems = dict(problems)


class NotFound(DomainError):
    """The object does not exist, or lies outside the viewer's jurisdiction."""

    def __init__(self, message: str = "记录不存在或不在您的管辖范围内。") -> None:
        super().__init__(message)


class Problems(dict):
    """The messages a service collects by field while it checks values; raise_any
    raises them together (InvalidValues), so a person sees every one at once."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self:
            raise InvalidValues(self)


def read_text(
    problems: Problems,
    values: Mapping,
    field: str,
    label: str,
    *,
    required: bool = False,
    limit: int,
) -> str:
    """A text value, stripped; a missing required one or one over `limit` characters
    adds its message to `problems`."""
    value = (values.get(field) or "").strip()
    if required and not value:
        problems.add(field, f"请填写{label}。")
    elif len(value) > limit:
        problems.add(field, f"{label}最多{limit}个字，当前{len(value)}个。")
    return value
