"""The final summary report as a PDF, with the incident's timeline drawn as a chart.

Rendered with reportlab, pure Python; Chinese text uses reportlab's built-in CID font
``STSong-Light`` (Adobe-GB1), so no font file is needed. The chart puts each timeline entry
on its lane (event, action, decision) along a time axis, with the reporting deadlines as
dashed vertical lines (red when missed).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.authority import Actor
from fenghuo.incidents import clocks, closure, service
from fenghuo.incidents.clocks import Clock
from fenghuo.incidents.models import Incident, IncidentReport, TimelineEntry

FONT = "STSong-Light"
LANES = ("event", "action", "decision")
LANE_COLOURS = {
    "event": colors.HexColor("#1f77b4"),
    "action": colors.HexColor("#2ca02c"),
    "decision": colors.HexColor("#d62728"),
}
LANE_NAMES = {"event": "事件 Event", "action": "行动 Action", "decision": "决定 Decision"}
CHART_WIDTH = 170 * mm
CHART_HEIGHT = 62 * mm


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
    }


def render_final_report_pdf(*, session: Session, actor: Actor, incident_id: str) -> bytes:
    """The incident's final summary report (or its report so far) as PDF bytes (authorised)."""
    incident = service.get(session=session, actor=actor, incident_id=incident_id)
    return render(
        incident,
        final=closure.final_report_of(session, incident),
        entries=service.timeline(session, incident),
        deadlines=clocks.deadlines_of(session, incident),
    )


