"""The one catalogue of figures: every number a page, export, dashboard or bulletin
shows is declared here once, with its stable key, Chinese label, unit, one-sentence
definition, whether it is a stock (as of a date) or a flow (within a period), and the
source that computes it.

Sources compute many figures at once for an area code prefix:
- a stock source answers for a day, either live from today's ledger (`live=True`) or
  rebuilt from history for a past day; its values are stored per area and day
  (`FigureSnapshot`), so that areas above a village and past dates are sums;
- a flow source answers for a period [start, end] from its own dated records, and
  says whether records dated in a period were entered since a moment (its stored
  counts, `PeriodFigures`, are then recounted).
Both return values per area code (villages mostly; a township's own contribution,
such as "this township has a supervisor", under the township's code), which add up
the area tree.

Derived figures have no source and are computed after the sum: a rate from the two
figures it divides (`ratio`), a quantile (median, p90) from a histogram (`quantile`),
or a value of the area itself that does not add up (`of_area`: the allowance
standard in force there), read by an area source for the area and its sub-areas at
once (`declare_area_source`, compute.area_values). A quantile does not add up the tree, its histogram does: a
source returns the counts of each whole value under internal keys
(`histogram_key(name, value)`, such as "protection.police_hours@5"), which are summed
like any count and never shown, and the quantile of an area is read from its summed
counts, so that it equals the quantile of the area's own rows.

Each app declares its figures in a module listed in FIGURE_MODULES; a figure the
product does not hold yet is declared with `pending` (the capability that will add
it) and no source, so that the bulletin prints "（暂无数据）" rather than a number.
"""

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from .predicates import Predicate

FIGURE_MODULES = [
    "shouwang.reports.figures.ledger",
    "shouwang.reports.figures.staff",
    "shouwang.reports.figures.visits",
    "shouwang.protection.figures",
    "shouwang.schooling.figures",
    "shouwang.assistance.figures",
    "shouwang.exchange.figures",
    "shouwang.jointwork.figures_meetings",
    "shouwang.jointwork.figures_care",
    "shouwang.reports.figures.pending",
]

Values = dict[str, int]
ByArea = dict[str, Values]


def add_value(result: ByArea, code: str, key: str, value: int) -> None:
    """Add a count to one area's figure in a source's result (zeros stay absent)."""
    if value:
        values = result.setdefault(code, {})
        values[key] = values.get(key, 0) + value


def fen(amount) -> int:
    """An amount in yuan (Decimal, or None for nothing) as whole fen: money figures
    are counted in fen (Figure.scale = 100) so that sums over areas are exact."""
    return round((amount or 0) * 100)


class Kind(StrEnum):
    STOCK = "stock"
    FLOW = "flow"


KIND_LABELS = {Kind.STOCK: "时点数（截至期末）", Kind.FLOW: "期间数（期内累计）"}


@dataclass(frozen=True)
class Figure:
    key: str  # stable: part of the CLI, API and template contracts
    label: str
    unit: str  # 人, 个, 次, %, 元, 万元 …
    definition: str  # one sentence shown to users
    kind: Kind
    group: str  # the heading it is listed under
    source: str = ""  # the Source computing it; "" for a derived or pending figure
    count: Predicate | None = None  # for counting sources: which rows count
    ratio: tuple[str, str] | None = None  # a rate: numerator key, denominator key
    # A quantile: the histogram's name and the percent (50: the median).
    quantile: tuple[str, int] | None = None
    # A value of the area itself, not a sum of its villages (a standard in force
    # there): the name of the AreaSource that reads it (compute.area_values).
    of_area: str = ""
    # Counted in 1/scale of the unit (100: yuan counted in fen, so that sums are
    # exact), shown divided (compute.complete).
    scale: int = 1
    pending: str = ""  # not held yet: the capability that will add it
    # The lowest level of area this figure counts things at (townships are counted
    # at township level): tables of sub-areas below it leave the figure out.
    counted_at: str = "village"
    # The list behind the number, for users who may read children: a URL name and
    # its query filters (None: no list).
    list_view: str = "registry:child-list"
    child_filter: Mapping[str, str] | None = None

    @property
    def held(self) -> bool:
        return not self.pending

    @property
    def is_money(self) -> bool:
        """An amount of money: shown with two decimals when not whole."""
        return self.unit.startswith(("元", "万元"))  # 元/人·月 too

    @property
    def is_rate(self) -> bool:
        return self.ratio is not None

    @property
    def derived(self) -> bool:
        """Computed after the sum (from other values, or for the area itself), never
        summed itself."""
        return self.ratio is not None or self.quantile is not None or bool(self.of_area)

    @property
    def placeholder(self) -> str:
        """How a Word template names the figure: {{ children.left_behind }}."""
        group, _, name = self.key.partition(".")
        if name.isidentifier():
            return f"{group}.{name}"
        return f"{group}['{name}']"


class Source(Protocol):
    name: str
    kind: Kind

    def compute(
        self,
        figures: list[Figure],
        *,
        prefix: str,
        day: date | None = None,
        start: date | None = None,
        end: date | None = None,
        live: bool = False,
    ) -> ByArea: ...


class FlowSource(Source, Protocol):
    def entered_since(self, *, prefix: str, period, since) -> bool:
        """Whether records dated in the period were entered after `since`: stored
        counts of the period (PeriodFigures) are then recounted."""


