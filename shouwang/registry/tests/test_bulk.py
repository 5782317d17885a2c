"""registry.services.bulk: bulk_insert writes what bulk_create writes, on the database
the suite runs on (SQLite, or PostgreSQL with DATABASE_URL), and gives every object the
key of its own row; children_bulk_add writes children and their history as one path
for the roster import and the demo."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, NotSupportedError, connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from shouwang.registry.models import Child, ChildChange
from shouwang.registry.services import Classifier, apply_classification, snapshot
from shouwang.registry.services.bulk import (
    Builder,
    bulk_insert,
    children_bulk_add,
    history_rows,
    indexes_built_after,
)
from shouwang.registry.tests.factories import (
    child_data,
    id_for,
    make_child,
    make_place,
    years_ago,
)

pytestmark = pytest.mark.django_db(transaction=True)

TIMES = {"id", "created_at", "updated_at"}


@pytest.fixture
def place():
    return make_place()


def varied(place, n: int, *, offset: int = 0) -> list[dict]:
    """Values of n children that differ in every kind of column: text with quotes,
    tabs and backslashes, nulls, dates, JSON with Chinese text, flags, keys."""
    rows = []
    for i in range(n):
        born = years_ago(3 + i % 12, days=i + offset)
        data = child_data(
            place.village if i % 2 else place.other_village,
            name=["张晓明", "李\t华", "O'Neil", "王\\五"][i % 4],
            birth_date=born,
            id_number=None if i % 5 == 0 else id_for(place.village, born),
            family_assistance=[] if i % 3 else ["低保", "特困供养"],
            confirmation_date=None if i % 2 else date(2024, 9, 1),
            confirmation_signed=not i % 2,
            boarding=[None, True, False][i % 3],
            notes="" if i % 4 else '备注 "引号" \\ 和\n换行',
        )
        data["responsible_director_id"] = place.director.pk if i % 2 else None
        data["classification_reasons"] = [f"理由{i}", {"嵌套": [1, None, True]}]
        data["visit_interval_days"] = None if i % 3 else 30
        data.pop("village", None)
        rows.append(data)
    return rows


def children(rows: list[dict]) -> list[Child]:
    build = Builder(Child)
    return [build(row) for row in rows]


def stored(objs) -> list[tuple]:
    """Every column of the children as the database holds them (JSON as its text on
    SQLite, jsonb on PostgreSQL), without keys and timestamps."""
    columns = [f.column for f in Child._meta.concrete_fields if f.column not in TIMES]
    rows = []
    with connection.cursor() as cursor:
        for obj in objs:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM registry_child WHERE id = %s",
                [obj.pk],
            )
            rows.append(cursor.fetchone())
    return rows


def test_it_writes_what_bulk_create_writes(place):
    rows = varied(place, 12)
    ours = children(rows)
    with transaction.atomic():
        bulk_insert(Child, ours)
    Child.objects.filter(pk__in=[c.pk for c in ours]).update(id_number=None)
    theirs = [Child(**row) for row in rows]  # the same ID numbers: unique
    with transaction.atomic():
        Child.objects.bulk_create(theirs)
    Child.objects.filter(pk__in=[c.pk for c in theirs]).update(id_number=None)
    assert stored(ours) == stored(theirs)
    fields = [f.attname for f in Child._meta.concrete_fields if f.attname not in TIMES]
    assert [Child.objects.values_list(*fields).get(pk=c.pk) for c in ours] == [
        Child.objects.values_list(*fields).get(pk=c.pk) for c in theirs
    ]
    assert len(fields) == len(Child._meta.concrete_fields) - len(TIMES)


def test_every_object_gets_the_key_of_its_own_row(place):
    before = make_child(place.village, name="先登记", birth_date=years_ago(5))
    ours = children(varied(place, 30))
    with transaction.atomic():
        bulk_insert(Child, ours, batch_size=7)
    keys = [c.pk for c in ours]
    assert len(set(keys)) == 30 and min(keys) > before.pk
    assert all(not c._state.adding and c._state.db == "default" for c in ours)
    for child in ours:
        assert Child.objects.values_list("name", "id_number", "birth_date").get(
            pk=child.pk
        ) == (child.name, child.id_number, child.birth_date)
    after = make_child(place.village, name="后登记", birth_date=years_ago(6))
    assert after.pk > max(keys)  # the database's own counter moved past them


def test_a_key_is_never_reused(place):
    gone = make_child(place.village, name="删除的", birth_date=years_ago(5))
    ChildChange.objects.filter(child=gone).delete()
    gone_pk = gone.pk
    gone.delete()  # only a test deletes a child
    [child] = children(varied(place, 1))
    with transaction.atomic():
        bulk_insert(Child, [child])
    assert child.pk > gone_pk


def test_auto_now_columns_get_the_time_of_the_insert(place):
    ours = children(varied(place, 3))
    started = timezone.now()
    with transaction.atomic():
        bulk_insert(Child, ours)
    assert all(started <= c.created_at <= timezone.now() for c in ours)
    assert {c.created_at for c in ours} == {ours[0].created_at}
    stored = Child.objects.get(pk=ours[0].pk)
    assert (stored.created_at, stored.updated_at) == (
        ours[0].created_at,
        ours[0].updated_at,
    )


def test_a_taken_unique_value_fails_the_insert_and_writes_nothing(place):
    taken = make_child(place.village, name="已登记", birth_date=years_ago(5))
    rows = varied(place, 4)
    rows[2]["id_number"] = taken.id_number
    count = Child.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Child, children(rows))
    assert Child.objects.count() == count


def test_related_objects_give_their_keys_and_unsaved_ones_are_refused(place):
    child = make_child(place.village, name="张晓明", birth_date=years_ago(5))
    change = ChildChange(child=child, version=2, action="import", actor=place.civil)
    with transaction.atomic():
        bulk_insert(ChildChange, [change])
    assert ChildChange.objects.get(pk=change.pk).child_id == child.pk
    unsaved = Child(**varied(place, 1)[0])
    with pytest.raises(ValueError, match="unsaved related object 'child'"):
        bulk_insert(ChildChange, [ChildChange(child=unsaved, version=1)])


def test_expressions_and_saved_objects_are_refused(place):
    child = make_child(place.village, name="张晓明", birth_date=years_ago(5))
    with (
        pytest.raises(NotSupportedError, match="not expressions"),
        transaction.atomic(),
    ):
        bulk_insert(ChildChange, [ChildChange(child=child, version=2, at=Now())])
    with pytest.raises(ValueError, match="new objects only"):
        bulk_insert(Child, [child])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite chooses keys")
def test_on_sqlite_keys_are_chosen_inside_a_transaction(place):
    with pytest.raises(NotSupportedError, match=r"transaction\.atomic"):
        bulk_insert(Child, children(varied(place, 1)))


def test_the_builder_makes_what_the_model_makes(place):
    [row] = varied(place, 1)
    built, made = Builder(Child)(row), Child(**row)
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(made).items() if k != "_state"
    }
    build = Builder(Child)
    first, second = build({"name": "甲"}), build({"name": "乙"})
    assert first.family_assistance == [] and first.family_assistance is not (
        second.family_assistance
    )  # a callable default is asked for every object
    assert (first.ethnicity, first.status, first.version) == ("汉族", "active", 1)
    with pytest.raises(TypeError, match="Child has no field 'nickname'"):
        build({"nickname": "小明"})


def classified(rows: list[dict]) -> list[Child]:
    made = children(rows)
    for child in made:
        apply_classification(child, as_of=timezone.localdate())
    return made


def test_children_bulk_add_writes_one_history_row_each_as_the_record_stands(place):
    made = classified(varied(place, 5))
    started = timezone.now()
    with transaction.atomic():
        children_bulk_add(made, actor=place.civil, action="import", note="花名册导入 x")
    rows = list(ChildChange.objects.filter(child__in=made).order_by("child_id"))
    assert [r.child_id for r in rows] == sorted(c.pk for c in made)
    for row, child in zip(rows, sorted(made, key=lambda c: c.pk), strict=True):
        assert (row.version, row.action, row.note, row.changes) == (
            1,
            "import",
            "花名册导入 x",
            {},
        )
        assert (row.actor_id, row.actor_name) == (place.civil.pk, place.civil.username)
        assert row.snapshot == snapshot(Child.objects.get(pk=child.pk))
        assert row.at >= child.created_at >= started


def test_children_bulk_add_keeps_given_registration_times_and_history(place):
    made = classified(varied(place, 3))
    registered = timezone.now() - timedelta(days=400)
    made[0].created_at = registered  # the others have none: registered now

    def story(saved):
        return [
            ChildChange(child=c, version=1, action="create", at=registered, note="演示")
            for c in saved
        ]

    with transaction.atomic():
        children_bulk_add(
            made,
            actor=None,
            action="create",
            note="演示",
            history=story,
            keep_created_at=True,
        )
    assert Child.objects.get(pk=made[0].pk).created_at == registered
    assert Child.objects.get(pk=made[1].pk).created_at > registered
    assert set(
        ChildChange.objects.filter(child__in=made).values_list("at", "note")
    ) == {(registered, "演示")}


def test_history_rows_without_a_signed_in_actor_name_nobody(place):
    [child] = classified(varied(place, 1))
    with transaction.atomic():
        bulk_insert(Child, [child])
    [row] = history_rows(
        [child], actor=None, action="import", note="x" * 600, diffs={child.pk: {"a": 1}}
    )
    assert (row.actor_id, row.actor_name, len(row.note), row.changes) == (
        None,
        "",
        500,
        {"a": 1},
    )


def test_the_classifier_stores_what_apply_classification_stores(place):
    today = timezone.localdate()
    rows = varied(place, 24) * 2  # each case twice: the second from what it knows
    ours, theirs = children(rows), children(rows)
    classify = Classifier(as_of=today)
    for child in ours:
        classify(child)
    for child in theirs:
        apply_classification(child, as_of=today)
    assert [vars(c) | {"_state": None} for c in ours] == [
        vars(c) | {"_state": None} for c in theirs
    ]
    assert ours[0].classification_reasons is not ours[24].classification_reasons


def _indexes() -> list[tuple]:
    """The child table's indexes: name, columns, unique."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, Child._meta.db_table
        )
    return sorted(
        (name, tuple(info["columns"]), bool(info["unique"]))
        for name, info in constraints.items()
        if info["index"] or info["unique"]
    )


def test_indexes_dropped_for_a_large_write_are_there_again_after_it(place, monkeypatch):
    monkeypatch.setattr("shouwang.registry.services.bulk.REBUILD_AT_LEAST", 3)
    before = _indexes()
    made = classified(varied(place, 6))
    with transaction.atomic(), indexes_built_after(Child, adding=len(made)):
        bulk_insert(Child, made)
        if connection.vendor == "sqlite":  # rebuilt after the rows are in
            assert len(_indexes()) < len(before)
    assert _indexes() == before
    assert Child.objects.filter(pk__in=[c.pk for c in made]).count() == 6
    taken = classified(varied(place, 6, offset=40))
    taken[4].id_number = made[1].id_number
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        indexes_built_after(Child, adding=len(taken)),
    ):
        bulk_insert(Child, taken)
    assert _indexes() == before
    assert Child.objects.count() == 6
