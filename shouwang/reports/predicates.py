"""Conditions on a child's row that count a figure, written once and read two ways:
as a database filter (`q`) over the stored classification columns of today's ledger,
and as a test (`test`) of a row rebuilt from history for a past date. A figure's
definition therefore cannot drift between the live and the historical count."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q


class Predicate:
    def q(self, as_of: date) -> Q:
        raise NotImplementedError

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        raise NotImplementedError

    def __and__(self, other: "Predicate") -> "Predicate":
        return All((self, other))

    def __or__(self, other: "Predicate") -> "Predicate":
        return AnyOf((self, other))

    def __invert__(self) -> "Predicate":
        return Not(self)


@dataclass(frozen=True)
class Is(Predicate):
    """The column equals the value."""

    field: str
    value: Any = True

    def q(self, as_of: date) -> Q:
        return Q(**{self.field: self.value})

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        return row[self.field] == self.value


@dataclass(frozen=True)
class In(Predicate):
    """The column is one of the values."""

    field: str
    values: tuple

    def q(self, as_of: date) -> Q:
        return Q(**{f"{self.field}__in": list(self.values)})

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        return row[self.field] in self.values


@dataclass(frozen=True)
class BeforeAsOf(Predicate):
    """The date column is set and earlier than the as-of date."""

    field: str

    def q(self, as_of: date) -> Q:
        return Q(**{f"{self.field}__lt": as_of})

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        value = row[self.field]
        return value is not None and value < as_of


@dataclass(frozen=True)
class Not(Predicate):
    inner: Predicate

    def q(self, as_of: date) -> Q:
        return ~self.inner.q(as_of)

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        return not self.inner.test(row, as_of)


@dataclass(frozen=True)
class All(Predicate):
    parts: tuple[Predicate, ...]

    def q(self, as_of: date) -> Q:
        result = Q()
        for part in self.parts:
            result &= part.q(as_of)
        return result

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        return all(part.test(row, as_of) for part in self.parts)


@dataclass(frozen=True)
class AnyOf(Predicate):
    parts: tuple[Predicate, ...]

    def q(self, as_of: date) -> Q:
        result = Q(pk__in=[])
        for part in self.parts:
            result |= part.q(as_of)
        return result

    def test(self, row: Mapping[str, Any], as_of: date) -> bool:
        return any(part.test(row, as_of) for part in self.parts)
