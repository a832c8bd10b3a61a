"""Writing, versioning, publishing and reading weekly bulletins."""

import datetime
import io
import threading
import zipfile

import pytest
from django.core import mail
from django.db import connection
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader

from reports import documents, services
from reports.jobs import due_week, write_weekly_bulletin
from reports.models import Bulletin
from tests import factories as f
from tests.reports.builders import TZ, WEEK, at, build_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return build_week(praise_bar=80, lagging_bar=70)


def write(scene):
    bulletin, created = services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    return bulletin


def test_the_bulletin_is_numbered_and_holds_the_weeks_figures(scene):
    bulletin = write(scene)
    assert bulletin.number == 7  # the campaign started in week 41
    assert bulletin.issue_no == "城管创〔2026〕7号"
    assert (bulletin.week_start, bulletin.week_end) == (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    units = {u["unit"]: u for u in bulletin.figures["units"]}
    assert units["第二中队"]["rank"] == 1 and units["第一中队"]["score"] == 63.7


def test_praise_and_lagging_follow_the_campaign_bars(scene):
    figures = write(scene).figures
    assert [u["unit"] for u in figures["praised"]] == ["第二中队"]      # 80 ≥ 80
    assert [u["unit"] for u in figures["lagging"]] == ["第一中队"]      # 63.7 < 70
    assert figures["lagging"][0]["open_past_deadline"] == 1


def test_rank_change_is_measured_against_last_weeks_bulletin(scene):
    services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=2026, iso_week=46)
    figures = write(scene).figures
    change = {u["unit"]: u["rank_change"] for u in figures["units"]}
    # Week 46: nothing was due for A; A ranked 1st with 100 and B 1st too; in week 47 B stays 1st, A drops to 2nd.
    assert change["第一中队"] == -1 and change["第二中队"] == 0


def test_an_old_bulletin_never_changes_when_data_changes(scene):
    bulletin = write(scene)
    before = bulletin.figures["units"]
    scene.findings["f3"].delete()
    bulletin.refresh_from_db()
    assert bulletin.figures["units"] == before


def test_writing_twice_leaves_one_bulletin(scene):
    first = write(scene)
    second = write(scene)
    assert first.pk == second.pk
    assert Bulletin.objects.count() == 1


def test_regenerating_makes_a_new_version_and_keeps_the_old(scene):
    first = write(scene)
    scene.findings["f3"].delete()
    new = services.regenerate_bulletin(bulletin=first, by=scene.admin)
    first.refresh_from_db()
    assert (new.version, new.is_current, first.is_current) == (2, True, False)
    assert Bulletin.objects.filter(iso_week=WEEK[1]).count() == 2
    assert {u["unit"]: u["open_past_deadline"] for u in new.figures["units"]}["第一中队"] == 0


def test_only_an_admin_regenerates(scene):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.regenerate_bulletin(bulletin=write(scene), by=scene.leader)


def test_a_week_outside_the_campaign_is_refused(scene):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不在攻坚行动期内"):
        services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=2026, iso_week=30)
    assert Bulletin.objects.count() == 0


def test_publishing_emails_the_leaders_with_the_pdf(scene, django_capture_on_commit_callbacks):
    bulletin = write(scene)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_bulletin(bulletin=bulletin, by=scene.admin)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {scene.leader.email, scene.admin.email}
    assert "测试百日攻坚" in message.subject
    (name, content, kind), = message.attachments
    assert kind == "application/pdf" and content.startswith(b"%PDF")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_bulletin(bulletin=bulletin, by=scene.admin)
    assert len(mail.outbox) == 1  # publishing again sends nothing


def test_publishing_leaves_a_notice_for_every_reader_but_members(scene):
    from reports.models import Notice

    services.publish_bulletin(bulletin=write(scene), by=scene.admin, email=False)
    readers = set(Notice.objects.filter(kind=Notice.Kind.BULLETIN).values_list("user", flat=True))
    assert {scene.leader.pk, scene.leader_a.pk, scene.inspector.pk, scene.admin.pk} <= readers
    assert scene.members_a[0].pk not in readers


