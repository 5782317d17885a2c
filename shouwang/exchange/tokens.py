"""Keys that member units' systems send department lists with (接口令牌): created and
revoked by civil affairs, shown once and kept only as a SHA-256 digest, scoped to kinds
and an area, with an expiry; each request admitted against a per-token rate.

The rate is counted from the audit trail, as login throttling is
(accounts/throttle.py): every admitted request writes its "接口调用" row before it runs,
while the token's row is locked, so every web process counts the same requests and
concurrent ones cannot slip past the limit together. The cache is not shared between
processes (no CACHES setting: each process has its own memory cache), so it cannot
count. A request refused for its rate writes its row too, marked not admitted, so
hammering a limited token does not extend its wait.
"""

import hashlib
import hmac
import math
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shouwang.accounts import access
from shouwang.accounts.models import Role, Unit
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.audit.services import audit_record
from shouwang.core.exceptions import DomainError, NotFound, Problems

from .models import ApiToken, DepartmentList
from .vocab import ListKind

KEY_PREFIX = "sw_"
PREFIX_LENGTH = 8
RATE_WINDOW = timedelta(minutes=1)
NAME_LIMIT = 100
MAX_ID = 2**63  # past any row's id: larger ones would overflow the database's integer
NOT_ALLOWED = "只有民政干部可以管理部门数据共享接口令牌。"
RENEW = "请联系县级民政部门重新创建令牌。"


class TokenRejected(DomainError):
    """A key that does not open the API: unknown, revoked, expired, or its creator's
    account stopped (`reason` says which)."""

    def __init__(self, message: str, *, reason: str, token=None) -> None:
        super().__init__(message)
        self.reason = reason
        self.token = token


class RateLimited(DomainError):
    """The token sent its requests of this minute; `retry_after` seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        limit = settings.EXCHANGE_API_RATE_PER_MINUTE
        super().__init__(
            f"请求过于频繁：每个令牌每分钟最多 {limit} 次请求，请 {retry_after} 秒后再试。"
        )
        self.retry_after = retry_after


def digest_of(key: str) -> str:
    """The SHA-256 hex digest a key is kept as."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def may_manage_tokens(user) -> bool:
    """True for active civil-affairs staff with a jurisdiction (county, city, province)."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.CIVIL_AFFAIRS
        and bool(user.area_id)
    )


def latest_expiry(today: date) -> date:
    """The last day a token created today may run to: one year ahead."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def _end_of_day(day: date) -> datetime:
    """A token "valid until" a day runs to the end of that day, local time."""
    start = datetime.combine(day + timedelta(days=1), datetime.min.time())
    return timezone.make_aware(start) - timedelta(microseconds=1)


