"""Production static storage (campaign/staticstorage.py): each address is worked out from the manifest once."""

import json
from unittest import mock

import pytest
from django.contrib.staticfiles.storage import ManifestFilesMixin

from campaign.staticstorage import StaticStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"version": "1.1", "paths": {"css/app.css": "css/app.0123456789ab.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticStorage(location=str(tmp_path), base_url="/static/")


def test_a_static_address_is_the_hashed_one_and_is_worked_out_once(storage):
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    with mock.patch.object(ManifestFilesMixin, "stored_name", side_effect=AssertionError("asked again")):
        assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"


def test_a_file_missing_from_the_manifest_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
