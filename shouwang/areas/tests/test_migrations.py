"""The nation's provinces, cities and counties ship with the product (migration 0002).

Plain django_db tests: transactional tests flush the tables the migration filled.
"""

import importlib
from collections import Counter

import pytest
from django.apps import apps

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.areas.services import areas_parse

pytestmark = pytest.mark.django_db

load_divisions = importlib.import_module(
    "shouwang.areas.migrations.0002_load_divisions"
)


def test_the_shipped_tree_has_every_province_city_and_county():
    counts = Counter(Area.objects.values_list("level", flat=True))
    assert counts["province"] == 31
    assert counts["city"] == 342
    assert counts["county"] == 2975


@pytest.mark.parametrize(
    ("code", "name", "parent", "parent_name"),
    [
        ("430524000000", "隆回县", "430500000000", "邵阳市"),
        ("430525000000", "洞口县", "430500000000", "邵阳市"),
        ("430500000000", "邵阳市", "430000000000", "湖南省"),
        ("441900000000", "东莞市", "440000000000", "广东省"),
        ("429004000000", "仙桃市", "429000000000", "省直辖县级行政区划"),
    ],
)
def test_known_areas_sit_under_their_parents(code, name, parent, parent_name):
    area = Area.objects.select_related("parent").get(code=code)
    assert area.name == name
    assert area.parent.code == parent
    assert area.parent.name == parent_name
    assert area.level == codes.level_of(code)


def test_provinces_have_no_parent():
    assert Area.objects.get(code="110000000000").parent_id is None
    assert not Area.objects.filter(level="province", parent__isnull=False).exists()


def test_every_shipped_parent_is_the_one_the_code_names():
    wrong = [
        code
        for code, parent in Area.objects.values_list("code", "parent_id")
        if parent != codes.expected_parent(code)
    ]
    assert wrong == []


def test_the_shipped_file_passes_the_loader_checks():
    report = areas_parse(load_divisions.DATA.read_text(encoding="utf-8"), stored={})
    assert report.messages == []
    assert len(report.rows) == 31 + 342 + 2975


def test_running_the_data_migration_again_adds_nothing():
    before = Area.objects.count()
    load_divisions.load(apps, None)
    assert Area.objects.count() == before
