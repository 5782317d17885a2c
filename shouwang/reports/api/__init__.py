"""The reports API: the figure catalogue, and figures of an area and a period (and of
the areas one level below), with the pages' access rules."""

from .figures import router

__all__ = ["router"]
