"""The protection API (django-ninja), mounted at /api/protection: cases, referrals,
inboxes, supervision and break-the-glass. operations.py holds the operations, edge.py
the lookups, the refusals and a case as the viewer sees it, schemas.py the shapes."""

from .operations import router

__all__ = ["router"]
