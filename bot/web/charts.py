"""The dashboard's charts, drawn server-side by pygal as SVG (inline in the page, no
JavaScript: pygal's tooltip script is switched off) and, for `renkei report --png`, turned into
PNG by cairosvg. Input is a `workflow.reports.Report`; the Japanese titles come from
bot/messages/."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from bot import messages as m
from workflow.reports import Report

_STYLE = Style(font_family="'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', sans-serif",
               background="white", plot_background="white", colors=("#1f6feb", "#d29922",
                                                                   "#2da44e", "#cf222e"))
_COMMON = {"js": [], "disable_xml_declaration": True, "style": _STYLE, "width": 720,
           "height": 360, "explicit_size": False, "legend_at_bottom": True,
           "print_values": False, "x_label_rotation": 20}


def _svg(chart: Any) -> str:
    """The chart's SVG without pygal's config <script> (it always writes one; the pages run
    no JavaScript, and the tooltips it would drive are not needed)."""
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).rpartition("}")[2] == "script":
                parent.remove(child)
    if hasattr(root, "getroottree"):  # pygal builds with lxml when it is installed
        from lxml import etree

        return str(etree.tostring(root, encoding="unicode"))
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ElementTree.tostring(root, encoding="unicode")


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def cycle_chart(report: Report) -> str:
    """Median and p90 hours per step, bars side by side."""
    chart = pygal.Bar(title=m.WEB_CHART_CYCLE, y_title=m.WEB_HOURS, **_COMMON)
    chart.x_labels = [c.label for c in report.cycle]
    chart.add(m.WEB_MEDIAN, [_hours(c.median_hours) for c in report.cycle])
    chart.add("p90", [_hours(c.p90_hours) for c in report.cycle])
    return _svg(chart)


def sla_chart(report: Report) -> str:
    """Per month: 連携設定 finished, and the share kept within the SLA (%)."""
    chart = pygal.Bar(title=m.WEB_CHART_SLA, y_title="%", range=(0, 100), **_COMMON)
    chart.x_labels = [s.month for s in report.sla]
    chart.add(m.WEB_SLA_KEPT, [round(s.percent, 1) for s in report.sla])
    return _svg(chart)


def steps_chart(report: Report) -> str:
    """Tickets standing at each step now."""
    chart = pygal.HorizontalBar(title=m.WEB_CHART_STEPS, show_legend=False, **_COMMON)
    chart.x_labels = [c.label for c in report.counts]
    chart.add(m.WEB_TICKETS, [c.count for c in report.counts])
    return _svg(chart)


CHARTS = {"steps": steps_chart, "cycle": cycle_chart, "sla": sla_chart}


def write_png(report: Report, directory: Path) -> list[Path]:
    """Every chart as DIR/<name>.png; returns the files written."""
    import cairosvg

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in CHARTS.items():
        path = directory / f"{name}.png"
        cairosvg.svg2png(bytestring=draw(report).encode(), write_to=str(path),
                         output_width=1440, output_height=720)
        written.append(path)
    return written
