"""Login lockouts (django-axes): listing them for managers and lifting one, audited.

A lockout is a user name locked *from one address* (AXES_LOCKOUT_PARAMETERS); managers
see those of the users they manage, as user_list_for cuts them.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.http import Http404
from django.utils import timezone

from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record

from . import access
from .models import User
from .selectors import user_list_for

NOT_FOUND = "锁定记录不存在、已解除或不在您的管辖范围内。"


@dataclass(frozen=True)
class Lockout:
    pk: int
    user: User
    ip_address: str | None
    failures: int
    last_failure: datetime
    until: datetime


def _locked_pairs():
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(
            failures=Sum("failures_since_start"),
            last_failure=Max("attempt_time"),
            first_id=Min("id"),
        )
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_failure")
    )


def lockout_list_for(*, viewer: User) -> list[Lockout]:
    """Current lockouts of the users the viewer manages, latest first."""
    if not access.has_perm(viewer, access.Perm.MANAGE_USERS):
        return []
    pairs = list(_locked_pairs())
    users = {
        user.username: user
        for user in user_list_for(viewer=viewer).filter(
            username__in={pair["username"] for pair in pairs}
        )
    }
    return [
        Lockout(
            pk=pair["first_id"],
            user=users[pair["username"]],
            ip_address=pair["ip_address"],
            failures=pair["failures"],
            last_failure=pair["last_failure"],
            until=pair["last_failure"] + settings.AXES_COOLOFF_TIME,
        )
        for pair in pairs
        if pair["username"] in users
    ]


def lockout_get_for(*, viewer: User, pk: int) -> Lockout:
    """One current lockout of a user the viewer manages; 404 for missing and not-yours."""
    for lockout in lockout_list_for(viewer=viewer):
        if lockout.pk == pk:
            return lockout
    raise Http404(NOT_FOUND)


@transaction.atomic
def lockout_lift(*, actor: User, lockout: Lockout) -> None:
    """Lift a name-and-address lockout, so the user may try again at once; audited."""
    AccessAttempt.objects.filter(
        username=lockout.user.username, ip_address=lockout.ip_address
    ).delete()
    audit_record(
        actor=actor,
        action=AuditAction.LOGIN_UNLOCK,
        obj=lockout.user,
        area=lockout.user.area,
        details={
            "username": lockout.user.username,
            "ip": lockout.ip_address,
            "failures": lockout.failures,
        },
    )
