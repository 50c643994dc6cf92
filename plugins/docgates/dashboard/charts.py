"""SVG charts for the dashboard, rendered at build time with pygal.

Readers see them with no JavaScript and no network: pygal's tooltip script (fetched from a
CDN by default) is turned off, its inline config script and comments are stripped, and the
random chart id is replaced by a stable one so that builds stay reproducible.
"""

from __future__ import annotations

import re
import sys
from typing import Sequence

import pygal
from pygal.style import Style

# pygal appends a legacy import hook (for its optional map plugins, unused here) to
# sys.meta_path; every failed import after it then raises an ImportWarning, which breaks
# code run with warnings as errors. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "pygal"]

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#444",
    foreground_strong="#222",
    foreground_subtle="#888",
    font_family="inherit",
    colors=("#3f51b5", "#e8710a", "#c62828", "#2e7d32", "#6a1b9a", "#00838f"),
    value_font_size=14,
    label_font_size=13,
    major_label_font_size=13,
    title_font_size=16,
)


def _options(chart_id: str, title: str) -> dict:
    return dict(
        js=[],  # no CDN script: the SVG is complete on its own
        disable_xml_declaration=True,
        style=STYLE,
        title=title,
        width=640,
        height=320,
        show_legend=False,
        print_values=True,
        explicit_size=False,
        pretty_print=False,
        truncate_label=-1,  # whole labels: they are short, and cut ones read as errors
    )


def clean_svg(svg: str, chart_id: str) -> str:
    """Inline-ready SVG: no scripts, no comments (pygal stamps the real date in one), stable id."""
    svg = _SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = _CHART_ID.sub(f"docgates-chart-{chart_id}", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="docgates-chart-{chart_id}-title" ', 1)


def bar_chart(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], x_title: str | None = None
) -> str:
    """A bar chart as an inline ``<svg>``; labels and title are escaped by pygal's XML writer."""
    chart = pygal.Bar(**_options(chart_id, title), x_title=x_title)
    chart.x_labels = [str(label) for label in labels]
    chart.add(title, [float(v) for v in values])
    return _with_title(clean_svg(chart.render(is_unicode=True), chart_id), chart_id, title)


def horizontal_bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float]) -> str:
    chart = pygal.HorizontalBar(**_options(chart_id, title))
    chart.x_labels = [str(label) for label in labels]
    chart.add(title, [float(v) for v in values])
    return _with_title(clean_svg(chart.render(is_unicode=True), chart_id), chart_id, title)


def pie_chart(chart_id: str, title: str, slices: Sequence[tuple[str, float]]) -> str:
    options = _options(chart_id, title)
    options.update(show_legend=True, legend_at_bottom=True, inner_radius=0.45, print_values=True)
    chart = pygal.Pie(**options)
    for label, value in slices:
        chart.add(str(label), [float(value)])
    return _with_title(clean_svg(chart.render(is_unicode=True), chart_id), chart_id, title)


def _with_title(svg: str, chart_id: str, title: str) -> str:
    from html import escape

    # An accessible name for screen readers (pygal's visible title is plain <text>).
    return svg.replace(
        ">", f'><title id="docgates-chart-{chart_id}-title">{escape(title)}</title>', 1
    )
