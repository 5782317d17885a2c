"""Writing many new children and their history at once: the ledger's bulk path.

`children_bulk_add(children, history=...)` inserts new, classified children and then
their ChildChange rows, inside the caller's transaction; every caller that adds
children in bulk (the roster import, the demo loader) goes through it, so that a
child and its history are written the same way whoever adds them.
`history_bulk_record(children, ...)` appends one history row to each of many children
already written (the import's new and changed records).

Underneath, `bulk_insert(Model, objs)` writes what `Model.objects.bulk_create(objs)`
would write and sets each object's primary key, without the ORM's per-value work:
bulk_create compiles every value of every row through the SQL compiler (pre_save,
prepare, a placeholder, parameter lists), which costs more than the database's own
insert for a model of sixty columns. Here each column is prepared once for the whole
batch:

- the columns are the model's concrete fields (`_meta.concrete_fields`), so a column
  added to the model is written without a change here;
- a field's `pre_save(obj, add=True)` runs for each object where the field has its own
  (auto_now, auto_now_add, file fields); other values are read as they are. Fields
  named in `keep` (auto_now_add ones) keep a value the object already holds;
- a column whose values are all of a type that the field's `get_db_prep_save` passes
  through unchanged (str for CharField and TextField, bool for BooleanField, int for
  the integer fields, None for any of these; a ForeignKey as its target field) is
  written as it is; a column of one hashable type (dates, datetimes) goes through
  `get_db_prep_save` once for each distinct value; any other column (JSON) through it
  for each value. So the database receives what bulk_create would send it;
- the primary keys are chosen before the insert: PostgreSQL takes them from the
  column's sequence (`nextval`, as an insert would); SQLite, which lets one writer in
  at a time, takes the ones after the largest in use or ever used (`sqlite_sequence`:
  AUTOINCREMENT never reuses an id), inside the caller's transaction. A key that is
  taken after all fails the insert with IntegrityError; no object ever gets an id
  that is not its own row's.

Expressions (F(), Now(), a database default) are not supported: give values.

`Builder(Model)` makes the objects: `build(values)` is `Model(**values)` for values
keyed by attname, done as the constructor's positional path (the one Django uses for
rows read from the database) does it, its attributes set at once, a fraction of the
keyword path's time.

`writes_behind(reserve={Model: n})` overlaps the writes with the caller's work:
inside it, each batch's write (a COPY on PostgreSQL, INSERTs of many rows each on
SQLite) is handed to one thread that sends it on the same connection (so in the same
transaction) while the caller prepares the next batch; the database's part (the
indexes, parsing jsonb, SQLite's pages) is much of a bulk write's time.

`indexes_built_after(Model, adding=n)` wraps a large bulk write into a small table on
SQLite: the table's indexes are created again after the rows are in, not kept up to
date row by row.
"""

import functools
import itertools
import json
import queue
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from operator import attrgetter
from uuid import UUID

from django.db import (
    DEFAULT_DB_ALIAS,
    NotSupportedError,
    connections,
    models,
    transaction,
)
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related import ForeignKey
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from ..models import Child, ChildChange
from .history import snapshot

BATCH = 5000

