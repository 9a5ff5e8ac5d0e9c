"""The daily briefing (每日简报) as a printable PDF (A4) and a phone-sized PNG, from one `BriefingSheet`.

The sheet holds text already formatted for the reader's language and zone (dashboards/_leader_briefing.py
makes it from `services.briefing.Briefing`), so both renderers only lay it out. Chinese needs a font the
server may not have: both embed the Noto Sans SC subset shipped in `assets/fonts/briefing/` (GB2312 levels
1–2, ASCII, CJK punctuation and every character of the catalogs; SIL OFL), so a server with no CJK font and
no internet renders the same file. The PDF is reportlab's (the font embedded as a subset, with a ToUnicode
map, so its text can be searched and copied); the PNG and the PDF's charts are matplotlib's, drawn on
`Figure` objects, never pyplot's global state.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts" / "briefing"
FONT_FAMILY = "Noto Sans SC"
_PDF_FONT, _PDF_BOLD = "NotoSansSC", "NotoSansSC-Bold"

# A light palette for paper and phone screens (the wall's colours are made for a dark room).
INK, MUTED, RULE, BAND, ACCENT = "#1b2433", "#5b6b82", "#d5dce6", "#f2f5f9", "#0b5cad"
COLOURS = {"normal": "#1a9e5c", "warn": "#d98200", "alarm": "#d62828", "nodata": "#8a94a6",
           "extreme": "#d62828", "severe": "#ef6c00", "moderate": "#d4a800", "minor": "#2f6fde",
           "unknown": "#8a94a6", "": INK}  # fmt: skip

PNG_WIDTH = 1080  # pixels: a phone screen's width at 3x, what chat apps show without scaling
_DPI = 100
_HEAD, _TILE_H, _TILE_COLUMNS, _CHART_H, _ROW_H, _TABLE_HEAD, _FOOT, _PAD = 150, 120, 4, 330, 40, 92, 70, 40


@dataclass(frozen=True)
class Headline:
    """A big number with its label; `status` (normal, warn, alarm, a severity, or "") colours it."""

    label: str
    value: str
    status: str = ""


@dataclass(frozen=True)
class Bars:
    """A horizontal bar chart: one bar per label, coloured by its status key."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class Rows:
    """A titled table; `statuses` (one per row, or none) colour each row's first cell; relative `widths`."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    statuses: tuple[str, ...] = ()
    empty: str = "—"


@dataclass(frozen=True)
class BriefingSheet:
    title: str
    subtitle: str
    headlines: tuple[Headline, ...]
    charts: tuple[Bars, ...]
    tables: tuple[Rows, ...]
    footer: str


def _colour(status: str) -> str:
    return COLOURS.get(status, INK)


# ---------------------------------------------------------------- matplotlib: the PNG and the PDF's charts


@cache
def _matplotlib_fonts() -> None:
    """Add the shipped faces to matplotlib's font list, once per process (one list serves every figure)."""
    for path in sorted(FONT_DIR.glob("*.ttf")):
        font_manager.fontManager.addfont(str(path))


# matplotlib's settings are process-wide: two downloads drawing at once in two callback threads must not undo each
# other's font setting on leaving `rc_context`, so drawing takes turns.
_DRAWING = threading.Lock()


@contextmanager
def _mpl_style() -> Iterator[None]:
    _matplotlib_fonts()
    with _DRAWING, rc_context({"font.family": FONT_FAMILY, "axes.unicode_minus": False}):
        yield


