"""Login throttling by client address, on top of django-axes' per-name-and-address lock.

The failures counted are the audit trail's "登录失败" rows from that address in the last
LOGIN_ADDRESS_WINDOW: one record of every evaluated attempt, shared by every app server.
Attempts refused here are not evaluated and not recorded, so hammering a refused address
does not extend its wait, and a township office behind one NAT address gets in again as
soon as the window has slid past the failures.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from shouwang.audit.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class AddressState:
    """Recent failures from one address and how long it must wait (0: may try now)."""

    failures: int
    retry_after: int

    @property
    def blocked(self) -> bool:
        return self.failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    @property
    def message(self) -> str:
        wait = _wait_text(self.retry_after)
        if self.blocked:
            return (
                f"从您所在的网络地址登录失败的次数过多，为保护儿童信息安全，"
                f"该地址暂停登录，请 {wait}后再试。"
            )
        return f"从您所在的网络地址连续登录失败，请 {wait}后再试。"


def _wait_text(seconds: int) -> str:
    if seconds >= 60:
        return f"{math.ceil(seconds / 60)} 分钟"
    return f"{seconds} 秒"


def failure_times(*, ip: str, since: datetime) -> list[datetime]:
    """When the login attempts from ip since that moment failed, oldest first."""
    return list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, at__gte=since, ip=ip)
        .order_by("at")
        .values_list("at", flat=True)
    )


def delay_after(failures: int) -> int:
    """Seconds an address must wait after its latest failure: 0, then 1, 2, 4 … capped."""
    extra = failures - settings.LOGIN_ADDRESS_DELAY_AFTER
    if extra < 0:
        return 0
    return min(2**extra, settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS)


def address_state(*, ip: str | None, now: datetime | None = None) -> AddressState:
    """Whether a login attempt from ip may be evaluated now, and if not for how long."""
    if not ip:
        return AddressState(failures=0, retry_after=0)
    now = now or timezone.now()
    window = settings.LOGIN_ADDRESS_WINDOW
    times = failure_times(ip=ip, since=now - window)
    count = len(times)
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if count >= limit:
        # Refused until enough of the failures have left the window.
        until = times[count - limit] + window
    elif count and delay_after(count):
        until = times[-1] + timedelta(seconds=delay_after(count))
    else:
        return AddressState(failures=count, retry_after=0)
    wait = math.ceil((until - now).total_seconds())
    return AddressState(failures=count, retry_after=max(wait, 0))
