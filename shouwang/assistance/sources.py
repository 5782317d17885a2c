"""The allowance figures' flow sources for the report catalogue, per village (or per
county for foundlings):

- PaymentsSource: the approved monthly batches whose month lies in the period — the
  amount paid (in fen, so that sums are exact; a line the bank returned as failed is
  not paid, it is carried into a later batch and counted there), and the children
  paid at least once: orphans, of whom aged 18 or more on the month's first day, and
  de facto unsupported children;
- AidSource: programme beneficiaries recorded as paid or delivered in the period,
  and the amount (in fen);
- FoundlingSource: foundlings registered by the date they were found;
- UnpaidSource (a stock): 应保未保 at the end of a day — orphans and de facto
  unsupported children of the ledger then (today's rows, or the history's for a past
  day) without an application approved by then and not stopped for that month.
"""

from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from shouwang.accounts import access
from shouwang.registry.models import Child, ChildStatus
from shouwang.reports.catalogue import Kind, add_value, fen
from shouwang.reports.sources.ledger import end_of, rows_as_of

from .models import (
    AidBeneficiary,
    AllowanceApplication,
    BatchStatus,
    BeneficiaryStatus,
    Foundling,
    PaymentLine,
    PaymentResult,
)
from .policy import first_of_month
from .vocab import AllowanceKind

PAID = "assistance.paid_total"
ORPHANS = "assistance.orphans_covered"
ORPHANS_18 = "assistance.orphans_18_in_school"
DE_FACTO = "assistance.de_facto_covered"
AID_CHILDREN = "assistance.programme_students"
AID_AMOUNT = "assistance.programme_amount"
FOUNDLINGS = "foundlings.registered"
UNPAID = "assistance.unpaid"
ORPHAN_KINDS = (AllowanceKind.INSTITUTIONAL_ORPHAN, AllowanceKind.SCATTERED_ORPHAN)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class PaymentsSource:
    name = "assistance_payments"
    kind = Kind.FLOW

    def lines(self, prefix: str, start: date, end: date):
        return PaymentLine.objects.filter(
            access.prefix_q("village_code", prefix),
            batch__status=BatchStatus.APPROVED,
            batch__month__gte=first_of_month(start),
            batch__month__lte=end,
        )

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        lines = self.lines(prefix, start, end)
        result: dict = {}
        paid = (
            lines.exclude(result=PaymentResult.FAILED)
            .values("village_code")
            .order_by()
            .annotate(total=Sum("amount"))
        )
        for row in paid:
            add_value(result, row["village_code"], PAID, fen(row["total"]))
        covered = (
            lines.values("village_code")
            .order_by()
            .annotate(
                orphans=Count("child", distinct=True, filter=Q(kind__in=ORPHAN_KINDS)),
                de_facto=Count(
                    "child",
                    distinct=True,
                    filter=Q(kind=AllowanceKind.DE_FACTO_UNSUPPORTED),
                ),
            )
        )
        for row in covered:
            add_value(result, row["village_code"], ORPHANS, row["orphans"])
            add_value(result, row["village_code"], DE_FACTO, row["de_facto"])
        # Orphans of 18 or more on a paid month's first day (kept while in school).
        adults = {}
        for code, child, month, born in lines.filter(kind__in=ORPHAN_KINDS).values_list(
            "village_code", "child_id", "batch__month", "child__birth_date"
        ):
            if born is not None and born <= _years_before(month, 18):
                adults.setdefault(code, set()).add(child)
        for code, children in adults.items():
            add_value(result, code, ORPHANS_18, len(children))
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        """Batches approved, or bank results imported, since (a result turns a line
        into an unpaid one)."""
        lines = self.lines(prefix, period.start, period.end)
        return lines.filter(
            Q(batch__approved_at__gt=since) | Q(batch__results_imported_at__gt=since)
        ).exists()


class AidSource:
    name = "assistance_aid"
    kind = Kind.FLOW

    def delivered(self, prefix: str, start: date, end: date):
        return AidBeneficiary.objects.filter(
            access.prefix_q("village_id", prefix),
            status=BeneficiaryStatus.DELIVERED,
            delivered_on__gte=start,
            delivered_on__lte=end,
        )

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        result: dict = {}
        rows = (
            self.delivered(prefix, start, end)
            .values("village_id")
            .order_by()
            .annotate(n=Count("pk"), total=Sum("amount"))
        )
        for row in rows:
            add_value(result, row["village_id"], AID_CHILDREN, row["n"])
            add_value(result, row["village_id"], AID_AMOUNT, fen(row["total"]))
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        return (
            self.delivered(prefix, period.start, period.end)
            .filter(updated_at__gt=since)
            .exists()
        )


class FoundlingSource:
    name = "assistance_foundlings"
    kind = Kind.FLOW

    def registered(self, prefix: str, start: date, end: date):
        return Foundling.objects.filter(
            access.prefix_q("county_id", prefix), found_on__gte=start, found_on__lte=end
        )

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        result: dict = {}
        rows = (
            self.registered(prefix, start, end)
            .values("county_id")
            .order_by()
            .annotate(n=Count("pk"))
        )
        for row in rows:
            add_value(result, row["county_id"], FOUNDLINGS, row["n"])
        return result

    def entered_since(self, *, prefix, period, since) -> bool:
        return (
            self.registered(prefix, period.start, period.end)
            .filter(updated_at__gt=since)
            .exists()
        )


class UnpaidSource:
    name = "assistance_unpaid"
    kind = Kind.STOCK

    def compute(self, figures, *, prefix, day=None, start=None, end=None, live=False):
        at = min(end_of(day), timezone.now())
        covered = set(
            AllowanceApplication.objects.filter(
                access.prefix_q("village_id", prefix), approved_at__lt=at
            )
            .filter(Q(stop_month__isnull=True) | Q(stop_month__gt=first_of_month(day)))
            .values_list("child_id", flat=True)
        )
        if live:
            rows = (
                Child.objects.filter(
                    access.prefix_q("village_id", prefix), status=ChildStatus.ACTIVE
                )
                .filter(Q(is_orphan=True) | Q(is_de_facto_unsupported=True))
                .values_list("pk", "village_id")
            )
        else:
            rows = (
                (row["pk"], row["village_id"])
                for row in rows_as_of(day, prefix)
                if row["is_orphan"] or row["is_de_facto_unsupported"]
            )
        result: dict = {}
        for pk, village in rows:
            if pk not in covered:
                add_value(result, village, UNPAID, 1)
        return result