# An area source: (area codes, day) → for each code, its own values of the figures
# that name the source in `of_area` (read at once for an area and its sub-areas).
AreaSource = Callable[[list[str], date], dict[str, dict[str, int | float | None]]]

FIGURES: dict[str, Figure] = {}
SOURCES: dict[str, Source] = {}
AREA_SOURCES: dict[str, AreaSource] = {}


def declare(*figures: Figure) -> None:
    """Add figures to the catalogue (each key once)."""
    for figure in figures:
        if figure.key in FIGURES:
            raise ValueError(f"figure {figure.key} declared twice")
        if figure.source and figure.pending:
            raise ValueError(f"figure {figure.key}: a pending figure has no source")
        if figure.derived and figure.source:
            raise ValueError(f"figure {figure.key}: a derived figure has no source")
        if HISTOGRAM_MARK in figure.key:
            raise ValueError(f"figure {figure.key}: {HISTOGRAM_MARK} marks histograms")
        FIGURES[figure.key] = figure


def declare_area_source(name: str, source: AreaSource) -> None:
    AREA_SOURCES[name] = source


def declare_source(source: Source) -> None:
    SOURCES[source.name] = source


def load_figure_modules() -> None:
    for module in FIGURE_MODULES:
        importlib.import_module(module)
    for figure in FIGURES.values():
        if figure.source and figure.source not in SOURCES:
            raise ValueError(f"figure {figure.key}: unknown source {figure.source}")
        if figure.ratio and not set(figure.ratio) <= FIGURES.keys():
            raise ValueError(f"figure {figure.key}: unknown ratio inputs")
        if figure.quantile and not 0 < figure.quantile[1] <= 100:
            raise ValueError(f"figure {figure.key}: a quantile is a percent")


def held(kind: Kind | None = None) -> list[Figure]:
    """The figures the product computes (of one kind), in catalogue order."""
    return [
        f
        for f in FIGURES.values()
        if f.held and (kind is None or f.kind == kind or (f.is_rate and kind is None))
    ]


def by_source(keys: Iterable[str] | None = None) -> dict[str, list[Figure]]:
    """The held, sourced figures (of keys) grouped by their source."""
    wanted = set(keys) if keys is not None else None
    groups: dict[str, list[Figure]] = {}
    for figure in FIGURES.values():
        if figure.source and (wanted is None or figure.key in wanted):
            groups.setdefault(figure.source, []).append(figure)
    return groups


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    if not denominator or numerator is None:
        return None
    return round(numerator * 100 / denominator, 1)


def with_rates(values: Mapping[str, int]) -> dict[str, int | float | None]:
    """The values with every derived figure computed from its inputs (rates from the
    two figures they divide, quantiles from their histogram's counts); the
    histograms' internal keys are left out."""
    result: dict[str, int | float | None] = {
        k: v for k, v in values.items() if not is_histogram_key(k)
    }
    for figure in FIGURES.values():
        if figure.ratio:
            num, den = figure.ratio
            result[figure.key] = rate(values.get(num), values.get(den))
        elif figure.quantile:
            name, percent = figure.quantile
            result[figure.key] = quantile(histogram(values, name), percent)
    return result


# Histograms ----------------------------------------------------------------------------

HISTOGRAM_MARK = "@"


def histogram_key(name: str, value: int) -> str:
    """The internal key counting the rows of one whole value: "name@value"."""
    return f"{name}{HISTOGRAM_MARK}{value}"


def is_histogram_key(key: str) -> bool:
    return HISTOGRAM_MARK in key


def histogram(values: Mapping[str, int], name: str) -> dict[int, int]:
    """The counts of each whole value of a histogram among summed values."""
    prefix = f"{name}{HISTOGRAM_MARK}"
    return {
        int(key[len(prefix) :]): count
        for key, count in values.items()
        if key.startswith(prefix) and count
    }


def quantile(counts: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank quantile of whole values given as value → count: the smallest
    value that at least `percent` % of the rows do not exceed (the ⌈n × p⌉-th of the
    n sorted rows; for the median of an even n, the lower middle one). None when
    there are no rows."""
    n = sum(counts.values())
    if not n:
        return None
    rank = -(-n * percent // 100)  # ⌈n × percent / 100⌉ in whole numbers
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")


def summed_kind(key: str) -> Kind | None:
    """The kind of a value a source returns (a figure, or a histogram's count: that of
    its quantiles); None for a derived figure or an unknown key."""
    figure = FIGURES.get(key)
    if figure is not None:
        return None if figure.derived else figure.kind
    if is_histogram_key(key):
        name = key.rpartition(HISTOGRAM_MARK)[0]
        for figure in FIGURES.values():
            if figure.quantile and figure.quantile[0] == name:
                return figure.kind
    return None


def add_into(total: dict[str, int], values: Mapping[str, int]) -> None:
    for key, value in values.items():
        total[key] = total.get(key, 0) + value


def groups() -> dict[str, list[Figure]]:
    """Every figure by its heading, in catalogue order."""
    result: dict[str, list[Figure]] = {}
    for figure in FIGURES.values():
        result.setdefault(figure.group, []).append(figure)
    return result