def _draw_bars(ax: Axes, chart: Bars, font_scale: float = 1.0) -> None:
    positions = list(range(len(chart.labels)))[::-1]
    ax.barh(positions, chart.values, color=[_colour(s) for s in chart.statuses], height=0.62)
    ax.set_yticks(positions, [_clip(label, 12) for label in chart.labels], fontsize=12 * font_scale,
                  color=INK)
    ax.set_title(chart.title, loc="left", fontsize=15 * font_scale, fontweight="bold", color=INK)
    top = max(chart.values, default=0) or 1
    ax.set_xlim(0, top * 1.25)
    for y, value in zip(positions, chart.values, strict=True):
        ax.text(value + top * 0.02, y, f"{value:,.0f}", va="center", fontsize=11 * font_scale, color=MUTED)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.tick_params(axis="x", labelsize=10 * font_scale, colors=MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(RULE)
    ax.spines["bottom"].set_color(RULE)
    if not chart.labels:
        ax.set_yticks([])


def _clip(text: str, cjk_width: float) -> str:
    """`text` cut with an ellipsis to about `cjk_width` CJK characters (a Latin letter counts as half)."""
    used, out = 0.0, list[str]()
    for char in text:
        used += 1.0 if ord(char) > 0x2E80 else 0.6
        if used > cjk_width:
            return "".join(out).rstrip() + "…"
        out.append(char)
    return text


def _table_height(table: Rows) -> int:
    return _TABLE_HEAD + _ROW_H * max(1, len(table.rows))


def png_size(sheet: BriefingSheet) -> tuple[int, int]:
    """(width, height) in pixels of the PNG of `sheet`: a fixed width, as tall as its content."""
    tiles = math.ceil(len(sheet.headlines) / _TILE_COLUMNS) * (_TILE_H + 12)
    charts = math.ceil(len(sheet.charts) / 2) * (_CHART_H + 20)
    return PNG_WIDTH, _HEAD + _PAD + tiles + charts + sum(_table_height(t) for t in sheet.tables) + _FOOT


def render_png(sheet: BriefingSheet) -> bytes:
    """The briefing as one PNG `png_size(sheet)` pixels large, drawn in pixel coordinates from the top."""
    width, height = png_size(sheet)
    with _mpl_style():
        fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor="white")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        ax.add_patch(Rectangle((0, 0), width, _HEAD, color=ACCENT))
        ax.text(_PAD, 62, sheet.title, fontsize=30, fontweight="bold", color="white", va="center")
        ax.text(_PAD, 115, sheet.subtitle, fontsize=15, color="#dbe8f7", va="center")
        y: float = _HEAD + _PAD // 2
        y = _png_headlines(ax, sheet.headlines, y)
        y = _png_charts(fig, sheet.charts, y, height)
        for table in sheet.tables:
            y = _png_table(ax, table, y)
        ax.text(_PAD, height - _FOOT / 2, sheet.footer, fontsize=12, color=MUTED, va="center")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
    return buffer.getvalue()


def _png_headlines(ax: Axes, headlines: Sequence[Headline], y: float) -> float:
    tile_w = (PNG_WIDTH - 2 * _PAD - (_TILE_COLUMNS - 1) * 12) / _TILE_COLUMNS
    for index, item in enumerate(headlines):
        row, column = divmod(index, _TILE_COLUMNS)
        x, top = _PAD + column * (tile_w + 12), y + row * (_TILE_H + 12)
        ax.add_patch(Rectangle((x, top), tile_w, _TILE_H, color=BAND))
        ax.add_patch(Rectangle((x, top), 6, _TILE_H, color=_colour(item.status or "nodata")))
        ax.text(x + 20, top + 34, _clip(item.label, 10), fontsize=14, color=MUTED, va="center")
        ax.text(x + 20, top + 82, item.value, fontsize=28, fontweight="bold", color=_colour(item.status),
                va="center")
    return y + math.ceil(len(headlines) / _TILE_COLUMNS) * (_TILE_H + 12)


def _png_charts(fig: Figure, charts: Sequence[Bars], y: float, height: int) -> float:
    chart_w = (PNG_WIDTH - 3 * _PAD) / 2
    for index, chart in enumerate(charts):
        row, column = divmod(index, 2)
        left = _PAD + column * (chart_w + _PAD) + 150  # room for the labels
        top = y + row * (_CHART_H + 20) + 50  # room for the title
        ax = fig.add_axes((left / PNG_WIDTH, 1 - (top + _CHART_H - 80) / height,
                           (chart_w - 170) / PNG_WIDTH, (_CHART_H - 80) / height))
        _draw_bars(ax, chart)
    return y + math.ceil(len(charts) / 2) * (_CHART_H + 20)


def _png_table(ax: Axes, table: Rows, y: float) -> float:
    ax.text(_PAD, y + 30, table.title, fontsize=17, fontweight="bold", color=INK, va="center")
    inner = PNG_WIDTH - 2 * _PAD
    scale = inner / sum(table.widths)
    lefts = [_PAD + scale * sum(table.widths[:i]) for i in range(len(table.widths))]
    top = y + 56
    ax.add_patch(Rectangle((_PAD, top), inner, 36, color=BAND))
    for x, label, w in zip(lefts, table.header, table.widths, strict=True):
        ax.text(x + 8, top + 18, _clip(label, (w * scale - 12) / 17.5), fontsize=12, color=MUTED, va="center")
    top += 36
    if not table.rows:
        ax.text(_PAD + 8, top + _ROW_H / 2, table.empty, fontsize=13, color=MUTED, va="center")
    statuses = table.statuses or ("",) * len(table.rows)
    for row, status in zip(table.rows, statuses, strict=True):
        for column, (x, cell, w) in enumerate(zip(lefts, row, table.widths, strict=True)):
            ax.text(x + 8, top + _ROW_H / 2, _clip(cell, (w * scale - 12) / 19), fontsize=13, va="center",
                    color=_colour(status) if column == 0 and status else INK,
                    fontweight="bold" if column == 0 and status else "normal")
        ax.plot([_PAD, _PAD + inner], [top + _ROW_H, top + _ROW_H], color=RULE, linewidth=1)
        top += _ROW_H
    return y + _table_height(table)


