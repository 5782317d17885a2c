"""The demo children: realistic proportions, valid records, classified by the policy,
loaded once, and visible to the demo director on the ledger page."""

import re
from collections import Counter

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.core.idnumber import parse_id_number
from shouwang.demo import children as demo
from shouwang.demo import city
from shouwang.registry import policy, services
from shouwang.registry.models import ChangeAction, Child, ChildChange, ChildStatus
from shouwang.registry.rules import check_child
from shouwang.registry.selectors import duplicate_candidates
from shouwang.registry.vocab import WeaknessType

pytestmark = pytest.mark.django_db

CATEGORY_FLAGS = ("is_orphan", "is_de_facto_unsupported", "is_left_behind")
DIFFICULTY_FLAGS = ("difficulty_living", "difficulty_self", "difficulty_guardianship")
NO_CATEGORY = Q(
    is_orphan=False,
    is_de_facto_unsupported=False,
    is_left_behind=False,
    is_in_difficulty=False,
)


@pytest.fixture
def loaded():
    city.demo_city_load()
    added = demo.demo_children_load()
    return added


def test_the_same_seed_gives_the_same_children():
    city.demo_city_load()
    villages = demo.demo_villages()
    as_of = timezone.localdate()

    def run(seed: int) -> list[tuple]:
        return [
            (c.name, c.id_number, c.village_id, c.birth_date, c.guardian_name)
            for c in demo.synthetic_children(villages, 300, seed=seed, as_of=as_of)
        ]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_generated_id_numbers_avoid_the_ones_already_taken():
    city.demo_city_load()
    villages = demo.demo_villages()
    first = {c.id_number for c in demo.synthetic_children(villages, 500, seed=1)}
    again = [
        c.id_number
        for c in demo.synthetic_children(villages, 500, seed=1, taken_ids=first)
    ]
    numbered = [n for n in again if n]
    assert numbered and not set(numbered) & first
    assert len(set(numbered)) == len(numbered)


def _the_demo_holds_5000_children_mostly_left_behind(loaded):
    assert loaded == demo.DEMO_CHILDREN == Child.objects.count()
    active = Child.objects.filter(status=ChildStatus.ACTIVE)
    left_behind = active.filter(is_left_behind=True).count()
    assert left_behind / active.count() > 0.6
    for flag in (*CATEGORY_FLAGS, "is_in_difficulty", *DIFFICULTY_FLAGS):
        assert active.filter(**{flag: True}).exists(), flag
    assert active.filter(is_orphan=True).count() < active.count() * 0.05
    # Children in no category wait on the exit-review worklist.
    assert active.filter(NO_CATEGORY).count() >= 100
    assert set(active.values_list("risk_level", flat=True)) == {"高", "中", "低", ""}
    # The bulletin's nine guardianship-weakness types all occur.
    assert set(active.values_list("weakness_type", flat=True)) - {""} == set(
        WeaknessType.values
    )
    exited = Counter(
        Child.objects.filter(status=ChildStatus.EXITED).values_list(
            "exit_reason", flat=True
        )
    )
    assert set(exited) == {"父母返乡/监护恢复", "迁出本辖区", "年满16周岁"}
    without_number = Child.objects.filter(id_number__isnull=True)
    assert 50 <= without_number.count() <= 300
    assert not without_number.filter(hukou_registered=True).exists()
    # Both counties and every demo village hold children.
    assert Child.objects.values("village_id").distinct().count() == 2 * 6 * 8
    guardians = Counter(
        active.filter(is_left_behind=True).values_list("guardian_relation", flat=True)
    )
    grandparents = guardians["祖父母"] + guardians["外祖父母"]
    assert grandparents / sum(guardians.values()) > 0.7


