"""Numbered pages of long lists, for every list page.

Django's Paginator, with two changes that matter at the scale of a province's ledger:
a count the page has already made can be handed in (the list shows it anyway), and a
page past the middle is read from the far end (the order reversed, a smaller OFFSET),
so that the last page costs what the first one does.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

LAST = "last"  # ?page=last: the last page, whatever its number
PAGE_SIZE = 50
_UNIQUE_KEYS = {"id", "pk"}


def _ends_with_unique_key(items: QuerySet) -> bool:
    """Whether the order is total (its last key is the primary key): only then is the
    reversed order exactly the mirror of the forward one, ties included."""
    order = items.query.order_by or items.model._meta.ordering
    if not order:
        return False
    last = order[-1]
    name = last if isinstance(last, str) else getattr(last.expression, "name", "")
    return name.lstrip("-") in _UNIQUE_KEYS | {items.model._meta.pk.attname}


class Pager(Paginator):
    """A Paginator that takes a count already made and reads deep pages backwards."""

    def __init__(self, object_list, per_page: int, *, count: int | None = None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count  # replaces the cached property: no second COUNT

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        items = self.object_list
        if not isinstance(items, QuerySet):
            return self._get_page(items[bottom:top], number, self)
        if self.count <= self.per_page:
            # All on one page: no LIMIT, which would tempt PostgreSQL to walk the
            # sort order's index past every row rather than use the filter's index.
            return self._get_page(list(items), number, self)
        if bottom > self.count // 2 and _ends_with_unique_key(items):
            rows = _window(items.reverse(), self.count - top, self.count - bottom)
            rows.reverse()
        else:
            rows = _window(items, bottom, top)
        return self._get_page(rows, number, self)


def _window(items: QuerySet, start: int, stop: int) -> list:
    """items[start:stop]; past the first rows, the keys first (narrow rows, no joins
    for the rows skipped) and then those rows with everything the list shows."""
    if start == 0:
        return list(items[:stop])
    keys = list(items.values_list("pk", flat=True)[start:stop])
    found = {row.pk: row for row in items.filter(pk__in=keys)}
    return [found[key] for key in keys if key in found]


def page_of(request, items, *, size: int = PAGE_SIZE, count: int | None = None) -> Page:
    """The page ?page= asks for (a number, or "last"); a number that is not a page
    gives the first or the last page rather than an error."""
    pager = Pager(items, size, count=count)
    asked = request.GET.get("page", "")
    if asked == LAST:
        return pager.page(pager.num_pages)
    return pager.get_page(asked)
