"""Refused reads: a record that exists but lies outside the viewer's jurisdiction.

Every `*_get_for` selector answers "not found" for a missing record and for one that is
not the viewer's alike; before it raises, it calls `not_found` here, which records an
ACCESS_REFUSED row when the record does exist. The row must survive the 404: a view
that reads inside `transaction.atomic` rolls back on the way out, so during a request
the row waits in a context variable and `AuditContextMiddleware` writes it after the
response is made, outside any transaction of the view. Outside a request (a command,
a task) it is written at once.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.db import models, transaction
from django.http import Http404

from .context import client_ip
from .models import AuditAction, AuditEvent


@dataclass(frozen=True)
class Refusal:
    actor_id: int
    actor_name: str
    area_id: str | None
    object_type: str
    object_id: str
    ip: str | None
    path: str


# None outside a request; the middleware sets a list per request.
pending: ContextVar[list[Refusal] | None] = ContextVar("refusals", default=None)
request_path: ContextVar[str] = ContextVar("request_path", default="")


def _exists(model: type[models.Model], lookup: dict) -> bool:
    try:
        return model._default_manager.filter(**lookup).exists()
    except (ValueError, TypeError, OverflowError):
        return False  # not a key this table could hold: nothing was refused


def not_found(
    *,
    viewer,
    model: type[models.Model],
    message: str,
    pk=None,
    lookup: dict | None = None,
) -> Http404:
    """The Http404 a selector raises for a record the viewer may not read; records an
    ACCESS_REFUSED row (viewer, object type and id) when the record exists."""
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        where = lookup if lookup is not None else {"pk": pk}
        if where and _exists(model, where):
            value = next(iter(where.values()))
            _refused(
                Refusal(
                    actor_id=viewer.pk,
                    actor_name=viewer.get_username(),
                    area_id=viewer.area_id,
                    object_type=model._meta.model_name,
                    object_id=str(value)[:64],
                    ip=client_ip.get(),
                    path=request_path.get()[:200],
                )
            )
    return Http404(message)


def _refused(refusal: Refusal) -> None:
    queue = pending.get()
    if queue is None:
        write([refusal])
    elif refusal not in queue:
        queue.append(refusal)


def write(refusals: list[Refusal]) -> None:
    """Write refusal rows in a transaction of their own."""
    if not refusals:
        return
    with transaction.atomic():
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor_id=refusal.actor_id,
                actor_name=refusal.actor_name,
                action=AuditAction.ACCESS_REFUSED,
                object_type=refusal.object_type,
                object_id=refusal.object_id,
                area_id=refusal.area_id,
                ip=refusal.ip,
                details={"path": refusal.path} if refusal.path else {},
            )
            for refusal in refusals
        )
