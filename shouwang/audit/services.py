"""Writing the audit trail. Callers run inside their own transaction."""

from typing import Any

from django.db import models

from .context import client_ip
from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    area=None,
    area_code: str | None = None,
    details: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Write one audit row for an action (or a sensitive read) by actor."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        area_id=area.pk if area is not None else area_code,
        ip=client_ip.get(),
        details=details or {},
    )
