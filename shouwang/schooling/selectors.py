"""Reads for dropout control, cut to the viewer (schooling.access)."""

from datetime import date

from shouwang.accounts import access as accounts_access

from . import access
from .comparison import Comparison, compare


def comparison_for(*, viewer, as_of: date) -> Comparison | None:
    """三比对 over the viewer's jurisdiction on as_of (None for those who do not work
    on dropout control)."""
    if not access.may_work(viewer):
        return None
    return compare(prefix=accounts_access.jurisdiction_prefix(viewer), as_of=as_of)