# Field classes whose get_db_prep_save returns a value of these types (and None)
# unchanged on both databases (checked against Django 5.2: CharField and TextField
# only apply to_python, which returns a str as it is; BooleanField likewise for a
# bool; the integer fields return an int as it is, or, on PostgreSQL, the same
# number wrapped for the server's parameter typing, which COPY does not need).
_AS_IS: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.AutoField: (int,),
    models.SmallAutoField: (int,),
    models.BigAutoField: (int,),
}
# Immutable, hashable types whose prepared value depends only on the value.
_SCALARS = {str, int, bool, float, Decimal, date, datetime, time, UUID}
_NONE = type(None)
_JSON = {dict, list, str, int, float, bool}  # plain JSON documents
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def bulk_insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    using: str = DEFAULT_DB_ALIAS,
    batch_size: int = BATCH,
    keep: Collection[str] = (),
) -> None:
    """Insert new objects of one model as bulk_create would, and set their keys;
    the auto_now_add fields named in `keep` keep the value an object holds."""
    meta = model._meta
    if meta.parents:
        raise NotSupportedError("bulk_insert does not write inherited models.")
    if any(obj._is_pk_set() for obj in objs):
        raise ValueError("bulk_insert writes new objects only: a primary key is set.")
    connection = connections[using]
    fields = [f for f in meta.concrete_fields if not f.generated]
    writer = _Writer(model, fields, connection, keep=frozenset(keep))
    for start in range(0, len(objs), batch_size):
        writer.write(objs[start : start + batch_size])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def children_bulk_add(
    children: Sequence[Child],
    *,
    actor,
    action: str,
    note: str,
    history: Callable[[Sequence[Child]], Sequence[ChildChange]] | None = None,
    keep_created_at: bool = False,
) -> None:
    """Insert new, classified children, then their history, in the caller's
    transaction: one row each as history_rows makes it, or the rows `history` makes
    once the children have keys. IntegrityError when an ID number is taken."""
    bulk_insert(Child, children, keep=("created_at",) if keep_created_at else ())
    rows = (
        history(children)
        if history is not None
        else history_rows(children, actor=actor, action=action, note=note)
    )
    bulk_insert(ChildChange, rows)


def history_bulk_record(
    children: Sequence[Child],
    *,
    actor,
    action: str,
    note: str,
    diffs: Mapping[int, dict] | None = None,
) -> None:
    """Append one history row to each of many saved children (see history_rows)."""
    bulk_insert(
        ChildChange,
        history_rows(children, actor=actor, action=action, note=note, diffs=diffs),
    )


def history_rows(
    children: Sequence[Child],
    *,
    actor,
    action: str,
    note: str,
    diffs: Mapping[int, dict] | None = None,
) -> list[ChildChange]:
    """One unsaved ChildChange per saved child: the record as it now stands, the
    child's diff from `diffs` (else none), all timed now, after the children's write."""
    name = actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    change = Builder(ChildChange)
    common = {
        "at": timezone.now(),
        "actor_id": actor.pk if name else None,
        "actor_name": name,
        "action": action,
        "note": note[:500],
    }
    diffs = diffs or {}
    return [
        change(
            {
                **common,
                "child_id": child.pk,
                "version": child.version,
                "changes": diffs.get(child.pk, {}),
                "snapshot": snapshot(child),
            }
        )
        for child in children
    ]


