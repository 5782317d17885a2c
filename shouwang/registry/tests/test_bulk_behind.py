"""registry.services.bulk.writes_behind: the writes (PostgreSQL: COPYs; SQLite:
INSERTs of many rows) run in a writer thread on the same connection, in the caller's
transaction; what is written, the keys, the all-or-nothing guarantee and the errors
are those of the plain path."""

import sqlite3
import threading

import pytest
from django.db import IntegrityError, NotSupportedError, connection, transaction

from shouwang.registry.models import Child, ChildChange
from shouwang.registry.services.bulk import children_bulk_add, writes_behind
from shouwang.registry.tests.factories import make_child, years_ago
from shouwang.registry.tests.test_bulk import classified, place, stored, varied

__all__ = ["place"]  # the fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True)

SNAPSHOT_SKIP = {"id", "created_at", "updated_at"}


def history_of(children) -> list[tuple]:
    rows = ChildChange.objects.filter(child__in=children).order_by("child_id")
    return [
        (
            r.version,
            r.action,
            r.note,
            r.changes,
            {k: v for k, v in r.snapshot.items() if k not in SNAPSHOT_SKIP},
        )
        for r in rows
    ]


def add_in_batches(made, place, size: int) -> None:
    for start in range(0, len(made), size):
        children_bulk_add(
            made[start : start + size], actor=place.civil, action="import", note="导入"
        )


@pytest.fixture(params=["as configured", "two rows a statement"])
def statement_rows(request):
    """On SQLite, also with a parameter limit that lets two rows into a statement
    (rows split across statements, the last one shorter)."""
    if request.param == "as configured":
        yield
        return
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's parameter limit")
    connection.ensure_connection()
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    width = len([f for f in Child._meta.concrete_fields if not f.generated])
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 2 * width + 1)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)


def test_it_writes_what_the_plain_path_writes(place, statement_rows):
    rows = varied(place, 23)
    behind = classified(rows)
    with (
        transaction.atomic(),
        writes_behind(reserve={Child: len(behind), ChildChange: len(behind)}),
    ):
        add_in_batches(behind, place, 5)
        # A query waits for the writes in flight and sees them: same transaction.
        assert Child.objects.filter(pk__in=[c.pk for c in behind]).count() == 23
    Child.objects.filter(pk__in=[c.pk for c in behind]).update(id_number=None)
    plain = classified(rows)  # the same ID numbers again: now free
    with transaction.atomic():
        add_in_batches(plain, place, 5)
    Child.objects.filter(pk__in=[c.pk for c in plain]).update(id_number=None)
    assert stored(behind) == stored(plain)
    assert history_of(behind) == history_of(plain)
    assert len(history_of(behind)) == 23


def test_every_child_and_history_row_gets_a_key_of_its_own(place):
    made = classified(varied(place, 12))
    with transaction.atomic(), writes_behind(reserve={Child: 12, ChildChange: 12}):
        add_in_batches(made, place, 4)
        more = classified(varied(place, 3, offset=40))  # beyond the reserve
        add_in_batches(more, place, 3)
    keys = [c.pk for c in made + more]
    assert len(set(keys)) == 15
    for child in made + more:
        assert Child.objects.get(pk=child.pk).name == child.name
        assert ChildChange.objects.get(child_id=child.pk).snapshot["name"] == child.name
    after = make_child(place.village, name="后登记", birth_date=years_ago(6))
    assert after.pk > max(keys)


def test_a_taken_id_number_fails_the_whole_write(place):
    taken = make_child(place.village, name="已登记", birth_date=years_ago(5))
    rows = varied(place, 12)
    rows[1]["id_number"] = taken.id_number  # in the first of three batches
    made = classified(rows)
    count, history = Child.objects.count(), ChildChange.objects.count()
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        writes_behind(reserve={Child: 12, ChildChange: 12}),
    ):
        add_in_batches(made, place, 4)
    assert (Child.objects.count(), ChildChange.objects.count()) == (count, history)
    assert all(t.name != "bulk-copy" for t in threading.enumerate())


def test_an_error_of_the_caller_leaves_nothing_written(place):
    made = classified(varied(place, 8))
    count = Child.objects.count()
    with (
        pytest.raises(ValueError, match="调用方出错"),
        transaction.atomic(),
        writes_behind(reserve={Child: 8, ChildChange: 8}),
    ):
        add_in_batches(made, place, 4)
        raise ValueError("调用方出错")
    assert Child.objects.count() == count
    assert all(t.name != "bulk-copy" for t in threading.enumerate())


def test_it_needs_the_callers_transaction():
    with pytest.raises(NotSupportedError), writes_behind():
        pass
