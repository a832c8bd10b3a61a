"""Bad input and abuse through the real pages and API: uploads, markup in text, formula injection, CSRF.

Every refusal must change nothing (no update, no file); every text that came
from a person is shown escaped on pages and arrives in PDF, DOCX and XLSX as
the same plain text, never as markup or a formula.

Run alone: ``pytest tests/security/test_bad_input.py``.
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from accounts.models import Unit, User
from tasks.models import Attachment, Task, TaskUpdate
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)><b>加粗</b>'
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-3+cmd|' /C calc'!A0", "@SUM(A1:A2)"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- helpers ----------------------------------------------------------------

def jpeg(name="photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_bomb(name="bomb.png", side=60_000) -> SimpleUploadedFile:
    """A tiny PNG that claims to be side × side pixels: decoding it would need gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" + b"\x00" * (side * 3), 9)  # one row; the rest would follow
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, data, content_type="image/png")


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


def bad_uploads(settings):
    settings.UPLOAD_MAX_BYTES = 200_000
    big = io.BytesIO()
    noise = random.Random(6).randbytes(400 * 400 * 3)
    Image.frombytes("RGB", (400, 400), noise).save(big, "PNG")  # ~480 KB: noise does not compress
    return {
        "oversized": SimpleUploadedFile("big.png", big.getvalue(), content_type="image/png"),
        "text as jpg": SimpleUploadedFile("notes.jpg", b"just some text, not a picture", content_type="image/jpeg"),
        "html as png": SimpleUploadedFile("page.png", b"<html><script>alert(1)</script></html>",
                                          content_type="image/png"),
        "svg with script": SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml"),
        "svg named jpg": SimpleUploadedFile("logo.jpg", SVG, content_type="image/jpeg"),
        "decompression bomb": png_bomb(),
        "truncated jpeg": SimpleUploadedFile("cut.jpg", jpeg().read()[:200], content_type="image/jpeg"),
        "empty": SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"),
    }


@pytest.fixture
def scene(district):
    squad = Unit.objects.get(code="squad1")
    leader = User.objects.get(username="squad1")
    admin = User.objects.get(username="admin")
    from campaign.selectors import current_campaign

    task = make_task(campaign=current_campaign(), unit=squad, responsible=leader, by=admin)
    return {"squad": squad, "leader": leader, "admin": admin, "task": task,
            "inspector": User.objects.get(username="inspector1")}


def _version(task) -> int:
    task.refresh_from_db()
    return task.version


def _counts():
    return TaskUpdate.objects.count(), Attachment.objects.count()


# --- uploads ----------------------------------------------------------------

def test_bad_files_on_the_task_page_are_refused_and_change_nothing(client, scene, settings):
    client.force_login(scene["leader"])
    task = scene["task"]
    for label, upload in bad_uploads(settings).items():
        before = _counts()
        task.refresh_from_db()
        response = client.post(f"/tasks/{task.pk}/update/", {
            "status": "in_progress", "progress": 30, "note": "附照片", "version": task.version, "files": [upload]})
        assert response.status_code in (200, 400), label
        assert _counts() == before, f"{label} changed something"


def test_bad_files_through_the_api_are_refused_with_400_and_change_nothing(client, scene, settings):
    client.force_login(scene["leader"])
    task = scene["task"]
    for label, upload in bad_uploads(settings).items():
        before = _counts()
        response = client.post(f"/api/v1/tasks/{task.pk}/updates/",
                               {"status": "in_progress", "note": "附照片", "files": [upload],
                                "version": _version(task)})
        assert response.status_code == 400, f"{label}: {response.status_code}"
        assert _counts() == before, f"{label} changed something"