def test_the_pdf_shows_chinese_with_the_packaged_font(scene):
    pdf = PdfReader(io.BytesIO(documents.bulletin_pdf(write(scene))))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "测试百日攻坚" in text and "周通报" in text
    assert "第一中队" in text and "第二中队" in text
    assert "城管创〔2026〕7号" in text
    fonts = {str(font.get_object()["/BaseFont"]) for page in pdf.pages
             for font in page["/Resources"]["/Font"].values()}
    # The Chinese comes from the font shipped with mplfonts, never a system CJK font, so this PDF renders
    # on a machine without CJK fonts (a symbol SimHei lacks may come from a Latin system font such as DejaVu).
    assert any("BairiHei" in name for name in fonts), fonts
    assert not any(cjk in name for name in fonts for cjk in ("WenQuanYi", "CJK", "Hei-", "Song", "Ming")
                   if "BairiHei" not in name), fonts


def test_the_pdf_fetches_nothing_but_our_fonts_and_static_files():
    from weasyprint.urls import FatalURLFetchingError

    fetcher = documents.RestrictedURLFetcher.get()
    for url in ("http://example.org/x.png", "file:///etc/passwd", "file:///work/../etc/hosts"):
        with pytest.raises(FatalURLFetchingError, match="Refusing"):
            fetcher.fetch(url)
    response = fetcher.fetch(documents.PDF_FONT.as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()


def test_a_document_that_reaches_out_fails_instead_of_fetching():
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError):
        HTML(string='<img src="http://169.254.169.254/latest">',
             url_fetcher=documents.RestrictedURLFetcher.get()).write_pdf()


def test_the_word_document_has_the_official_layout(scene):
    bulletin = write(scene)
    doc = Document(io.BytesIO(documents.bulletin_docx(bulletin)))
    section = doc.sections[0]
    # Word keeps lengths in twips, so millimetres come back to within a twentieth of a point.
    def mm(length):
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)) == (
        37, 35, 28, 26)
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    issuer, issue_no, title = paragraphs[0], paragraphs[1], paragraphs[2]
    assert issuer.runs[0].font.color.rgb == documents.RED
    assert issue_no.text == "城管创〔2026〕7号"
    assert "7" in title.text and title.runs[0].font.size == Pt(22)
    body = paragraphs[3].runs[0]
    assert body.font.name == "仿宋_GB2312" and body.font.size == Pt(16)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "—" in section.footer.paragraphs[0].text
    tables = doc.tables
    assert any("第一中队" in cell.text for cell in tables[0].columns[1].cells)


def test_due_week_follows_the_campaign_weekday_and_hour(scene):
    campaign = scene.campaign
    assert due_week(campaign, at(11, 23, 8, 0)) == WEEK        # Monday 08:00: last week's is due
    assert due_week(campaign, at(11, 23, 7, 59)) == (2026, 46)  # before 08:00 it is the week before's
    campaign.bulletin_weekday, campaign.bulletin_hour = 2, 18      # Wednesday 18:00
    assert due_week(campaign, at(11, 25, 17, 0)) == (2026, 46)
    assert due_week(campaign, at(11, 25, 18, 0)) == WEEK
    assert due_week(campaign, datetime.datetime(2026, 9, 1, tzinfo=TZ)) is None


def test_the_job_writes_and_publishes_once(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_weekly_bulletin.delay(scene.campaign.pk, *WEEK)
        write_weekly_bulletin.delay(scene.campaign.pk, *WEEK)
    assert Bulletin.objects.count() == 1
    assert Bulletin.objects.get().published_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_writing_the_same_week_at_once_leave_one_bulletin():
    scene = build_week()
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Bulletin.objects.count() == 1


def test_the_meeting_pack_zip_holds_agenda_tables_and_bulletins(scene):
    from reports import packs

    write(scene)
    meeting, _ = services.propose_meeting(campaign_id=scene.campaign.pk, month=datetime.date(2026, 11, 1),
                                          today=datetime.date(2026, 11, 22))
    archive = zipfile.ZipFile(io.BytesIO(packs.meeting_zip(meeting)))
    names = archive.namelist()
    assert any(n.endswith(".docx") for n in names)
    assert any(n.endswith(".xlsx") for n in names)
    assert sum(n.endswith(".pdf") for n in names) == 1
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(archive.read(next(n for n in names if n.endswith(".xlsx")))))
    assert len(book.sheetnames) == 2
    values = [c.value for row in book.worksheets[1].iter_rows() for c in row]
    assert "第一中队" in values


