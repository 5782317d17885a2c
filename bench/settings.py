"""Settings for the benchmarks only: the product's settings plus django-import-export
and the flat roster model it imports into (bench/roster_import.py compares against it).

The product never loads this module, so neither the app nor its table ships; the
benchmark's own databases are migrated with it. Not a benchmark itself: `make bench`
skips this file.
"""

from shouwang.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "import_export", "bench.flatroster"]  # noqa: F405
