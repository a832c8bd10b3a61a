"""The bulletin and the meeting pack as files: PDF (WeasyPrint), Word (python-docx), Excel (openpyxl).

PDFs show Chinese on a machine with no CJK system fonts: the CSS loads SimHei
(黑体, TrueType) from the ``mplfonts`` package through ``@font-face``, and
WeasyPrint may fetch nothing but that font file and our own static files.
TrueType rather than the package's Noto CJK (CFF outlines): subsetting a CFF
font for the PDF costs ~200 MB per document, SimHei ~70 MB, and the meeting
pack must stay under 300 MB (bench/RESULTS.md). WeasyPrint subsets with
HarfBuzz when the system has libharfbuzz-subset (the image installs it) and
with fontTools otherwise, which is slower but prints the same. A bulletin
version's files are made once per language and kept (``_kept``). Word documents
follow the official-document layout of GB/T 9704-2012: A4 with 37/35/28/26 mm
margins, a red issuing-authority line, the issuing number (发文字号) centred
above a red rule, the title in 2号 (22 pt) 小标宋, body text in 3号 (16 pt)
仿宋, and page numbers "— N —" in 4号 (14 pt) at the foot, outside edge.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import mplfonts
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from accounts.models import Unit
from campaign.core import cache
from reports.charts import level_names, temperature_names, trend_svg

FONT_DIR = Path(mplfonts.__file__).resolve().parent / "fonts"
PDF_FONT = FONT_DIR / "SimHei.ttf"
RED = RGBColor(0xC0, 0x00, 0x00)
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
BUREAU_NAME_FALLBACK = "城市管理执法局"


# --- PDF -----------------------------------------------------------------------------------

def _allowed_roots() -> list[Path]:
    roots = [FONT_DIR]
    roots += [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class RestrictedURLFetcher:
    """WeasyPrint may read our fonts and static files, and nothing else: no network, no other file.

    Built lazily on WeasyPrint's own ``URLFetcher`` (it must be that class, or a
    subclass, for WeasyPrint to accept it); refused URLs raise a fatal error so a
    document that tries to reach out fails loudly instead of rendering without.
    """

    _instance = None

    @classmethod
    def get(cls):
        if cls._instance is None:
            from weasyprint.urls import FatalURLFetchingError, URLFetcher

            class _Fetcher(URLFetcher):
                def fetch(self, url, headers=None):
                    if not url.startswith("data:"):
                        if not url.startswith("file://"):
                            raise FatalURLFetchingError(f"Refusing to fetch {url!r} while rendering a PDF")
                        path = Path(unquote(url[len("file://"):]).split("?")[0]).resolve()
                        if not any(path.is_relative_to(root) for root in _allowed_roots()):
                            raise FatalURLFetchingError(f"Refusing to fetch {url!r} while rendering a PDF")
                    return super().fetch(url, headers)

            cls._instance = _Fetcher(allowed_protocols=("file", "data"), fail_on_errors=True)
        return cls._instance


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = RestrictedURLFetcher.get()
    # @font-face rules in stylesheets given here are only honoured through a FontConfiguration.
    font_config = FontConfiguration()
    fonts = CSS(string=f"@font-face {{ font-family: 'BairiHei'; src: url('{PDF_FONT.as_uri()}'); }}",
                url_fetcher=fetcher, font_config=font_config)
    stylesheets = [fonts]
    css_path = finders.find("css/print.css")
    if css_path:
        stylesheets.append(CSS(filename=css_path, url_fetcher=fetcher, font_config=font_config))
    html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(Path(settings.BASE_DIR) / "static"), url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


def _kept(bulletin, kind: str, render: Callable[[str], bytes]) -> bytes:
    """A bulletin version's file, made once per language and kept: its figures never change (a new
    version is a new row), and the key names everything else it prints. ``render`` gets the bureau's name."""
    bureau = _bureau_name()
    key = cache.bulletin_file_key(bulletin.pk, kind, (bulletin.generated_at.isoformat(), bulletin.issue_no, bureau),
                                  get_language())
    return cache.frozen(key, lambda: render(bureau))


