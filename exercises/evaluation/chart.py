"""The drill's chart: cumulative answers (all, and yes) over minutes since the callout.

Drawn with matplotlib's object API (`Figure`, no pyplot and its global figure registry),
as SVG for the page and PNG for the PDF. The texts come in already translated. Matplotlib's
text layout and font cache are shared by the process, so one chart is drawn at a time.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from io import BytesIO

from matplotlib.figure import Figure

from exercises.evaluation.figures import SeriesPoint

_DRAWING = threading.Lock()
ALL_COLOUR = "#1f5a96"
YES_COLOUR = "#2e7d32"
NEED_COLOUR = "#8a5a00"


@dataclass(frozen=True)
class ChartTexts:
    title: str
    minutes_axis: str
    count_axis: str
    answers: str
    yes: str
    wanted: str


def _figure(series: list[SeriesPoint], wanted: int, texts: ChartTexts) -> Figure:
    figure = Figure(figsize=(7.5, 3.6), layout="constrained")
    axes = figure.add_subplot()
    minutes = [point.minute for point in series]
    # Carry the last count on a little, so the final step is visible.
    end = max(60.0, minutes[-1] * 1.05 if minutes else 60.0)
    minutes_out = [*minutes, end]
    # A withheld step (one or two, for a reader who may not see them) is a gap: NaN.
    answers = [math.nan if point.answers is None else point.answers for point in series]
    yes = [math.nan if point.yes is None else point.yes for point in series]
    axes.step(
        minutes_out, [*answers, answers[-1]], where="post", color=ALL_COLOUR, label=texts.answers
    )
    axes.step(minutes_out, [*yes, yes[-1]], where="post", color=YES_COLOUR, label=texts.yes)
    if wanted:
        axes.axhline(wanted, color=NEED_COLOUR, linestyle="--", linewidth=1, label=texts.wanted)
    axes.set_xlim(0, end)
    axes.set_ylim(0, max(0 if math.isnan(answers[-1]) else answers[-1], wanted, 1) * 1.1)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(texts.minutes_axis)
    axes.set_ylabel(texts.count_axis)
    axes.set_title(texts.title)
    axes.grid(True, color="#dddddd", linewidth=0.6)
    axes.legend(loc="lower right")
    return figure


def _render(series: list[SeriesPoint], wanted: int, texts: ChartTexts, fmt: str) -> bytes:
    buffer = BytesIO()
    with _DRAWING:
        figure = _figure(series or [SeriesPoint(0.0, 0, 0)], wanted, texts)
        # No date in the metadata: the same drill gives the same picture.
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


def chart_svg(series: list[SeriesPoint], wanted: int, texts: ChartTexts) -> bytes:
    return _render(series, wanted, texts, "svg")


def chart_png(series: list[SeriesPoint], wanted: int, texts: ChartTexts) -> bytes:
    return _render(series, wanted, texts, "png")
