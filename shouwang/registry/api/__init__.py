"""The child-registry API (django-ninja): see operations.py."""

from .operations import router

__all__ = ["router"]
