"""The names a bulletin template may use, and their values for one area and period.

Every figure of the catalogue is reachable as `{{ group.name }}` (or
`{{ group['name'] }}` when the name is not an identifier, see Figure.placeholder)
and prints its number; its comparisons are attributes (`.prev`, `.change`,
`.change_rate`, `.ref`, `.ref_change`, `.ref_rate`, and the ready sentences
`.vs_prev`, `.vs_ref`). A figure the product does not hold yet prints
PENDING_TEXT in every form, and is remembered so that the document can list it.
A number that cannot be given (a rate without a denominator, a figure not counted
at the level of a table's rows) prints BLANK_TEXT.

The same description (NAMES, FIGURE_ATTRIBUTES, ROW_ATTRIBUTES) drives the
placeholder page and the template check (validate.py), so that a name the check
accepts is one the context provides."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from shouwang.areas.models import Area, AreaLevel

from .. import catalogue
from ..catalogue import Figure, Kind
from ..periods import Period

PENDING_TEXT = "（暂无数据）"
BLANK_TEXT = "—"

# What one figure offers besides printing its number: name → what it gives.
FIGURE_ATTRIBUTES: dict[str, str] = {
    "value": "本期的数（与直接写占位符相同）。",
    "prev": "上期（与本期等长、紧挨在本期之前的期间）的数。",
    "change": "较上期的变化（本期减上期，减少为负数；比率为百分点）。",
    "change_rate": "较上期的增减幅度（%，保留一位小数；上期为0或比率类数字时为“—”）。",
    "ref": "对比基准日的数：时点数取基准日当天，期间数取基准日所在年份的同期。",
    "ref_change": "较对比基准的变化（本期减基准，减少为负数；比率为百分点）。",
    "ref_rate": "较对比基准的增减幅度（%，保留一位小数；基准为0或比率类数字时为“—”）。",
    "vs_prev": "较上期的完整说法，如“较上期增加12人，增长1.5%”“与上期持平”。",
    "vs_ref": "较对比基准的完整说法，如“较2025年12月31日减少3人，下降2.0%”。",
    "label": "数字的中文名称。",
    "unit": "单位（人、个、次、%……）。",
}

# Names other than the figure groups: name → (its attributes: what they give).
NAMES: dict[str, tuple[str, dict[str, str]]] = {
    "area": (
        "通报的区划（直接写时为区划名称）。",
        {
            "name": "区划名称，如“隆回县”。",
            "code": "12位统计用区划代码。",
            "level": "层级：省、市、县、乡镇、村（社区）。",
            "scope": "“全县”“全市”“全镇”这样的说法。",
        },
    ),
    "period": (
        "通报期间（直接写时为“2026年1月1日至2026年3月31日”）。",
        {
            "label": "期间的说法，同直接写。",
            "start": "起始日期，如“2026年1月1日”。",
            "end": "截止日期，如“2026年3月31日”。",
            "year": "截止日期所在年份，如“2026”。",
        },
    ),
    "previous": (
        "上期（直接写时为期间的说法）。",
        {"label": "同直接写。", "start": "起始日期。", "end": "截止日期。"},
    ),
    "reference": (
        "对比基准日（直接写时为“2025年12月31日”）。",
        {
            "date": "同直接写。",
            "year": "基准日所在年份。",
            "flow_label": "期间数所比的基准年同期，如“2025年1月1日至2025年3月31日”。",
        },
    ),
    "generated": ("生成日期，如“2026年4月2日”。", {}),
    "subareas": (
        "下一级区划的行（表格中用 {%tr for row in subareas %} … {%tr endfor %}）。",
        {},
    ),
    "subarea_level": ("下一级区划的层级名称，如“乡镇”。", {}),
    "total": ("合计行（本区划自己的数字，属性同 row）。", {}),
}

ROW_ATTRIBUTES: dict[str, str] = {
    "name": "区划名称（合计行为“合计”）。",
    "code": "区划代码（合计行为本区划的代码）。",
    "level": "层级。",
}

# Jinja's own globals, always defined.
JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace"})

SCOPE_WORDS = {
    AreaLevel.PROVINCE: "全省",
    AreaLevel.CITY: "全市",
    AreaLevel.COUNTY: "全县",
    AreaLevel.TOWNSHIP: "全乡（镇）",
    AreaLevel.VILLAGE: "全村",
}
LEVEL_ORDER = [level.value for level in AreaLevel]


def figure_groups() -> dict[str, dict[str, Figure]]:
    """Every figure by the first part of its key: group → name → Figure."""
    result: dict[str, dict[str, Figure]] = {}
    for figure in catalogue.FIGURES.values():
        group, _, name = figure.key.partition(".")
        result.setdefault(group, {})[name] = figure
    return result


def day_text(day: date) -> str:
    return f"{day:%Y年%-m月%-d日}"


def number_text(value, *, money: bool = False) -> str:
    """A number as a bulletin prints it: rates and other fractions with one decimal,
    amounts of money (money=True) with two decimals when not whole (fen of a 元,
    hundreds of 元 of a 万元)."""
    if value is None:
        return BLANK_TEXT
    if isinstance(value, float):
        return f"{value:.2f}" if money else f"{value:.1f}"
    return str(value)


class Blank:
    """A number that cannot be given: prints its text, is falsy, compares false."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return False

    def _false(self, other) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false

    def _self(self, *other) -> "Blank":
        return self

    __abs__ = __neg__ = __add__ = __radd__ = __sub__ = __rsub__ = _self