def token_create(
    *,
    actor,
    name: str,
    unit: str,
    area: Area | str,
    kinds: list[str],
    expires_on: date | None,
    today: date | None = None,
) -> tuple[ApiToken, str]:
    """A new token for a member unit's system and its key (shown this once, never
    kept); only civil affairs, for an area in their jurisdiction; audited."""
    if not may_manage_tokens(actor):
        raise DomainError(NOT_ALLOWED)
    today = today or timezone.localdate()
    problems = Problems()
    name = (name or "").strip()
    if not name:
        problems.add("name", "请填写系统名称，如“县公安局人口信息系统”。")
    elif len(name) > NAME_LIMIT:
        problems.add("name", f"系统名称最多{NAME_LIMIT}个字，当前{len(name)}个。")
    if unit not in Unit.values:
        problems.add("unit", "请选择使用该令牌的成员单位。")
    code = area.code if isinstance(area, Area) else (area or "").strip()
    found = Area.objects.filter(code=code).first() if code else None
    if found is None:
        problems.add("area", f"区划代码“{code}”不存在：请填写 12 位统计用区划代码。")
    elif not access.in_jurisdiction(actor, found.code):
        problems.add(
            "area",
            f"{found.name}（{found.code}）不在您的管辖范围内：只能为本级及下级区划创建令牌。",
        )
    kinds = list(dict.fromkeys(kinds or []))
    unknown = [k for k in kinds if k not in ListKind.values]
    if not kinds:
        problems.add("kinds", "请至少选择一种可报送的名单类型。")
    elif unknown:
        problems.add("kinds", f"不认识的名单类型：{'、'.join(unknown)}。")
    last = latest_expiry(today)
    if expires_on is None:
        problems.add("expires_on", "请填写有效期至（日期），如 2027-06-30。")
    elif expires_on <= today:
        problems.add("expires_on", "有效期至应晚于今天。")
    elif expires_on > last:
        problems.add(
            "expires_on", f"有效期最长一年：请填写 {last:%Y-%m-%d} 或更早的日期。"
        )
    problems.raise_any()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            unit=unit,
            area=found,
            kinds=[k for k in ListKind.values if k in kinds],
            digest=digest_of(key),
            prefix=key[:PREFIX_LENGTH],
            expires_at=_end_of_day(expires_on),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.EXCHANGE_TOKEN,
            obj=token,
            area=found,
            details={
                "operation": "create",
                "name": name,
                "unit": unit,
                "kinds": token.kinds,
                "prefix": token.prefix,
                "expires_on": expires_on.isoformat(),
            },
        )
    return token, key


def token_list_for(*, viewer) -> QuerySet[ApiToken]:
    """The tokens of the viewer's jurisdiction, newest first; none for anyone but
    civil affairs."""
    if not may_manage_tokens(viewer):
        return ApiToken.objects.none()
    return access.scope(viewer, ApiToken.objects.all()).select_related(
        "area", "created_by", "revoked_by"
    )


def token_get_for(*, viewer, pk) -> ApiToken:
    """One token of the viewer's jurisdiction; NotFound for missing and not-yours."""
    token = (
        token_list_for(viewer=viewer).filter(pk=pk).first()
        if 0 < int(pk) < MAX_ID
        else None
    )
    if token is None:
        raise NotFound("令牌不存在或不在您的管辖范围内。")
    return token


