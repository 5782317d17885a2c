"""Writes of the reports app: daily figure snapshots (snapshots), generated bulletins
and their templates (bulletins). Callers import from this package."""

from .snapshots import snapshots_nightly, snapshots_refresh

__all__ = ["snapshots_nightly", "snapshots_refresh"]
