"""Foreign records for the leak-walker (tests/leakwalk.py)."""

from axes.models import AccessAttempt
from django.conf import settings


def seed(world) -> None:
    """A login lockout of the foreign director (lifting it must be refused)."""
    world.records["foreign_lockout"] = AccessAttempt.objects.create(
        username=world.foreign.users["director"].username,
        ip_address="203.0.113.9",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    world.mark("203.0.113.9")


FOREIGN_KWARGS = {
    "accounts:user-detail": lambda w: {"pk": w.foreign.users["director"].pk},
    "accounts:user-password-reset": lambda w: {"pk": w.foreign.users["director"].pk},
    "accounts:user-set-active": lambda w: {"pk": w.foreign.users["director"].pk},
    "accounts:lockout-lift": lambda w: {"pk": w.records["foreign_lockout"].pk},
    "api:user-detail": lambda w: {"user_id": w.foreign.users["director"].pk},
}