@contextmanager
def writes_behind(
    *, reserve: Mapping[type[models.Model], int] = {}, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Inside it, bulk_insert hands each batch's write (PostgreSQL: a COPY; SQLite:
    INSERTs of many rows each) to one writer thread and returns: the thread writes
    the batches in order on this connection's own database connection, so they are
    part of the caller's transaction, while the caller goes on preparing the next.
    (The database works with Python's lock released: psycopg waiting for the server,
    sqlite3 inside each statement, which is why SQLite gets statements of many rows
    rather than executemany's one row each.) The keys of `reserve` new rows of each
    model are taken at once, up front: a key asked for later waits for the writes
    in flight. Leaving waits for every write; a write that failed is raised then, or
    by the next bulk_insert, as the database error it was (IntegrityError for a
    taken ID number), and nothing after it is written.
    Any other query the caller makes inside it first waits for every write handed
    over, so it sees them as without writes_behind."""
    connection = connections[using]
    if getattr(connection, "_behind", None):
        yield
        return
    if not connection.in_atomic_block:
        raise NotSupportedError("writes_behind needs the caller's transaction.")
    connection.ensure_connection()
    keys = {
        model: _Writer.for_model(model, connection).reserved(count)
        for model, count in reserve.items()
        if count
    }
    behind = _Behind(connection, keys)
    connection._behind = behind
    try:
        with connection.execute_wrapper(behind.after_writes):
            yield
    except BaseException:
        connection._behind = None
        # A write that failed first is the cause (a query made after it only
        # finds the transaction aborted).
        behind.stop()
        raise
    connection._behind = None
    behind.finish()


class _Behind:
    """The writer thread of writes_behind: the batches in order on the driver's
    connection (psycopg locks it per call; on sqlite3 the caller's queries wait for
    the queue instead); after a failure, the rest are dropped and the error kept for
    the caller."""

    def __init__(self, connection, keys: dict[type[models.Model], list[int]]) -> None:
        self.connection = connection
        self.raw = connection.connection  # the psycopg or sqlite3 connection
        self.keys = keys  # reserved
        self.taken: dict[type[models.Model], int] = {}  # how many of them are used
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="bulk-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        write = _copy_rows if self.connection.vendor == "postgresql" else _insert_rows
        while (job := self.queue.get()) is not None:
            if self.error is None and not self.stopping:
                try:
                    write(self.raw, *job)
                except BaseException as error:  # the caller raises it
                    self.error = error
            self.queue.task_done()

    def take_keys(self, model, count: int) -> list[int] | None:
        keys = self.keys.get(model)
        start = self.taken.get(model, 0)
        if not keys or len(keys) - start < count:
            return None
        self.taken[model] = start + count
        return keys[start : start + count]

    def put(self, sql: str, rows: list[tuple]) -> None:
        self._raise()
        self.queue.put((sql, rows))

    def after_writes(self, execute, sql, params, many, context):
        """An execute wrapper: the caller's query runs after the writes handed over."""
        self.queue.join()
        self._raise()
        return execute(sql, params, many, context)

    def stop(self) -> None:
        """Drop what waits, let the write in flight end; raise its failure, if any."""
        self.stopping = True
        self.queue.put(None)
        self.thread.join()
        self._raise()

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            with self.connection.wrap_database_errors:
                raise self.error


def _copy_rows(raw, sql: str, rows: list[tuple]) -> None:
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_rows(raw, sql: str, rows: list[tuple]) -> None:
    """SQLite: the rows in statements of as many rows as its parameter limit allows,
    each statement one step with Python's lock released."""
    width = len(rows[0])
    per = max(1, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    row = f"({', '.join(['?'] * width)})"
    cursor = raw.cursor()
    try:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            cursor.execute(
                f"{sql} VALUES {', '.join([row] * len(chunk))}",
                list(itertools.chain.from_iterable(chunk)),
            )
    finally:
        cursor.close()


# Fewer new rows than this are written into the indexes as they are (see below).
REBUILD_AT_LEAST = 10_000


@contextmanager
def indexes_built_after(
    model: type[models.Model], *, adding: int, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Around a bulk write of `adding` rows in the caller's transaction: on SQLite,
    when they are many and at least as many as the table holds, the table's indexes
    are dropped and created again, as they were, once the rows are in (one sort per
    index instead of one B-tree insert per row and index). Elsewhere, nothing."""
    # Those of unique constraints stay (sqlite_master gives them no SQL): a taken
    # value still fails its insert. Readers see the table as last committed, indexes
    # and all; a failure rolls the drop back with the rows.
    connection = connections[using]
    if (
        connection.vendor != "sqlite"
        or adding < REBUILD_AT_LEAST
        or not connection.in_atomic_block
    ):
        yield
        return
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        (held,) = cursor.fetchone()
        cursor.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        indexes = cursor.fetchall() if adding >= held else []
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    except BaseException:
        transaction.set_rollback(True, using=using)  # never committed without them
        raise
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


class Builder:
    """Model(**values) for many values of one model, values keyed by attname."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.index = {f.attname: i for i, f in enumerate(fields)}
        # Each field's default as Model() gives it: a callable default (list,
        # timezone.now) or a database default is asked for every object (when the
        # values lack the field); any other is one value, shared as Model() shares it.
        # A generated column is left unset, as Model() leaves it (the database
        # computes it).
        asked = [
            not f.generated
            and ((f.has_default() and callable(f.default)) or f.has_db_default())
            for f in fields
        ]
        self.base = [
            models.DEFERRED if f.generated else None if ask else f.get_default()
            for f, ask in zip(fields, asked, strict=True)
        ]
        self.asked = [
            (f.attname, i, f.get_default)
            for i, (f, ask) in enumerate(zip(fields, asked, strict=True))
            if ask
        ]
        # What the constructor's positional path does, done at once: it sets each
        # field's attribute but a generated one's, through descriptors that, on a
        # new object, only store the value (a plain field's has no __set__, a
        # foreign key's clears a cached related object, which a new one has not),
        # and sends pre_init and post_init. When a field's descriptor is another
        # or a receiver listens, the constructor itself is called.
        self.attnames = [f.attname for f in fields]
        self.generated = [f.attname for f in fields if f.generated]
        self.set_at_once = not (
            any(
                type(vars(model).get(f.attname)) not in _PLAIN_DESCRIPTORS
                for f in fields
                if not f.generated
            )
            or signals.pre_init.has_listeners(model)
            or signals.post_init.has_listeners(model)
        )

    def __call__(self, values: Mapping[str, object]) -> models.Model:
        args = self.base.copy()
        index = self.index
        try:
            for name, value in values.items():
                args[index[name]] = value
        except KeyError as error:
            raise TypeError(f"{self.model.__name__} has no field {error}.") from None
        for name, i, default in self.asked:
            if name not in values:
                args[i] = default()
        if not self.set_at_once:
            return self.model(*args)
        obj = self.model.__new__(self.model)
        obj._state = ModelState()
        attributes = obj.__dict__
        attributes.update(zip(self.attnames, args, strict=True))
        for name in self.generated:
            del attributes[name]
        return obj


class _Writer:
    def __init__(self, model, fields, connection, *, keep: frozenset[str]) -> None:
        self.model, self.fields, self.connection = model, fields, connection
        self.keep = keep
        self.pk = model._meta.pk
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.pre_save = [_own_pre_save(f) for f in fields]
        attnames = [f.attname for f in fields]
        self.values = (
            attrgetter(*attnames)
            if len(attnames) > 1
            else lambda obj: (getattr(obj, attnames[0]),)
        )
        self.as_is = [_as_is_types(f) for f in fields]
        self.relations = [f for f in fields if f.is_relation]
        self.json_known: dict[tuple, str] = {}  # see _json_texts
        self.vendor = connection.vendor
        if self.vendor not in ("postgresql", "sqlite"):
            raise NotSupportedError(f"bulk_insert does not know {self.vendor}.")

    @classmethod
    def for_model(cls, model, connection) -> "_Writer":
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        return cls(model, fields, connection, keep=frozenset())

    def write(self, objs: Sequence[models.Model]) -> None:
        if not objs:
            return
        self._sync_relations(objs)
        behind = getattr(self.connection, "_behind", None)
        keys = behind and behind.take_keys(self.model, len(objs))
        for obj, key in zip(objs, keys or self._new_keys(len(objs)), strict=True):
            setattr(obj, self.pk.attname, key)
        for field, pre_save in zip(self.fields, self.pre_save, strict=True):
            if pre_save is _INSTANT:
                # One instant for the batch: a column of one value is prepared once.
                attname = field.attname
                stamped = (
                    [obj for obj in objs if getattr(obj, attname) is None]
                    if attname in self.keep
                    else objs
                )
                if stamped:
                    value = field.pre_save(stamped[0], True)
                    for obj in stamped:
                        setattr(obj, attname, value)
            elif pre_save:
                for obj in objs:
                    field.pre_save(obj, True)
        get = self.values
        columns = [
            self._prepared(field, list(values), as_is)
            for field, values, as_is in zip(
                self.fields, zip(*map(get, objs), strict=True), self.as_is, strict=True
            )
        ]
        rows = list(zip(*columns, strict=True))
        if behind:
            behind.put(
                self._copy_sql
                if self.vendor == "postgresql"
                else f"INSERT INTO {self.table} ({self.columns})",
                rows,
            )
        elif self.vendor == "postgresql":
            self._copy(rows)
        else:
            placeholders = ", ".join(["%s"] * len(self.fields))
            with self.connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})",
                    rows,
                )

    def _sync_relations(self, objs) -> None:
        """As bulk_create does: a related object assigned before it was saved gives
        its key now; one still unsaved refuses the insert."""
        for obj in objs:
            if obj._state.fields_cache:
                obj._prepare_related_fields_for_save(operation_name="bulk_insert")

    def _prepared(self, field, values: list, as_is: tuple[type, ...]) -> list:
        types = set(map(type, values))
        types.discard(_NONE)
        if types <= set(as_is):
            return values
        expression = next((t for t in types if hasattr(t, "resolve_expression")), None)
        if expression is not None:
            raise NotSupportedError(
                f"bulk_insert writes values, not expressions ({field.name}: "
                f"{expression.__name__})."
            )
        prep, connection = field.get_db_prep_save, self.connection
        if type(field) is models.JSONField and field.encoder is None and types <= _JSON:
            # What adapt_json_value sends (json.dumps on SQLite), without the
            # field's layers. PostgreSQL reads the text into jsonb, whose value does
            # not depend on how the text escaped its characters: UTF-8 is shorter
            # (a snapshot's Chinese as \uXXXX is six bytes a character, not three).
            return _json_texts(
                values, self.json_known, ascii=self.vendor != "postgresql"
            )
        if len(types) == 1 and types <= _SCALARS:
            prepared = {v: prep(v, connection) for v in set(values)}
            return [prepared[v] for v in values]
        return [prep(v, connection) for v in values]

    def reserved(self, count: int) -> list[int]:
        return self._new_keys(count)

    def _new_keys(self, count: int) -> list[int]:
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s))"
                    " FROM generate_series(1, %s)",
                    [self.table, self.pk.column, count],
                )
                return sorted(key for (key,) in cursor.fetchall())
            if not self.connection.in_atomic_block:
                raise NotSupportedError(
                    "bulk_insert on SQLite chooses the keys inside a transaction:"
                    " call it in transaction.atomic()."
                )
            column = self.connection.ops.quote_name(self.pk.column)
            cursor.execute(f"SELECT max({column}) FROM {self.table}")
            (largest,) = cursor.fetchone()
            cursor.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'table' AND name = 'sqlite_sequence'"
            )
            if cursor.fetchone():
                cursor.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = %s",
                    [self.model._meta.db_table],
                )
                used = cursor.fetchone()
                largest = max(largest or 0, used[0] if used else 0)
            first = (largest or 0) + 1
            return list(range(first, first + count))

    @property
    def _copy_sql(self) -> str:
        return f"COPY {self.table} ({self.columns}) FROM STDIN"

    def _copy(self, rows: list[tuple]) -> None:
        sql = self._copy_sql
        with (
            self.connection.cursor() as cursor,
            self.connection.wrap_database_errors,
            cursor.cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)


