"""A deadline in words: how long is left before it, or how long it is overdue."""

from datetime import datetime, timedelta


def span_words(delta: timedelta) -> str:
    """A positive span as the pages say it: 2天3小时, 5小时, 20分钟 (at least 1分钟)."""
    minutes = max(int(delta.total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时"
    return f"{minutes}分钟"


def due_words(due_at: datetime, now: datetime) -> tuple[bool, str]:
    """(overdue, words): 逾期2天3小时 once due_at has passed, else 还剩5小时."""
    if due_at <= now:
        return True, f"逾期{span_words(now - due_at)}"
    return False, f"还剩{span_words(due_at - now)}"
