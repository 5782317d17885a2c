"""The demo loaders' clock: a step written through the services runs at its moment."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Services take the time from django.utils.timezone.now: a step runs at its
    moment. Only for the demo loaders (one thread, a management command)."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real