def _json_texts(values: list, known: dict[tuple, str], *, ascii: bool = True) -> list:
    """json.dumps of each value; a list of strings (categories' reasons, assistance
    items: a few distinct ones over many rows) and an empty object are encoded once.
    A tuple of strings equals only a tuple of the same strings, so a text found in
    `known` is the text of the value."""
    dumps = json.dumps if ascii else functools.partial(json.dumps, ensure_ascii=False)
    texts = []
    for value in values:
        kind = type(value)
        if kind is list:
            key = tuple(value)
            try:
                text = known.get(key)
            except TypeError:  # holds a list or an object
                text = None
            if text is None:
                text = dumps(value)
                if all(type(item) is str for item in key):
                    known[key] = text
        elif kind is dict and not value:
            text = "{}"
        else:
            text = None if value is None else dumps(value)
        texts.append(text)
    return texts


_INSTANT = "instant"


def _own_pre_save(field) -> bool | str:
    """Whether the field's pre_save does more than read the attribute; _INSTANT for
    the time of the insert (auto_now, auto_now_add), the same for the whole batch."""
    if isinstance(field, models.DateField):  # DateTimeField too
        return _INSTANT if field.auto_now or field.auto_now_add else False
    return type(field).pre_save is not models.Field.pre_save


def _as_is_types(field) -> tuple[type, ...]:
    """The value types the field's get_db_prep_save passes through unchanged."""
    if isinstance(field, ForeignKey):
        return _as_is_types(field.target_field)
    return _AS_IS.get(type(field), ())
