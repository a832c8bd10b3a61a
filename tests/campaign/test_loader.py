"""load_framework: the shipped files load, loading twice changes nothing, bad files are refused whole."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campaign import loader
from campaign.models import CheckItem, Content, EventCategory, Framework, PointType, Standard

pytestmark = pytest.mark.django_db

MODELS = (Framework, Content, Standard, PointType, CheckItem, EventCategory)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_shipped_files_load_the_framework_point_types_and_categories():
    framework, report = loader.load_all()
    assert framework.edition == "2015"
    assert Standard.objects.get(code="Ⅲ-59-2").text == "依法规范管理，公共秩序良好，文明引导有力"
    assert Content.objects.get(code="Ⅲ-59").bureau_scope is True
    assert Content.objects.get(code="Ⅲ-1").bureau_scope is False
    lane = PointType.objects.get(name="背街小巷")
    assert lane.checks.filter(text="排水设施完善，无露天排水沟渠", content__code="Ⅲ-57").exists()
    minor = EventCategory.objects.get(name="暴露垃圾")
    assert minor.parent.name == "市容环境" and minor.time_limit_hours == 24
    assert EventCategory.objects.filter(parent__isnull=True).count() == 5
    assert report.total_created == sum(counts().values()) + report.created.get("item", 0) + report.created.get(
        "indicator", 0) + report.created.get("negative", 0)


def test_every_check_list_lands_on_a_point_type():
    loader.load_all()
    school = PointType.objects.get(name="学校周边环境(中学、小学、幼儿园)")
    check = school.checks.get(text__startswith="校园周边200米内")
    assert check.content is None and check.reference == "未成年人测评 5.4"


def test_loading_twice_changes_nothing():
    loader.load_all()
    before = counts()
    _, report = loader.load_all()
    assert report.total_created == 0
    assert counts() == before


def test_an_admins_edit_survives_a_reload():
    loader.load_all()
    Standard.objects.filter(code="Ⅲ-59-1").update(text="本局修订的标准文字")
    loader.load_all()
    assert Standard.objects.get(code="Ⅲ-59-1").text == "本局修订的标准文字"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_yaml_is_refused_with_line_and_nothing_is_loaded(tmp_path):
    bad = _write(tmp_path, "fw.yaml", "edition: '2015'\nitems: [\n  {code: x\n")
    with pytest.raises(loader.DataFileError) as err:
        loader.load_all(framework_file=bad)
    assert err.value.place.startswith("line ")
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_missing_field_is_refused_with_its_place(tmp_path):
    text = (
        "edition: '2015'\nname: 测试\nitems:\n"
        "  - {code: 'Ⅰ-1', name: 甲, indicators: [{code: 'Ⅱ-1', name: 乙, contents: [{code: 'Ⅲ-1'}]}]}\n"
    )
    bad = _write(tmp_path, "fw.yaml", text)
    with pytest.raises(loader.DataFileError) as err:
        loader.load_all(framework_file=bad)
    assert err.value.place == "items[0] (Ⅰ-1) → indicators[0] (Ⅱ-1) → contents[0] (Ⅲ-1)"
    assert err.value.reason == '"name" is missing'
    assert Framework.objects.count() == 0


def test_a_duplicate_code_is_refused(tmp_path):
    text = (
        "edition: '9'\nname: 测试\nitems:\n"
        "  - {code: 'Ⅰ-1', name: 甲, indicators: [{code: 'Ⅱ-1', name: 乙, contents: []}]}\n"
        "  - {code: 'Ⅰ-1', name: 丙, indicators: []}\n"
    )
    with pytest.raises(loader.DataFileError, match="appears twice"):
        loader.load_all(framework_file=_write(tmp_path, "fw.yaml", text))


def test_a_bad_categories_file_leaves_the_framework_unloaded_too(tmp_path):
    bad = _write(tmp_path, "cases.yaml", "event_categories: {市容环境: []}\n")
    with pytest.raises(loader.DataFileError) as err:
        loader.load_all(cases_file=bad)
    assert "市容环境" in err.value.place
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_check_list_naming_an_unknown_place_is_refused(tmp_path):
    text = "point_types: [背街小巷]\nchecklists:\n  - {points: [火星], content: 'Ⅲ-57', checks: [干净]}\n"
    with pytest.raises(loader.DataFileError, match="火星"):
        loader.load_all(points_file=_write(tmp_path, "points.yaml", text))


def test_the_command_reports_and_refuses_cleanly(tmp_path, capsys):
    call_command("load_framework")
    assert "created" in capsys.readouterr().out
    bad = _write(tmp_path, "fw.yaml", "- just a list\n")
    with pytest.raises(CommandError, match="Nothing was loaded.*top level"):
        call_command("load_framework", framework=bad)
