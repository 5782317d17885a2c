"""The URLs of member units, meetings, tasks and supervision notices."""

from .views_meetings import urlpatterns

__all__ = ["urlpatterns"]