def _shown(value, text: str = BLANK_TEXT):
    return Blank(text) if value is None else value


def _difference(current, before, *, is_rate: bool):
    if current is None or before is None:
        return None
    change = current - before
    if is_rate:
        return round(change, 1)
    return round(change, 2) if isinstance(change, float) else change  # yuan and fen


def _growth(current, before, *, is_rate: bool):
    if is_rate or current is None or not before:
        return None
    return round((current - before) * 100 / before, 1)


@dataclass
class FigureValue:
    """One figure's number with its comparisons, as a template prints them."""

    figure: Figure
    value: int | float | None
    prev_value: int | float | None = None
    ref_value: int | float | None = None
    prev_name: str = "上期"
    ref_name: str = ""
    used: set[str] | None = None  # where printing a pending figure is remembered

    @property
    def pending(self) -> bool:
        return not self.figure.held

    def _mark(self) -> Blank:
        if self.used is not None:
            self.used.add(self.figure.key)
        return Blank(PENDING_TEXT)

    def __str__(self) -> str:
        if self.pending:
            return str(self._mark())
        return number_text(self.value, money=self.figure.is_money)

    def __html__(self) -> str:
        return str(self)

    def _number(self, value):
        return self._mark() if self.pending else _shown(value)

    def _raw(self):
        if self.pending:
            return self._mark()
        return _shown(self.value)

    def __bool__(self) -> bool:
        return bool(self.value) and not self.pending

    def __int__(self) -> int:
        return int(self.value or 0)

    def __float__(self) -> float:
        return float(self.value or 0)

    def __lt__(self, other):
        return self._raw() < _unwrap(other)

    def __le__(self, other):
        return self._raw() <= _unwrap(other)

    def __gt__(self, other):
        return self._raw() > _unwrap(other)

    def __ge__(self, other):
        return self._raw() >= _unwrap(other)

    def __add__(self, other):
        return self._raw() + _unwrap(other)

    __radd__ = __add__

    def __sub__(self, other):
        return self._raw() - _unwrap(other)

    def __rsub__(self, other):
        return _unwrap(other) - self._raw()

    @property
    def label(self) -> str:
        return self.figure.label

    @property
    def unit(self) -> str:
        return self.figure.unit

    @property
    def prev(self):
        return self._number(self.prev_value)

    @property
    def ref(self):
        return self._number(self.ref_value)

    @property
    def change(self):
        rate = self.figure.is_rate
        return self._number(_difference(self.value, self.prev_value, is_rate=rate))

    @property
    def change_rate(self):
        rate = self.figure.is_rate
        return self._number(_growth(self.value, self.prev_value, is_rate=rate))

    @property
    def ref_change(self):
        rate = self.figure.is_rate
        return self._number(_difference(self.value, self.ref_value, is_rate=rate))

    @property
    def ref_rate(self):
        rate = self.figure.is_rate
        return self._number(_growth(self.value, self.ref_value, is_rate=rate))

    @property
    def vs_prev(self):
        if self.pending:
            return self._mark()
        return comparison_text(self.figure, self.value, self.prev_value, self.prev_name)

    @property
    def vs_ref(self):
        if self.pending:
            return self._mark()
        return comparison_text(self.figure, self.value, self.ref_value, self.ref_name)


def _unwrap(other):
    if isinstance(other, FigureValue):
        return other._raw()
    return other


def comparison_text(figure: Figure, current, before, name: str) -> str:
    """“较上期增加12人，增长1.5%”, “较上期提高1.2个百分点”, “与上期持平”."""
    if current is None or before is None:
        return f"与{name}无法比较"
    change = _difference(current, before, is_rate=figure.is_rate)
    if not change:
        return f"与{name}持平"
    if figure.is_rate:
        verb = "提高" if change > 0 else "降低"
        return f"较{name}{verb}{number_text(abs(change))}个百分点"
    verb, growth_verb = ("增加", "增长") if change > 0 else ("减少", "下降")
    amount = number_text(abs(change), money=figure.is_money)
    text = f"较{name}{verb}{amount}{figure.unit}"
    growth = _growth(current, before, is_rate=False)
    if growth is not None:
        text += f"，{growth_verb}{number_text(abs(growth))}%"
    return text