def test_bad_photos_for_a_finding_are_refused_and_no_finding_is_made(client, scene, settings):
    from inspections.models import Finding
    from tests.inspections.factories import street_category

    client.force_login(scene["inspector"])
    minor = street_category()
    for label, upload in bad_uploads(settings).items():
        response = client.post("/api/v1/findings/", {
            "category": minor.pk, "description": "占道", "latitude": "30.265000", "longitude": "120.150000",
            "photos": [upload]})
        assert response.status_code == 400, f"{label}: {response.status_code}"
    assert not Finding.objects.exists()


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "..\\..\\windows\\win.ini.jpg", "a\\b.png", "x\x00.jpg",
                                  "<script>alert(1)</script>.jpg", "/absolute/path.jpg"])
def test_path_like_file_names_are_stored_inside_media_under_a_safe_name(client, scene, settings, name):
    client.force_login(scene["leader"])
    task = scene["task"]
    response = client.post(f"/api/v1/tasks/{task.pk}/updates/",
                           {"status": "in_progress", "note": "证据", "files": [jpeg(name)], "version": _version(task)})
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.latest("pk")
    stored = attachment.file.name
    assert ".." not in stored and "\\" not in stored and "\x00" not in stored and not stored.startswith("/")
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    shown = attachment.original_name
    assert not re.search(r"[\\/\x00<>]", shown) and ".." not in shown
    download = client.get(f"/tasks/files/{attachment.pk}/?download=1")
    assert download.status_code == 200
    disposition = download.get("Content-Disposition", "")
    assert "/" not in disposition.split("filename", 1)[-1] and "\\" not in disposition


