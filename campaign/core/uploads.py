"""Evidence files and photos: validated by content, re-encoded, stored under random names, served privately.

Task evidence (tasks app) and finding photos (inspections app) both go through
this module, so there is one set of rules for what an upload may be:

* the type is read from the bytes, never from the name or the browser's claim;
* images (JPEG, PNG, WebP) are decoded with a pixel limit (a decompression bomb
  is refused before it is expanded), re-encoded, and stripped of all metadata;
  the capture time and GPS position are read first and kept as fields;
* documents (PDF, Word / Excel / PowerPoint, new and old formats) are kept as
  sent; Office zip containers are checked for macro projects and zip bombs;
* files are stored under a random name and served only by views that have
  already checked the user may see the owning object (:func:`serve_private_file`).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
OOXML_KINDS = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A zip that expands past this is a bomb, whatever its compressed size.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


@dataclass
class CleanedUpload:
    """An upload that passed validation, ready to store."""

    content: bytes
    extension: str
    content_type: str
    original_name: str
    is_image: bool
    width: int | None = None
    height: int | None = None
    captured_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def clean_upload(upload, *, images_only: bool = False) -> CleanedUpload:
    """Validate an uploaded file by its content; raise ValidationError with a readable message."""
    name = os.path.basename(getattr(upload, "name", "") or "upload").replace("\x00", "")
    original_name = get_valid_filename(name)[:150] or "upload"
    max_bytes = settings.UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(_too_large(name, max_bytes), code="too_large")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_too_large(name, max_bytes), code="too_large")
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")

    image = _image_format(data)
    if image:
        return _clean_image(data, image, original_name)
    if images_only:
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name}, code="not_image"
        )
    document = _document_kind(data, name)
    if document is None:
        raise ValidationError(
            _("“%(name)s” is not an allowed file type. Send a JPEG, PNG or WebP photo, a PDF, "
              "or a Word, Excel or PowerPoint document.") % {"name": name},
            code="bad_type",
        )
    extension, content_type = document
    stem = os.path.splitext(original_name)[0] or "document"
    return CleanedUpload(
        content=data, extension=extension, content_type=content_type,
        original_name=f"{stem}.{extension}", is_image=False,
    )


def _too_large(name: str, max_bytes: int) -> str:
    return _("“%(name)s” is larger than %(mb)s MB.") % {"name": name, "mb": round(max_bytes / 1024 / 1024, 1)}


def _image_format(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _document_kind(data: bytes, name: str) -> tuple[str, str] | None:
    if data.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if data.startswith(OLE2_MAGIC):
        # Legacy .doc / .xls / .ppt: the container does not say which, the name does.
        ext = os.path.splitext(name)[1].lower().lstrip(".")
        legacy = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
                  "ppt": "application/vnd.ms-powerpoint"}
        return (ext, legacy[ext]) if ext in legacy else None
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    return None


def _ooxml_kind(data: bytes) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        return None
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        return None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return None  # macro-enabled documents are not evidence
    for prefix, kind in OOXML_KINDS.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def _clean_image(data: bytes, fmt: str, original_name: str) -> CleanedUpload:
    bad = ValidationError(_("“%(name)s” is not a readable picture.") % {"name": original_name}, code="bad_image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if probe.format != fmt:
                raise bad
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” is %(w)s × %(h)s pixels; pictures may have at most %(max)s million pixels.")
                    % {"name": original_name, "w": width, "h": height,
                       "max": settings.UPLOAD_MAX_PIXELS // 1_000_000},
                    code="too_many_pixels",
                )
            exif = probe.getexif()
            captured_at = _exif_datetime(exif)
            latitude, longitude = _exif_gps(exif)
            probe.load()
            picture = ImageOps.exif_transpose(probe)
            content = _reencode(picture, fmt)
            width, height = picture.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            EOFError) as exc:
        raise bad from exc
    extension, content_type = IMAGE_FORMATS[fmt]
    stem = os.path.splitext(original_name)[0] or "photo"
    return CleanedUpload(
        content=content, extension=extension, content_type=content_type,
        original_name=f"{stem}.{extension}", is_image=True, width=width, height=height,
        captured_at=captured_at, latitude=latitude, longitude=longitude,
    )


def _reencode(picture: Image.Image, fmt: str) -> bytes:
    """Write fresh pixels only: no EXIF, ICC, XMP or trailing bytes survive."""
    out = io.BytesIO()
    if fmt == "JPEG":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        if picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            picture = picture.convert("RGBA")
        picture.save(out, "PNG", optimize=True)
    else:
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA")
        picture.save(out, "WEBP", quality=85)
    return out.getvalue()


def _exif_datetime(exif) -> datetime.datetime | None:
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not raw:
        return None
    try:
        naive = datetime.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    # Cameras record local time without a zone; the campaign's city is the best guess.
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _exif_gps(exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = _dms_to_degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lon = _dms_to_degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def _dms_to_degrees(dms, ref) -> float:
    degrees, minutes, seconds = (float(v) for v in dms)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(ref).strip("\x00 ").upper() in ("S", "W") else value


def private_upload_to(instance, filename: str) -> str:
    """A random name: nothing about the file or its owner can be guessed from the path."""
    ext = os.path.splitext(filename)[1].lower()
    today = timezone.localdate()
    return f"private/{instance._meta.app_label}/{today:%Y/%m}/{uuid.uuid4().hex}{ext}"


class PrivateFile(models.Model):
    """Abstract base of every stored upload. Concrete models add the object the file belongs to."""

    file = models.FileField(gettext_lazy("file"), upload_to=private_upload_to, max_length=255)
    original_name = models.CharField(gettext_lazy("file name"), max_length=160)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField(gettext_lazy("size"))
    sha256 = models.CharField(max_length=64)
    is_image = models.BooleanField(default=False)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    captured_at = models.DateTimeField(gettext_lazy("captured at"), null=True, blank=True)
    latitude = models.DecimalField(gettext_lazy("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(gettext_lazy("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def build_private_file(model: type[PrivateFile], cleaned: CleanedUpload, *, by, **owner) -> PrivateFile:
    """Save ``cleaned`` under a random name as a new ``model`` row; call inside the owner's transaction."""
    row = model(
        original_name=cleaned.original_name, content_type=cleaned.content_type, size=cleaned.size,
        sha256=cleaned.sha256, is_image=cleaned.is_image, width=cleaned.width, height=cleaned.height,
        captured_at=cleaned.captured_at, latitude=cleaned.latitude, longitude=cleaned.longitude,
        uploaded_by=by, **owner,
    )
    row.file.save(f"upload.{cleaned.extension}", ContentFile(cleaned.content), save=False)
    row.save()
    return row


def serve_private_file(stored: PrivateFile, *, download: bool = False) -> FileResponse:
    """Stream a stored file. The caller has already checked the user may see its owner."""
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=download or not stored.is_image,
        filename=stored.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