def render(
    incident: Incident,
    *,
    final: IncidentReport | None,
    entries: Sequence[TimelineEntry],
    deadlines: Sequence[Clock],
) -> bytes:
    """Lay out the report: facts, classification, final report sections, chart, timeline."""
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(
            f"网络安全事件处置总结报告 / Final summary report — {incident.reference}",
            styles["title"],
        ),
        _facts(incident, styles),
        Spacer(1, 4 * mm),
    ]
    story += _final_sections(final, styles)
    story += [
        Paragraph("事件时间线 / Timeline", styles["h2"]),
        timeline_chart(entries, deadlines),
        Spacer(1, 3 * mm),
        _timeline_table(entries, styles),
        Paragraph("报告时限 / Reporting deadlines", styles["h2"]),
        _deadline_table(deadlines, styles),
        Spacer(1, 4 * mm),
        Paragraph(f"Generated {clock.now():%Y-%m-%d %H:%M} UTC by Fenghuo", styles["small"]),
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"{incident.reference} final report",
        author="Fenghuo",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return out.getvalue()


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _facts(incident: Incident, styles: dict[str, ParagraphStyle]) -> Table:
    level = incident.final_level or "—"
    if incident.override_level:
        level += (
            f" (computed {incident.computed_level or '—'}; override: {incident.override_reason})"
        )
    rows = [
        ("事件 Incident", incident.title),
        ("事发单位 Reporting unit", incident.reporting_unit),
        ("设施、系统 Facility", incident.facility),
        ("地点 Place", incident.place),
        ("类型 Category", incident.category),
        ("发现时间 Discovered", f"{incident.discovered_at:%Y-%m-%d %H:%M} UTC"),
        ("级别 Level", level),
        ("预案 Plan", f"{incident.plan_name} v{incident.plan_version}"),
        ("状态 State", incident.state),
        ("危害评估 Harm evaluation", incident.harm_evaluation or "—"),
    ]
    table = Table(
        [[_p(k, styles["body"]), _p(v, styles["body"])] for k, v in rows],
        colWidths=[45 * mm, 125 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _final_sections(
    final: IncidentReport | None, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    if final is None:
        return [
            Paragraph("总结报告 / Summary report", styles["h2"]),
            _p("The final summary report has not been submitted yet.", styles["body"]),
        ]
    story: list[Flowable] = [
        _p(f"Submitted by {final.made_by} at {final.made_at:%Y-%m-%d %H:%M} UTC", styles["small"])
    ]
    for key, zh, en in closure.FINAL_SECTIONS:
        story.append(Paragraph(f"{zh} / {en}", styles["h2"]))
        story.append(_p(str(final.fields.get(key, "")), styles["body"]))
    return story


def timeline_chart(entries: Sequence[TimelineEntry], deadlines: Sequence[Clock]) -> Drawing:
    """Entries on their lanes along a time axis; deadlines as dashed lines."""
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    left, right, bottom, top = 28 * mm, CHART_WIDTH - 4 * mm, 12 * mm, CHART_HEIGHT - 6 * mm
    moments = [e.at for e in entries] + [c.due_at for c in deadlines if c.due_at is not None]
    if not moments:
        drawing.add(String(left, bottom, "No timeline entries", fontName=FONT, fontSize=8))
        return drawing
    start, end = min(moments), max(moments)
    span = max((end - start).total_seconds(), 60.0)

    def x_of(moment: datetime) -> float:
        return left + (right - left) * (moment - start).total_seconds() / span

    lane_y = {
        lane: bottom + (top - bottom) * (index + 0.5) / len(LANES)
        for index, lane in enumerate(LANES)
    }
    drawing.add(Line(left, bottom, right, bottom, strokeColor=colors.black, strokeWidth=0.6))
    for lane, y in lane_y.items():
        drawing.add(Line(left, y, right, y, strokeColor=colors.lightgrey, strokeWidth=0.4))
        drawing.add(String(2, y - 3, LANE_NAMES[lane], fontName=FONT, fontSize=7))
    for clock_ in deadlines:
        if clock_.due_at is None:
            continue
        missed = clock_.state.value in {"late", "overdue"}
        colour = colors.red if missed else colors.darkorange
        x = x_of(clock_.due_at)
        drawing.add(Line(x, bottom, x, top + 2, strokeColor=colour, strokeDashArray=[2, 2]))
        drawing.add(String(x + 1, top + 2, clock_.kind, fontName=FONT, fontSize=6,
                           fillColor=colour))  # fmt: skip
    placed: dict[str, list[float]] = {lane: [] for lane in LANES}
    for index, entry in enumerate(entries, start=1):
        lane = entry.kind if entry.kind in lane_y else "event"
        y, x = lane_y[lane], x_of(entry.at)
        colour = LANE_COLOURS.get(lane, colors.black)
        drawing.add(Circle(x, y, 2.6, fillColor=colour, strokeColor=colors.white))
        # Entries close in time share a spot: stack their numbers instead of overprinting.
        crowd = min(5, sum(1 for other in placed[lane] if abs(other - x) < 7))
        placed[lane].append(x)
        drawing.add(String(x - 2, y + 4 + 6 * crowd, str(index), fontName=FONT, fontSize=6))
    for moment in (start, end):
        drawing.add(
            String(x_of(moment) - 14, bottom - 9, f"{moment:%m-%d %H:%M}", fontName=FONT,
                   fontSize=6)
        )  # fmt: skip
    return drawing


def _timeline_table(entries: Sequence[TimelineEntry], styles: dict[str, ParagraphStyle]) -> Table:
    rows = [[_p(h, styles["small"]) for h in ("#", "时间 When (UTC)", "类别 Kind", "记录 Entry")]]
    for index, entry in enumerate(entries, start=1):
        rows.append(
            [
                _p(str(index), styles["small"]),
                _p(f"{entry.at:%Y-%m-%d %H:%M}", styles["small"]),
                _p(entry.kind, styles["small"]),
                _p(f"{entry.text} — {entry.author}", styles["small"]),
            ]
        )
    table = Table(rows, colWidths=[8 * mm, 30 * mm, 20 * mm, 112 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _deadline_table(deadlines: Sequence[Clock], styles: dict[str, ParagraphStyle]) -> Table:
    rows = [[_p(h, styles["small"]) for h in ("Deadline", "Due (UTC)", "Made (UTC)", "State")]]
    for c in deadlines:
        rows.append(
            [
                _p(c.kind, styles["small"]),
                _p(f"{c.due_at:%Y-%m-%d %H:%M}" if c.due_at else "—", styles["small"]),
                _p(f"{c.made_at:%Y-%m-%d %H:%M}" if c.made_at else "—", styles["small"]),
                _p(c.state.value, styles["small"]),
            ]
        )
    table = Table(rows, colWidths=[40 * mm, 45 * mm, 45 * mm, 40 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]))
    return table
