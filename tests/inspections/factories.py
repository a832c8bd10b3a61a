"""Photos, categories and findings for the inspection tests, built through the real services."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from inspections import services
from inspections.models import Finding
from tests.factories import category


def photo(name: str = "photo.jpg", *, gps: tuple[float, float] | None = None,
          color=(180, 60, 40)) -> SimpleUploadedFile:
    """A small JPEG, optionally with EXIF GPS as a phone camera writes it."""
    image = Image.new("RGB", (64, 48), color)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = "2026:11:20 09:30:00"
    if gps is not None:
        lat, lon = gps
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
            ExifTags.GPS.GPSLatitude: _dms(abs(lat)),
            ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
            ExifTags.GPS.GPSLongitude: _dms(abs(lon)),
        }
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _dms(value: float):
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    seconds = round((minutes_full - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def not_a_photo(name: str = "notes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="image/jpeg")


def street_category(minor: str = "店外经营", hours: int = 24):
    return category("街面秩序", minor, hours)


def log_finding(*, by, site=None, latitude=None, longitude=None, minor: str = "店外经营", hours: int = 24,
                **extra) -> Finding:
    """A finding logged through ``services.finding_create`` with one photo."""
    if site is None and latitude is None:
        latitude, longitude = Decimal("30.265000"), Decimal("120.150000")
    extra.setdefault("description", "商户占道摆放货架")
    extra.setdefault("photos", [photo()])
    return services.finding_create(by=by, category=street_category(minor, hours), site=site, latitude=latitude,
                                   longitude=longitude, **extra)


def rectify(finding: Finding, by) -> Finding:
    services.finding_rectify(finding=finding, by=by, note="已清理", photos=[photo("after.jpg", color=(40, 160, 60))])
    finding.refresh_from_db()
    return finding


def close(finding: Finding, by) -> Finding:
    services.finding_close(finding=finding, by=by, note="整改到位")
    finding.refresh_from_db()
    return finding


def closed_finding(*, by, squad_leader, closed_days_ago: float = 0, **kw) -> Finding:
    """A finding through the whole loop, its close moved ``closed_days_ago`` into the past."""
    finding = close(rectify(log_finding(by=by, **kw), squad_leader), by)
    if closed_days_ago:
        when = timezone.now() - datetime.timedelta(days=closed_days_ago)
        Finding.objects.filter(pk=finding.pk).update(closed_at=when)
        finding.refresh_from_db()
    return finding


def shift(finding: Finding, **delta) -> Finding:
    """Move a finding's clock into the past, keeping its period intact (red / yellow lights in tests)."""
    by = datetime.timedelta(**delta)
    fields = ("reported_at", "dispatched_at", "clock_start", "yellow_at", "deadline")
    Finding.objects.filter(pk=finding.pk).update(**{f: getattr(finding, f) - by for f in fields})
    finding.refresh_from_db()
    return finding


def overdue(finding: Finding) -> Finding:
    return shift(finding, seconds=(finding.deadline - finding.clock_start).total_seconds() + 60)


def due_soon(finding: Finding) -> Finding:
    return shift(finding, seconds=(finding.deadline - finding.clock_start).total_seconds() * 0.9)