def test_an_uploaded_picture_is_served_as_a_picture_never_as_html(client, scene):
    client.force_login(scene["leader"])
    task = scene["task"]
    client.post(f"/api/v1/tasks/{task.pk}/updates/", {"status": "in_progress", "note": "证据",
                                                      "files": [jpeg("page.html")], "version": _version(task)})
    attachment = Attachment.objects.latest("pk")
    response = client.get(f"/tasks/files/{attachment.pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- markup in every text field ---------------------------------------------

@pytest.fixture
def marked_up(scene, settings):
    """A task, a finding and an agenda item whose every text field holds HTML and script."""
    from inspections import services as inspection_services
    from reports.models import AgendaItem, Meeting
    from tasks import services as task_services
    from tests.inspections.factories import photo, street_category

    task = make_task(campaign=scene["task"].campaign, unit=scene["squad"], responsible=scene["leader"],
                     by=scene["admin"], content=XSS, criteria=XSS)
    task_services.task_update_status(task=task, by=scene["leader"], status="blocked", progress=10, note=XSS,
                                     expected_version=task.version)
    finding = inspection_services.finding_create(
        by=scene["inspector"], category=street_category(), description=XSS, address=XSS, photos=[photo()],
        latitude="30.265000", longitude="120.150000", responsible_unit=scene["squad"])
    meeting = _meeting(task.campaign_id)
    assert isinstance(meeting, Meeting)
    AgendaItem.objects.filter(meeting=meeting).update(title=XSS, note=XSS)
    Unit.objects.filter(pk=scene["squad"].pk).update(name=XSS)
    return {"task": task, "finding": finding, "meeting": meeting}


def _meeting(campaign_id):
    """This month's proposed meeting, through the real service (the agenda it proposes has items)."""
    from django.utils import timezone

    from reports.services import propose_meeting

    result = propose_meeting(campaign_id=campaign_id, month=timezone.localdate().replace(day=1))
    return result[0] if isinstance(result, tuple) else result


def _assert_escaped(body: str, where: str):
    assert "<script>" not in body, f"raw <script> on {where}"
    assert "<img src=x onerror" not in body, f"raw <img onerror> on {where}"
    assert "&lt;script&gt;" in body, f"the text itself is missing on {where}"


def test_markup_in_task_finding_and_agenda_text_is_escaped_on_every_page(client, scene, marked_up):
    task, finding, meeting = marked_up["task"], marked_up["finding"], marked_up["meeting"]
    pages = {
        scene["admin"]: ["/tasks/", f"/tasks/{task.pk}/", f"/tasks/{task.pk}/edit/", "/inspections/findings/",
                         f"/inspections/findings/{finding.pk}/", f"/reports/meetings/{meeting.pk}/",
                         f"/reports/meetings/{meeting.pk}/edit/", "/setup/units/"],
        scene["leader"]: ["/tasks/", f"/tasks/{task.pk}/", "/inspections/findings/ours/",
                          f"/inspections/findings/{finding.pk}/", "/"],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_escaped(response.content.decode(), url)


def test_markup_comes_back_from_the_api_as_the_same_plain_text(client, scene, marked_up):
    client.force_login(scene["admin"])
    task = client.get(f"/api/v1/tasks/{marked_up['task'].pk}/").json()
    assert task["content"] == XSS and task["criteria"] == XSS
    finding = client.get(f"/api/v1/findings/{marked_up['finding'].pk}/").json()
    assert finding["description"] == XSS


def _xlsx_values(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)]


def test_exports_hold_markup_as_the_same_plain_text(client, scene, marked_up):
    client.force_login(scene["admin"])
    tasks_xlsx = _xlsx_values(client.get("/tasks/export.xlsx").content)
    assert XSS in tasks_xlsx
    findings_xlsx = _xlsx_values(client.get("/inspections/findings/export.xlsx").content)
    assert XSS in findings_xlsx


def test_agenda_docx_holds_markup_as_the_same_plain_text(scene, marked_up):
    from docx import Document

    from reports.packs import agenda_docx

    document = Document(io.BytesIO(agenda_docx(marked_up["meeting"])))
    texts = [p.text for p in document.paragraphs]
    assert any(XSS in text for text in texts)
    xml = zipfile.ZipFile(io.BytesIO(agenda_docx(marked_up["meeting"]))).read("word/document.xml").decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_bulletin_pdf_and_page_show_a_marked_up_unit_name_as_text(client, scene, marked_up):
    from pypdf import PdfReader

    from reports import services as report_services

    bulletin, _ = report_services.write_bulletin(campaign_id=marked_up["task"].campaign_id,
                                                 **dict(zip(("iso_year", "iso_week"),
                                                            report_services.previous_iso_week(), strict=True)))
    client.force_login(scene["admin"])
    _assert_escaped(client.get(f"/reports/bulletins/{bulletin.pk}/").content.decode(), "bulletin page")
    pdf = client.get(f"/reports/bulletins/{bulletin.pk}/pdf/")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "<script>" in text.replace(" ", "").replace("\n", ""), "the unit name should be printed as text"
    from docx import Document

    docx = client.get(f"/reports/bulletins/{bulletin.pk}/docx/")
    texts = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    texts += "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert XSS in texts


# --- spreadsheet formula injection ------------------------------------------

def _assert_no_formula(values, where):
    for value in values:
        assert not str(value).startswith(FORMULA_START), f"{where}: {value!r} would run as a formula"


def test_tasks_and_findings_exports_neutralise_formulas(client, scene):
    from inspections import services as inspection_services
    from tests.inspections.factories import photo, street_category

    for formula in FORMULAS:
        make_task(campaign=scene["task"].campaign, unit=scene["squad"], responsible=scene["leader"],
                  by=scene["admin"], content=formula, criteria=formula)
        inspection_services.finding_create(
            by=scene["inspector"], category=street_category(), description=formula, address=formula,
            photos=[photo()], latitude="30.265000", longitude="120.150000", responsible_unit=scene["squad"])
    client.force_login(scene["admin"])
    for url in ("/tasks/export.xlsx", "/inspections/findings/export.xlsx"):
        content = client.get(url).content
        values = _xlsx_values(content)
        _assert_no_formula(values, url)
        for formula in FORMULAS:
            assert "'" + formula in values, f"{url}: {formula!r} is missing or changed beyond the quote"
        book = load_workbook(io.BytesIO(content))
        assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows()
                       for cell in row), url