def test_spreadsheet_cells_that_look_like_formulas_are_neutralised():
    from campaign.core.spreadsheets import safe_cell, unquote_cell

    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("第一中队") == "第一中队" and safe_cell(3) == 3
    assert unquote_cell(safe_cell("-1 元")) == "-1 元" and unquote_cell("'引号") == "'引号"


def test_units_outside_the_bulletin_default_bureau_name_fallback():
    assert documents._bureau_name() == documents.BUREAU_NAME_FALLBACK
    f.bureau()
    assert documents._bureau_name() == "区城管执法局"


def test_the_bulletin_names_the_worst_places_and_counts_them_all(client, scene, monkeypatch):
    from decimal import Decimal

    from reports import figures

    places = [{"site": None, "latitude": Decimal("30.100"), "longitude": Decimal(f"120.{n:03d}"),
               "relapses": 40 - n} for n in range(figures.RELAPSE_PLACES_LISTED + 5)]
    monkeypatch.setattr(figures, "relapse_places", lambda campaign: places)
    bulletin = write(scene)
    assert [p["relapses"] for p in bulletin.figures["relapse_places"]] == list(range(40, 20, -1))
    assert bulletin.figures["relapse_places_total"] == 25
    summary = "共25处，列出反弹次数最多的20处。"
    client.force_login(scene.admin)
    page = client.get(f"/reports/bulletins/{bulletin.pk}/").content.decode()
    assert summary in page and 'href="/inspections/relapses/"' in page
    assert page.count("120.0") == 20  # the worst twenty, not all twenty-five
    pdf = PdfReader(io.BytesIO(documents.bulletin_pdf(bulletin)))
    assert summary in "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert summary in "".join(p.text for p in Document(io.BytesIO(documents.bulletin_docx(bulletin))).paragraphs)


def test_a_bulletin_versions_files_are_made_once_and_again_when_what_they_print_changes(scene, monkeypatch):
    from accounts.models import Unit

    bulletin = write(scene)
    made = []
    render = documents.render_pdf
    monkeypatch.setattr(documents, "render_pdf", lambda template, context: made.append(context["bureau"]) or render(
        template, context))
    first = documents.bulletin_pdf(bulletin)
    assert documents.bulletin_pdf(Bulletin.objects.get(pk=bulletin.pk)) == first and len(made) == 1
    Unit.objects.filter(kind=Unit.Kind.BUREAU).update(name="新城区城市管理局")
    renamed = PdfReader(io.BytesIO(documents.bulletin_pdf(bulletin)))
    assert len(made) == 2 and "新城区城市管理局" in renamed.pages[0].extract_text()
    word = documents.bulletin_docx(bulletin)
    assert documents.bulletin_docx(bulletin) == word
    assert "新城区城市管理局" in Document(io.BytesIO(word)).paragraphs[0].text


def test_the_bulletin_shows_each_dispatchers_accuracy_and_the_extension_rate(client, scene):
    from inspections.models import Finding

    findings = Finding.objects.filter(campaign=scene.campaign).order_by("pk")
    assert findings.exists()
    Finding.objects.filter(pk=findings.first().pk).update(redispatch_count=1)
    bulletin = write(scene)
    dispatch = bulletin.figures["dispatch"]
    assert sum(row["redispatched"] for row in dispatch) == 1
    row = next(r for r in dispatch if r["redispatched"])
    assert row["rate"] == round((row["dispatched"] - 1) / row["dispatched"] * 100, 1)
    client.force_login(scene.admin)
    page = client.get(f"/reports/bulletins/{bulletin.pk}/").content.decode()
    assert "派遣与延期" in page and "准确派遣率" in page
    assert f'data-label="派遣单位">{row["unit"]}</td>' in page
    assert "“按期整改”以现行整改时限（含批准延期后的时限）判定" in page
    word = Document(io.BytesIO(documents.bulletin_docx(bulletin)))
    assert "六、派遣与延期" in [p.text for p in word.paragraphs]
    assert any(cell.text == row["unit"] for table in word.tables for r in table.rows for cell in r.cells)