def _every_record_is_valid_and_classified_by_the_policy(loaded):
    today = timezone.localdate()
    versions: dict[int, list[ChildChange]] = {}
    for row in ChildChange.objects.filter(note=demo.DEMO_NOTE).order_by("version"):
        versions.setdefault(row.child_id, []).append(row)
    numbers = []
    for child in Child.objects.all():
        values = {f.attname: getattr(child, f.attname) for f in Child._meta.fields}
        assert check_child(values, today=today) == {}, (child.name, values)
        if child.id_number:
            parsed = parse_id_number(child.id_number, today=today)
            assert child.id_number[:6] == child.village_id[:6]
            assert (parsed.birth_date, parsed.sex) == (child.birth_date, child.sex)
            numbers.append(child.id_number)
        result = policy.classify(
            services.facts_of(child), today, services.policy_settings()
        )
        assert child.categories == list(result.categories)
        assert child.difficulty_kinds == list(result.difficulty_kinds)
        assert (child.weakness_type, child.risk_level) == (
            result.weakness_type,
            result.risk_level,
        )
        assert child.visit_interval_days == result.visit_interval_days
        assert child.classification_reasons == list(result.reasons)
        assert (child.name_pinyin, child.name_initials) == services.name_keys(
            child.name
        )
        age = policy.age_on(child.birth_date, today)
        if age < 3:
            assert child.schooling == "未入园"
        elif 6 <= age < 12:
            assert child.schooling == "小学" and child.school.endswith("小学")
        elif 12 <= age < 15:
            assert child.schooling == "初中" and child.school.endswith("中学")
        rows = versions[child.pk]
        assert [row.version for row in rows] == list(range(1, child.version + 1))
        assert rows[0].action == ChangeAction.CREATE
        assert rows[0].snapshot["status"] == ChildStatus.ACTIVE
        assert rows[-1].snapshot == services.snapshot(child)
        if child.status == ChildStatus.EXITED:
            assert rows[-1].action == ChangeAction.EXIT
            assert rows[-1].changes["status"] == ["active", "exited"]
        else:
            assert ChangeAction.EXIT not in {row.action for row in rows}
    assert len(numbers) == len(set(numbers))
    assert ChildChange.objects.count() == sum(map(len, versions.values()))


def _likely_duplicates_without_id_numbers_are_found(loaded):
    viewer = User.objects.get(username="demo_minzheng")  # the whole demo city
    pairs = 0
    for given, variant in demo._HOMOPHONES.items():
        for child in Child.objects.filter(name__endswith=given, id_number=None):
            others = duplicate_candidates(viewer=viewer, child=child)
            twins = [o for o in others if o.name == child.name[: -len(given)] + variant]
            if twins:
                pairs += 1
                assert twins[0].village_id[:6] == child.village_id[:6]
                assert twins[0].birth_date == child.birth_date
    assert pairs == demo.DEMO_CHILDREN // demo.DUPLICATE_PAIR_EVERY


def _a_second_load_adds_nothing(loaded):
    before = Child.objects.count(), ChildChange.objects.count()
    assert demo.demo_children_load() == 0
    city.demo_city_load()
    assert demo.demo_children_load() == 0
    assert (Child.objects.count(), ChildChange.objects.count()) == before
    assert demo.demo_children_count() == demo.DEMO_CHILDREN


def _the_demo_director_sees_the_children_of_their_village(loaded):
    director = User.objects.get(username="demo_zhuren")
    own = Child.objects.filter(village_id=director.area_id)
    assert own.exists()
    assert not own.exclude(responsible_director=director).exists()
    assert (
        not Child.objects.exclude(village_id=director.area_id)
        .filter(responsible_director=director)
        .exists()
    )
    client = Client()
    client.force_login(director)
    response = client.get("/children/")
    assert response.status_code == 200
    page = response.content.decode()
    active = own.filter(status=ChildStatus.ACTIVE)
    assert f"共 {active.count()} 名儿童" in page
    shown = {int(pk) for pk in re.findall(r'href="/children/(\d+)/"', page)}
    assert shown and shown <= set(active.values_list("pk", flat=True))
    elsewhere = Child.objects.exclude(village_id=director.area_id).first()
    assert client.get(f"/children/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/children/{min(shown)}/").status_code == 200


def test_the_loaded_demo(loaded):
    """Every check of the 5,000 demo children on one load (loading is the slow part)."""
    _the_demo_holds_5000_children_mostly_left_behind(loaded)
    _every_record_is_valid_and_classified_by_the_policy(loaded)
    _likely_duplicates_without_id_numbers_are_found(loaded)
    _a_second_load_adds_nothing(loaded)
    _the_demo_director_sees_the_children_of_their_village(loaded)