def bulletin_pdf(bulletin) -> bytes:
    return _kept(bulletin, "pdf", lambda bureau: render_pdf("reports/bulletin_pdf.html", {
        "bulletin": bulletin, "f": bulletin.figures, "chart": trend_svg(bulletin.figures.get("trend", [])),
        "bureau": bureau, "pdf": True,  # the phone's card list is for screens only
    }))


def _bureau_name() -> str:
    bureau = Unit.objects.filter(kind=Unit.Kind.BUREAU).only("name").first()
    return bureau.name if bureau else BUREAU_NAME_FALLBACK


# --- Word (GB/T 9704-2012) -----------------------------------------------------------------

def _set_font(run, name: str, size_pt: float, *, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _paragraph(doc, text: str, *, font: str = FANGSONG, size: float = 16, bold: bool = False,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, colour: RGBColor | None = None):
    para = doc.add_paragraph()
    para.alignment = align
    fmt = para.paragraph_format
    fmt.line_spacing = Pt(28)  # 22 lines a page, 28 characters a line
    fmt.space_after = Pt(0)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _set_font(para.add_run(text), font, size, bold=bold, colour=colour)
    return para


def _red_rule(doc) -> None:
    para = doc.add_paragraph()
    ppr = para._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _page_number_footer(section) -> None:
    """"— N —" in 4号 宋体: odd pages at the right, even pages at the left (GB/T 9704-2012 7.5)."""
    section.different_first_page_header_footer = False
    settings_el = section.part.document.settings.element
    if settings_el.find(qn("w:evenAndOddHeaders")) is None:
        settings_el.append(OxmlElement("w:evenAndOddHeaders"))
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        para = footer.paragraphs[0]
        para.alignment = align
        _set_font(para.add_run("— "), "宋体", 14)
        run = para.add_run()
        _set_font(run, "宋体", 14)
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        _set_font(para.add_run(" —"), "宋体", 14)


def official_document(*, issuer: str, issue_no: str, title: str) -> Document:
    """A blank document in the GB/T 9704-2012 layout with its head (版头) and title filled in."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.start_type = WD_SECTION.NEW_PAGE
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FANGSONG)
    _page_number_footer(section)
    _paragraph(doc, issuer, font=XIAOBIAOSONG, size=36, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               colour=RED)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, issue_no, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(doc)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, title, font=XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)
    return doc


def _heading(doc, text: str) -> None:
    _paragraph(doc, text, font=HEITI, size=16)


def _table(doc, header: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _set_font(cell.paragraphs[0].add_run(str(text)), HEITI, 10.5)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run("" if value is None else str(value)), FANGSONG, 10.5)


def bulletin_docx(bulletin) -> bytes:
    return _kept(bulletin, "docx", lambda bureau: _bulletin_docx(bulletin, bureau))


def _bulletin_docx(bulletin, bureau: str) -> bytes:
    f = bulletin.figures
    cd, total = f["countdown"], f["overall"]
    doc = official_document(
        issuer=bureau + _("Civilized City campaign bulletin"),
        issue_no=bulletin.issue_no,
        title=_("Weekly bulletin No. %(n)s of the hundred-day campaign") % {"n": bulletin.number},
    )
    _paragraph(doc, _(
        "Week %(start)s to %(end)s. Day %(day)s of %(days)s of the campaign; %(left)s days to the evaluation. "
        "Tasks due %(due)s, done %(done)s (%(rate)s%%); findings rectified on time %(rect)s%%; "
        "open findings past deadline %(open)s."
    ) % {"start": f["week"]["start"], "end": f["week"]["end"], "day": cd["day_number"],
         "days": cd["duration_days"], "left": cd["days_to_evaluation"], "due": total["tasks_due"],
         "done": total["tasks_done"], "rate": total["rates"]["task_completion"],
         "rect": total["rates"]["rectification_on_time"], "open": total["open_past_deadline"]})
    _heading(doc, _("1. Units"))
    _table(doc, [_("Rank"), _("Unit"), _("Score"), _("Due"), _("Done"), _("On time"), _("Overdue"),
                 _("Rectified on time %"), _("Rework %"), _("Rebounds")],
           [[r["rank"], r["unit"], r["score"], r["tasks_due"], r["tasks_done"], r["tasks_done_on_time"],
             r["tasks_overdue"], r["on_time_rectification_rate"], r["rework_rate"], r["rebounds_week"]]
            for r in f["units"]])
    _heading(doc, _("2. Praised and named"))
    praised = "、".join(p["unit"] for p in f["praised"]) or _("none this week")
    lagging = "、".join(p["unit"] for p in f["lagging"]) or _("none this week")
    _paragraph(doc, _("Praised (通报表扬): %(units)s.") % {"units": praised})
    _paragraph(doc, _("Named for lagging (通报批评): %(units)s.") % {"units": lagging})
    _heading(doc, _("3. Places that relapsed three times or more"))
    if f["relapse_places"]:
        for place in f["relapse_places"]:
            name = place["site"] or f'{place["latitude"]}, {place["longitude"]}'
            _paragraph(doc, _("%(place)s (%(unit)s): %(n)s relapses.") % {
                "place": name, "unit": place["unit"] or "—", "n": place["relapses"]})
        total = f.get("relapse_places_total", len(f["relapse_places"]))
        if total > len(f["relapse_places"]):
            _paragraph(doc, _("%(total)s places in all; the %(listed)s with the most relapses are listed.") % {
                "total": total, "listed": len(f["relapse_places"])})
    else:
        _paragraph(doc, _("None."))
    _heading(doc, _("4. Trend"))
    _table(doc, [_("Issue"), _("Tasks done %"), _("Rectified on time %"), _("Open past deadline")],
           [[p["label"], p["task_completion"], p["rectification_on_time"], p["open_past_deadline"]]
            for p in f["trend"]])
    _later_sections(doc, f)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, bureau, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(doc, timezone.localtime(bulletin.generated_at).strftime("%Y年%-m月%-d日"),
               align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return _save(doc)


def _later_sections(doc, f: dict) -> None:
    """The sections a bulletin's figures carry since they were added (an older bulletin has none of them)."""
    if f.get("pressure"):
        _pressure_table(doc, f["pressure"])
    if f.get("dispatch"):
        _dispatch_table(doc, f)


def _dispatch_table(doc, f: dict) -> None:
    _heading(doc, _("6. Dispatch and extensions"))
    _table(doc, [_("Dispatched by"), _("Findings dispatched"), _("Re-dispatched"), _("Accurate dispatch %")],
           [[row["unit"], row["dispatched"], row["redispatched"], row["rate"]] for row in f["dispatch"]])
    _paragraph(doc, _("Extension rate %(rate)s%%: %(n)s of the %(due)s findings due had more time granted; "
                      "rectified on time is judged against the deadline in force.") % {
        "rate": f["overall"].get("extension_rate", 0), "n": f["overall"].get("findings_extended", 0),
        "due": f["overall"]["findings_due"]})


def _pressure_table(doc, levels: list[dict]) -> None:
    names, words = level_names(), temperature_names()
    _heading(doc, _("5. Pressure gauge"))
    _table(doc, [_("Level"), _("Median h to first action"), _("Waiting"), _("Idle"), _("Temperature")],
           [[names[lv["level"]], "—" if lv["median_hours"] is None else lv["median_hours"], lv["waiting"],
             lv["idle"], words[lv["temperature"]]] for lv in levels])


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def bulletin_download(bulletin, kind: str):
    """The bulletin as a PDF or Word attachment, the same for the page and the API."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    content, content_type = (bulletin_pdf(bulletin), PDF) if kind == "pdf" else (bulletin_docx(bulletin), DOCX)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"周通报-第{bulletin.number}期.{kind}")
    response["Cache-Control"] = "private, no-store"
    return response


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
