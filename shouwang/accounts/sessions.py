"""The absolute lifetime of a login session, on top of the idle timeout."""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

LOGIN_AT = "shouwang_login_at"
SESSION_ENDED = "您的登录已超过规定时长，为保护儿童信息安全，请重新登录。"


def session_start(*, request: HttpRequest) -> None:
    """Remember when this session logged in (called on every login)."""
    request.session[LOGIN_AT] = timezone.now().isoformat()


def session_expired(request: HttpRequest) -> bool:
    """True when the session logged in more than SESSION_MAX_AGE ago, or says not when."""
    raw = request.session.get(LOGIN_AT)
    try:
        started = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        # A session from before this rule (or tampered) has no start: end it.
        return True
    return timezone.now() - started >= settings.SESSION_MAX_AGE