class FigureGroup(Mapping):
    """The figures of one group (`children`), by name: `children.total`,
    `weakness['1A']`."""

    def __init__(self, values: dict[str, FigureValue]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> FigureValue:
        return self._values[name]

    def __getattr__(self, name: str) -> FigureValue:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclass
class Row:
    """A line of the sub-area table (or the 合计 line): name, code, level and every
    figure group."""

    name: str
    code: str
    level: str
    groups: dict[str, FigureGroup] = field(default_factory=dict)

    def __getattr__(self, name: str):
        groups = self.__dict__.get("groups", {})
        if name in groups:
            return groups[name]
        raise AttributeError(name)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Dated:
    """A period or a day as the bulletin writes it."""

    label: str
    start: str = ""
    end: str = ""
    year: str = ""
    date: str = ""
    flow_label: str = ""

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class AreaInfo:
    name: str
    code: str
    level: str
    scope: str

    def __str__(self) -> str:
        return self.name


def period_info(period: Period) -> Dated:
    return Dated(
        label=period.label,
        start=day_text(period.start),
        end=day_text(period.end),
        year=str(period.end.year),
    )


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def reference_flow_period(period: Period, reference: date) -> Period:
    """The dates of the period moved back by whole years until they end on or before
    the reference date: flows are compared with the same part of the reference
    year (同期), since a flow has no value "at" a day."""
    years = max(period.end.year - reference.year, 0)
    shifted = Period(_shift_years(period.start, years), _shift_years(period.end, years))
    while shifted.end > reference:
        years += 1
        shifted = Period(
            _shift_years(period.start, years), _shift_years(period.end, years)
        )
    return shifted


def default_reference(period: Period) -> date:
    """31 December of the year before the period's end."""
    return date(period.end.year - 1, 12, 31)


@dataclass
class Figures:
    """The numbers one bulletin is filled with (JSON-ready: keys → numbers)."""

    current: dict[str, int | float | None]
    previous: dict[str, int | float | None]
    reference: dict[str, int | float | None]
    # One entry per sub-area: code, name, level, and the three sets of numbers.
    subareas: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "current": self.current,
            "previous": self.previous,
            "reference": self.reference,
            "subareas": self.subareas,
        }


def _values(
    values: Mapping,
    previous: Mapping,
    reference: Mapping,
    *,
    used: set[str],
    ref_name: str,
    level: str | None = None,
) -> dict[str, FigureGroup]:
    groups: dict[str, dict[str, FigureValue]] = {}
    for group, figures in figure_groups().items():
        for name, figure in figures.items():
            counted = level is None or LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(
                figure.counted_at
            )
            groups.setdefault(group, {})[name] = FigureValue(
                figure=figure,
                value=values.get(figure.key) if counted else None,
                prev_value=previous.get(figure.key) if counted else None,
                ref_value=reference.get(figure.key) if counted else None,
                ref_name=ref_name,
                used=used,
            )
    return {group: FigureGroup(values) for group, values in groups.items()}


def build_context(
    *,
    area: Area,
    period: Period,
    reference: date,
    figures: Figures,
    today: date,
    used: set[str],
) -> dict:
    """The template context of a bulletin; pending figures printed are added to
    `used` while it renders."""
    flow_period = reference_flow_period(period, reference)
    ref_name = day_text(reference)
    own = _values(
        figures.current,
        figures.previous,
        figures.reference,
        used=used,
        ref_name=ref_name,
    )
    level_label = AreaLevel(area.level).label
    context: dict = {
        "area": AreaInfo(
            name=area.name,
            code=area.code,
            level=level_label,
            scope=SCOPE_WORDS[AreaLevel(area.level)],
        ),
        "period": period_info(period),
        "previous": period_info(period.previous()),
        "reference": Dated(
            label=ref_name,
            date=ref_name,
            year=str(reference.year),
            flow_label=flow_period.label,
        ),
        "generated": day_text(today),
        "total": Row(name="合计", code=area.code, level=level_label, groups=own),
        **own,
    }
    rows = []
    sub_level = ""
    for entry in figures.subareas:
        sub_level = AreaLevel(entry["level"]).label
        rows.append(
            Row(
                name=entry["name"],
                code=entry["code"],
                level=sub_level,
                groups=_values(
                    entry["current"],
                    entry["previous"],
                    entry["reference"],
                    used=used,
                    ref_name=ref_name,
                    level=entry["level"],
                ),
            )
        )
    context["subareas"] = rows
    context["subarea_level"] = sub_level or _next_level_label(area)
    return context


def _next_level_label(area: Area) -> str:
    index = LEVEL_ORDER.index(area.level)
    if index + 1 < len(LEVEL_ORDER):
        return AreaLevel(LEVEL_ORDER[index + 1]).label
    return ""


def flow_keys() -> set[str]:
    return {
        f.key
        for f in catalogue.FIGURES.values()
        if f.kind == Kind.FLOW and not f.is_rate
    }
