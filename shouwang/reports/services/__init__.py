"""Writes of the reports app: daily figure snapshots (snapshots), generated bulletins
and their templates (bulletins). Callers import from this package."""

from .bulletins import (
    bulletin_download,
    bulletin_generate,
    bulletin_request,
    template_retire,
    template_upload,
)
from .snapshots import snapshots_nightly, snapshots_refresh
from .snapshots_request import snapshot_recompute

__all__ = [
    "bulletin_download",
    "bulletin_generate",
    "bulletin_request",
    "snapshot_recompute",
    "snapshots_nightly",
    "snapshots_refresh",
    "template_retire",
    "template_upload",
]