def token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke a token of the actor's jurisdiction for good (audited); from then on its
    key answers 401."""
    if not may_manage_tokens(actor):
        raise DomainError(NOT_ALLOWED)
    with transaction.atomic():
        token = token_get_for(viewer=actor, pk=token_id)
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise DomainError(
                f"令牌“{token.name}”已于 "
                f"{timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M} 吊销。"
            )
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.EXCHANGE_TOKEN,
            obj=token,
            area_code=token.area_id,
            details={"operation": "revoke", "name": token.name, "prefix": token.prefix},
        )
    return token


def token_authenticate(key: str, *, now: datetime | None = None) -> ApiToken:
    """The token this key opens; TokenRejected (with a Chinese message saying why and
    what to do) for an unknown, revoked or expired key."""
    now = now or timezone.now()
    digest = digest_of(key or "")
    token = (
        ApiToken.objects.filter(digest=digest)
        .select_related("area", "created_by")
        .first()
        if (key or "").startswith(KEY_PREFIX)
        else None
    )
    if token is None or not hmac.compare_digest(token.digest, digest):
        raise TokenRejected(
            f"接口令牌无效：请核对令牌是否完整复制；令牌遗失的，{RENEW}",
            reason="unknown",
        )
    if token.revoked_at is not None:
        raise TokenRejected(
            f"接口令牌已于 {timezone.localtime(token.revoked_at):%Y-%m-%d} 吊销，"
            f"不能再使用：{RENEW}",
            reason="revoked",
            token=token,
        )
    if token.expires_at <= now:
        raise TokenRejected(
            f"接口令牌已于 {timezone.localtime(token.expires_at):%Y-%m-%d} 过期：{RENEW}",
            reason="expired",
            token=token,
        )
    if not token.created_by.is_active:
        raise TokenRejected(
            f"创建该令牌的民政干部账号已停用，令牌随之失效：{RENEW}",
            reason="creator_inactive",
            token=token,
        )
    # The token acts as its creator: one who no longer manages its area (moved, or
    # given another role) takes the token's right with them.
    creator = token.created_by
    if creator.role != Role.CIVIL_AFFAIRS or not access.in_jurisdiction(
        creator, token.area_id
    ):
        raise TokenRejected(
            f"创建该令牌的民政干部已不再管理{token.area.name}，令牌随之失效：{RENEW}",
            reason="creator_moved",
            token=token,
        )
    return token


def _shown_prefix(key: str) -> str:
    """The start of a presented key as the audit shows it: key characters only."""
    start = (key or "")[:PREFIX_LENGTH]
    return "".join(c for c in start if c.isascii() and (c.isalnum() or c in "_-"))


def _request_details(prefix: str, operation: str, status: int | None) -> dict:
    return {"prefix": prefix, "operation": operation, "status": status}


def token_admit(
    *, token: ApiToken, operation: str, now: datetime | None = None
) -> AuditEvent:
    """Admit one request of the token within its rate, writing its audit row (status
    to follow, request_finish); RateLimited (its row written too) when the token has
    made EXCHANGE_API_RATE_PER_MINUTE requests in the last minute."""
    limit = settings.EXCHANGE_API_RATE_PER_MINUTE
    with transaction.atomic():
        # The lock orders the token's requests: each counts those admitted before it.
        ApiToken.objects.select_for_update().filter(pk=token.pk).first()
        now = now or timezone.now()
        times = list(
            AuditEvent.objects.filter(
                action=AuditAction.EXCHANGE_API,
                object_type="apitoken",
                object_id=str(token.pk),
                at__gt=now - RATE_WINDOW,
                details__admitted=True,
            )
            .order_by("at")
            .values_list("at", flat=True)
        )
        admitted = len(times) < limit
        details = _request_details(token.prefix, operation, None if admitted else 429)
        details["admitted"] = admitted
        event = audit_record(
            actor=None,
            actor_name=f"接口令牌 {token.prefix}",
            action=AuditAction.EXCHANGE_API,
            obj=token,
            area_code=token.area_id,
            details=details,
        )
        if admitted:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
            return event
    # The oldest admitted request of the window leaves it first.
    oldest = times[len(times) - limit] if limit > 0 else now
    wait = math.ceil((oldest + RATE_WINDOW - now).total_seconds())
    raise RateLimited(max(wait, 1))


def request_finish(event: AuditEvent, status: int) -> None:
    """Complete an admitted request's audit row with the status it was answered."""
    details = {**event.details, "status": status}
    AuditEvent.objects.filter(pk=event.pk).update(details=details)
    event.details = details


def request_refused(*, key: str, operation: str, status: int, token=None) -> None:
    """The audit row of a request refused before admission (no, or a bad, key)."""
    audit_record(
        actor=None,
        actor_name=f"接口令牌 {token.prefix}" if token else "接口调用（未认证）",
        action=AuditAction.EXCHANGE_API,
        obj=token,
        area_code=token.area_id if token else None,
        details={
            **_request_details(
                token.prefix if token else _shown_prefix(key),
                operation,
                status,
            ),
            "admitted": False,
        },
    )


def lists_for_token(*, token: ApiToken) -> QuerySet[DepartmentList]:
    """The lists sent through the API by the token's unit inside the token's area
    (by this token or an earlier one), newest first."""
    return DepartmentList.objects.filter(
        access.prefix_q("area_id", token.area.prefix),
        token__isnull=False,
        token__unit=token.unit,
    )


def list_get_for_token(*, token: ApiToken, pk: int) -> DepartmentList:
    """One list the token may read; NotFound for missing and not-its alike."""
    found = (
        lists_for_token(token=token).filter(pk=pk).first()
        if 0 < int(pk) < MAX_ID
        else None
    )
    if found is None:
        raise NotFound("名单不存在，或不是本单位通过接口报送的本地区名单。")
    return found
