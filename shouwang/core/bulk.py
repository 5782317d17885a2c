"""Helpers for work over hundreds of thousands of rows (imports of whole lists)."""

import functools
import gc


def without_cyclic_gc(function):
    """Run with Python's cyclic garbage collector paused: a plan of 200,000 rows is
    millions of objects (cells, rows, strings), and each collection of the oldest
    generation walks them all (a fifth of such an import's time); plans and their
    rows hold no cycles, so nothing is left for the collector to find."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused
