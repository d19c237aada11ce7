"""Bar charts drawn on the server as inline SVG: geometry here, markup in
``templates/regulator/_chart.html``. No script and no style attributes (the CSP forbids
them): colours come from CSS classes in ``regulator.css``. Every bar has a ``<title>`` and
a text label, and each page shows the same numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..read.history import gap_kind_words
from ..rules.engine import label
from ..rules.explain import sentence
from .queries import ComplianceRow, KindCount, MonthCount

WIDTH = 640
BAR_HEIGHT, BAR_GAP, ROW_GAP = 14, 2, 10
VALUE_SPACE = 120  # room right of the longest bar for its text
CHAR_WIDTH = 7  # rough width of one 12px character, to size the label column
MAX_LABEL = 34


@dataclass(frozen=True)
class Series:
    name: str
    css: str


@dataclass(frozen=True)
class Datum:
    """One row of the chart: a label, one value per series, and each value as text."""

    label: str
    values: Sequence[float]
    texts: Sequence[str]
    css: str | None = None  # overrides the series' class (one-series charts)


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    css: str
    title: str
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Row:
    label: str
    label_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class LegendItem:
    name: str
    css: str
    x: int
    y: int


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    label_x: int
    rows: tuple[Row, ...]
    legend: tuple[LegendItem, ...]


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(
    title: str,
    description: str,
    series: Sequence[Series],
    data: Sequence[Datum],
    maximum: float | None = None,
) -> Chart:
    """Horizontal bars, one group per datum, one bar per series, scaled to ``maximum``
    (default: the largest value)."""
    legend_height = 22 if len(series) > 1 else 0
    label_width = min(
        CHAR_WIDTH * MAX_LABEL,
        max(60, CHAR_WIDTH * max((len(d.label) for d in data), default=0) + 10),
    )
    bar_x = label_width + 6
    scale_top = maximum or max((v for d in data for v in d.values), default=0) or 1
    area = WIDTH - bar_x - VALUE_SPACE
    group = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    rows, top = [], 4 + legend_height
    for d in data:
        bars = []
        for i, (s, value, text) in enumerate(zip(series, d.values, d.texts, strict=True)):
            y = top + i * (BAR_HEIGHT + BAR_GAP)
            width = round(area * min(value, scale_top) / scale_top)
            who = f"{d.label}, {s.name}" if len(series) > 1 else d.label
            bars.append(
                Bar(
                    bar_x,
                    y,
                    width,
                    BAR_HEIGHT,
                    d.css or s.css,
                    f"{who}: {text}",
                    text,
                    bar_x + width + 4,
                    y + BAR_HEIGHT - 3,
                )
            )
        rows.append(Row(_short(d.label), top + group // 2 + 4, tuple(bars)))
        top += group + ROW_GAP
    legend = (
        tuple(LegendItem(s.name, s.css, bar_x + i * 150, 4) for i, s in enumerate(series))
        if legend_height
        else ()
    )
    return Chart(title, description, WIDTH, max(top, 30), label_width, tuple(rows), legend)


def gaps_chart(kinds: Sequence[KindCount]) -> Chart:
    return bar_chart(
        "Gaps by kind",
        "Number of gaps of each kind in the audit; errors withhold authorization.",
        [Series("Gaps", "bar-error")],
        [
            Datum(gap_kind_words(k.kind), [k.count], [str(k.count)], f"bar-{k.severity}")
            for k in kinds
        ],
    )


def compliance_chart(rows: Sequence[ComplianceRow]) -> Chart:
    return bar_chart(
        "Compliance by profession and modality",
        "Share of the practitioners declaring a modality who are authorized to perform it.",
        [Series("Authorized", "bar-ok")],
        [
            Datum(
                f"{sentence(label(r.profession))} · {label(r.modality)}",
                [100 * r.share],
                [f"{r.share:.0%} ({r.authorized} of {r.declared})"],
            )
            for r in rows
        ],
        maximum=100,
    )


def expiry_chart(months: Sequence[MonthCount]) -> Chart:
    return bar_chart(
        "Expiries in the next 12 months",
        "Credentials and registrations expiring in each month.",
        [Series("Credentials", "bar-credential"), Series("Registrations", "bar-registration")],
        [
            Datum(
                f"{m.month:%b %Y}",
                [m.credentials, m.registrations],
                [str(m.credentials), str(m.registrations)],
            )
            for m in months
        ],
    )