def test_meeting_pack_unit_tables_neutralise_formulas(scene):
    from reports.packs import unit_tables_xlsx

    Unit.objects.filter(pk=scene["squad"].pk).update(name=FORMULAS[0], short_name=FORMULAS[1])
    meeting = _meeting(scene["task"].campaign_id)
    meeting.figures = {"period": {"start": "-1", "end": "@x"},
                       "units": [{"unit": FORMULAS[0], "unit_id": scene["squad"].pk, "score": 1, "rank": 1}]}
    values = _xlsx_values(unit_tables_xlsx(meeting, []))
    _assert_no_formula(values, "meeting pack unit tables")


# --- CSRF on every form -----------------------------------------------------

def _form_posts(body: str):
    return re.findall(r"<form\b[^>]*method=[\"']?post[\"']?[^>]*>(.*?)</form>", body, flags=re.S | re.I)


def test_every_post_form_on_every_page_carries_a_csrf_token(client, scene, marked_up):
    from tests.security.test_permission_matrix import MATRIX, url_routes

    task, finding, meeting = marked_up["task"], marked_up["finding"], marked_up["meeting"]
    ids = {"task": task.pk, "finding": finding.pk, "meeting": meeting.pk, "attachment": None, "photo": None}
    checked = 0
    for person in (scene["admin"], scene["leader"], scene["inspector"], User.objects.get(username="leader")):
        client.force_login(person)
        for name, params in url_routes().items():
            row = MATRIX.get(name)
            if row is None or name.count(":") == 0 and name not in ("dashboard", "password_change"):
                continue
            if params and (row.kind not in ids or ids.get(row.kind) is None or params - {"pk"}):
                continue
            from django.urls import reverse

            response = client.get(reverse(name, kwargs={"pk": ids[row.kind]} if params else None))
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for form in _form_posts(response.content.decode()):
                checked += 1
                assert 'name="csrfmiddlewaretoken"' in form, f"{name}: a POST form without a CSRF token"
    assert checked > 20


def test_forms_posted_without_a_csrf_token_are_refused(scene):
    from django.urls import reverse

    from tests.security.test_permission_matrix import MATRIX, url_routes

    task = scene["task"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(scene["admin"])
    refused = 0
    for name, params in url_routes().items():
        row = MATRIX[name]
        if params - {"pk"} or (params and row.kind != "task") or name.startswith(("api", "schema")):
            continue
        url = reverse(name, kwargs={"pk": task.pk} if params else None)
        response = browser.post(url, {"note": "x"})
        assert response.status_code in (403, 405), f"{name} {url} accepted a POST without a CSRF token"
        refused += response.status_code == 403
    assert refused > 20


def test_the_same_form_with_its_token_is_accepted(scene):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(scene["leader"])
    task = scene["task"]
    page = browser.get(f"/tasks/{task.pk}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"status": "in_progress", "progress": 20, "note": "推进中", "version": task.version}
    assert browser.post(f"/tasks/{task.pk}/update/", data).status_code == 403
    accepted = browser.post(f"/tasks/{task.pk}/update/", {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS


def test_the_api_with_a_session_needs_the_csrf_token_but_a_token_client_does_not(scene):
    from rest_framework.authtoken.models import Token

    task = scene["task"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(scene["leader"])
    assert browser.post(f"/api/v1/tasks/{task.pk}/updates/",
                        {"status": "in_progress", "version": _version(task)}).status_code == 403
    token = Token.objects.create(user=scene["leader"])
    machine = Client(enforce_csrf_checks=True)
    response = machine.post(f"/api/v1/tasks/{task.pk}/updates/",
                            {"status": "in_progress", "note": "接口", "version": _version(task)},
                            HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201


def test_sign_in_without_a_csrf_token_is_refused(scene):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "squad1", "password": "campaign100"})
    assert response.status_code == 403