def chart_png(chart: Bars, width_mm: float, height_mm: float) -> bytes:
    """One chart as a 200-dpi PNG of the given printed size (for the PDF)."""
    with _mpl_style():
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=200, facecolor="white")
        ax = fig.add_axes((0.3, 0.12, 0.62, 0.72))
        _draw_bars(ax, chart, font_scale=0.62)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=200, facecolor="white")
    return buffer.getvalue()


# ---------------------------------------------------------------- reportlab: the PDF


@cache
def _pdf_fonts() -> None:
    """Register the shipped faces with reportlab once per process (its registry is global)."""
    pdfmetrics.registerFont(TTFont(_PDF_FONT, str(FONT_DIR / "NotoSansSC-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(_PDF_BOLD, str(FONT_DIR / "NotoSansSC-Bold.ttf")))
    pdfmetrics.registerFontFamily(_PDF_FONT, normal=_PDF_FONT, bold=_PDF_BOLD, italic=_PDF_FONT,
                                  boldItalic=_PDF_BOLD)


def _para(text: str, size: float, colour: str = INK, *, bold: bool = False, keep: bool = False) -> Paragraph:
    """A paragraph of `text`: Chinese may break between any two characters, Latin text only between words."""
    cjk = any(ord(char) > 0x2E80 for char in text)
    style = ParagraphStyle(f"s{size}{colour}{bold}{cjk}{keep}", fontName=_PDF_BOLD if bold else _PDF_FONT,
                           fontSize=size, leading=size * 1.35, textColor=colors.HexColor(colour),
                           wordWrap="CJK" if cjk else None, keepWithNext=int(keep))
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)


def _pdf_headlines(headlines: Sequence[Headline], width: float) -> Table:
    cells = [[_para(h.label, 8.5, MUTED), _para(h.value, 17, _colour(h.status), bold=True)]
             for h in headlines]
    grid: list[list[Any]] = [cells[i:i + _TILE_COLUMNS] for i in range(0, len(cells), _TILE_COLUMNS)]
    grid[-1] += [""] * (_TILE_COLUMNS - len(grid[-1]))  # a short last row: empty cells, not empty flowable lists
    table = Table(grid, colWidths=[width / _TILE_COLUMNS] * _TILE_COLUMNS)
    commands: list[Any] = [("FONTNAME", (0, 0), (-1, -1), _PDF_FONT),
                           ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(BAND)),
                           ("GRID", (0, 0), (-1, -1), 3, colors.white), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for index, item in enumerate(headlines):
        row, column = divmod(index, _TILE_COLUMNS)
        edge = colors.HexColor(_colour(item.status or "nodata"))
        commands.append(("LINEBEFORE", (column, row), (column, row), 3, edge))
    table.setStyle(TableStyle(commands))
    return table


def _pdf_charts(charts: Sequence[Bars], width: float) -> Table:
    half = width / 2
    images = [Image(io.BytesIO(chart_png(c, half / mm, 62)), width=half, height=62 * mm) for c in charts]
    table = Table([images[i:i + 2] for i in range(0, len(images), 2)], colWidths=[half, half])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), _PDF_FONT)]))
    return table


def _pdf_table(table: Rows, width: float) -> list[Any]:
    scale = width / sum(table.widths)
    header = [_para(h, 8.5, MUTED) for h in table.header]
    statuses = table.statuses or ("",) * len(table.rows)
    body = [[_para(cell, 9.5, _colour(status) if i == 0 and status else INK, bold=i == 0 and bool(status))
             for i, cell in enumerate(row)] for row, status in zip(table.rows, statuses, strict=True)]
    if not body:
        body = [[_para(table.empty, 9.5, MUTED)] + [""] * (len(header) - 1)]
    grid = Table([header, *body], colWidths=[w * scale for w in table.widths], repeatRows=1)
    grid.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), _PDF_FONT),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BAND)),
                              ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [Spacer(1, 4 * mm), _para(table.title, 12, INK, bold=True, keep=True), grid]


def render_pdf(sheet: BriefingSheet) -> bytes:
    """The briefing as an A4 PDF with the font embedded; the footer and page number on every page."""
    _pdf_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=sheet.title, subject=sheet.subtitle,
                            creator="OneScreen", initialFontName=_PDF_FONT)
    width = A4[0] - 32 * mm

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(_PDF_FONT, 8)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.drawString(16 * mm, 9 * mm, sheet.footer)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, str(document.page))
        canvas.restoreState()

    story: list[Any] = [_para(sheet.title, 19, ACCENT, bold=True), _para(sheet.subtitle, 9.5, MUTED),
                        Spacer(1, 4 * mm),
                        _pdf_headlines(sheet.headlines, width)]
    if sheet.charts:
        story += [Spacer(1, 3 * mm), _pdf_charts(sheet.charts, width)]
    for table in sheet.tables:
        story += _pdf_table(table, width)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
