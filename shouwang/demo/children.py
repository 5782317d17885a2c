"""Synthetic children for the demo city and the benchmarks: made by code, deterministic.

`synthetic_children(villages, count, seed=...)` yields unsaved Child records in the
proportions of a rural county's ledger: mostly left-behind children, some orphans, de
facto unsupported and disabled children, children of 低保/建档立卡 families, some without
ID numbers, some exited, some in no category (the exit-review worklist) and a few
likely-duplicate pairs without ID numbers (张晓明 / 张小明, same birth date and county).
Only the facts are drawn at random; every classification is computed by
registry.services.apply_classification, as the ledger does on every write.

Each child also carries its past (shouwang.demo.history): registered one to two
years back or in the trickle since, with the confirmations, parents' return and
exits of the last months as dated changes.

`children_bulk_load` saves them in batches with their history rows and registration
times, and `demo_children_load` puts 5,000 of them into the demo city once.
"""

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area, AreaLevel
from shouwang.core.idnumber import make_id_number
from shouwang.registry import services
from shouwang.registry.models import ChangeAction, Child, ChildChange, ChildStatus
from shouwang.registry.vocab import (
    DisabilityCategory,
    DisabilityGrade,
    ExitReason,
    GuardianRelation,
    Health,
    HukouNature,
    Schooling,
)
from shouwang.registry.vocab import ParentStatus as P

from . import history
from .city import CITY_CODE

DEMO_CHILDREN = 5000
DEMO_SEED = 2026
DEMO_NOTE = "演示数据：程序生成的虚构儿童"

# What kind of family a generated child comes from, and how often (per cent). The
# shares follow the shape of a county bulletin: left-behind children are the bulk,
# orphans and de facto unsupported children a few per cent.
PROFILES: tuple[tuple[str, float], ...] = (
    ("left_behind", 64.0),  # both parents 外出务工
    ("left_behind_one", 8.0),  # one 外出务工, the other without guardianship capacity
    ("orphan", 2.0),
    ("de_facto", 3.0),
    ("disabled", 4.0),
    ("ill", 1.5),
    ("poor_family", 8.0),  # 低保, 建档立卡, 特困供养, 防返贫监测对象
    ("no_category", 7.0),  # parents at home, one at home, or left-behind aged 16+
    ("exited", 2.5),
)
NO_ID_SHARE = 0.02  # 户口未登记: no ID number
DUPLICATE_PAIR_EVERY = 250  # one likely-duplicate pair per this many children

_NO_CAPACITY_OTHER = (
    (P.DEAD, 3),
    (P.SEVERE_DISABILITY, 2),
    (P.SERIOUS_ILLNESS, 2),
    (P.IMPRISONED, 1),
    (P.OUT_OF_CONTACT, 1),
    (P.ABANDONED, 1),
    (P.DRUG_REHAB, 0.5),
    (P.UNKNOWN, 0.3),
    (P.GUARDIANSHIP_REVOKED, 0.2),
)
_ORPHAN_PARENTS = (
    ((P.DEAD, P.DEAD), 6),
    ((P.DEAD, P.UNKNOWN), 2),
    ((P.UNKNOWN, P.DEAD), 1),
    ((P.UNKNOWN, P.UNKNOWN), 1),
)
_DE_FACTO_PARENTS = (  # with the bulletin's weakness type each gives
    ((P.IMPRISONED, P.OUT_OF_CONTACT), 3),  # ③-CB
    ((P.SEVERE_DISABILITY, P.SERIOUS_ILLNESS), 3),  # ①-A
    ((P.DEAD, P.SEVERE_DISABILITY), 3),  # ④-EA
    ((P.DEAD, P.IMPRISONED), 2),  # ④-EB
    ((P.SERIOUS_ILLNESS, P.IMPRISONED), 1),  # ②-AB
    ((P.SEVERE_DISABILITY, P.OUT_OF_CONTACT), 1),  # ②-AC
    ((P.DEAD, P.OUT_OF_CONTACT), 1),  # ④-EC
    ((P.IMPRISONED, P.DRUG_REHAB), 0.5),  # ①-B
    ((P.OUT_OF_CONTACT, P.GUARDIANSHIP_REVOKED), 0.5),  # ①-C
    ((P.MISSING, P.SEVERE_DISABILITY), 0.5),  # ④-EA
    ((P.UNKNOWN, P.SERIOUS_ILLNESS), 0.5),  # none (an unknown parent is group U)
)
_AT_HOME_OR_ONE_AWAY = (
    ((P.AT_HOME, P.AT_HOME), 4),
    ((P.MIGRANT, P.AT_HOME), 3),
    ((P.AT_HOME, P.MIGRANT), 1),
)
_POOR_PARENTS = (
    *_AT_HOME_OR_ONE_AWAY,
    ((P.SERIOUS_ILLNESS, P.AT_HOME), 1),
    ((P.AT_HOME, P.SEVERE_DISABILITY), 1),
)
_POOR_ASSISTANCE = (
    (("低保",), 4),
    (("建档立卡",), 3),
    (("低保", "建档立卡"), 2),
    (("防返贫监测对象",), 2),
    (("特困供养",), 0.5),
)
_WORK_PLACES = (
    ("广东省深圳市", 5),
    ("广东省东莞市", 5),
    ("广东省广州市", 4),
    ("广东省佛山市", 2),
    ("浙江省宁波市", 2),
    ("浙江省温州市", 1),
    ("福建省厦门市", 1),
    ("江苏省苏州市", 1),
    ("上海市", 1),
    ("湖南省长沙市", 3),
)
_MIGRANT_GUARDIANS = (
    (GuardianRelation.GRANDPARENT, 66),
    (GuardianRelation.MATERNAL_GRANDPARENT, 20),
    (GuardianRelation.OTHER_RELATIVE, 8),
    (GuardianRelation.SIBLING, 2),
    (GuardianRelation.FRIEND_OR_NEIGHBOUR, 2),
    ("", 2),  # no actual guardian recorded: 无人监护
)
_ORPHAN_GUARDIANS = (
    (GuardianRelation.GRANDPARENT, 55),
    (GuardianRelation.MATERNAL_GRANDPARENT, 15),
    (GuardianRelation.OTHER_RELATIVE, 15),
    (GuardianRelation.INSTITUTION, 15),
)
_MOBILE_PREFIXES = (
    *("130", "131", "132", "135", "136", "137", "138", "139", "150", "151"),
    *("152", "155", "157", "158", "159", "177", "180", "182", "186", "187"),
    *("188", "189", "199"),
)
_CAPACITY = (("较好", 56), ("一般", 40), ("差", 4))
_ETHNICITY = (("汉族", 93), ("瑶族", 5), ("苗族", 1), ("土家族", 1))
_DISABILITY = tuple((c, 1) for c in DisabilityCategory.values)
_GRADES = tuple((g, 1) for g in DisabilityGrade.values)
# Given names that sound the same (same pinyin) but are written differently: the
# kind of pair a duplicate check must find among records without ID numbers.
_HOMOPHONES = {
    "晓明": "小明",
    "子涵": "梓涵",
    "欣怡": "馨怡",
    "浩然": "皓然",
    "雨轩": "宇轩",
    "梓萱": "子萱",
    "俊杰": "骏杰",
    "思琪": "思琦",
    "佳怡": "嘉怡",
    "一诺": "依诺",
}
_EXIT_KINDS = (
    (ExitReason.PARENTS_RETURNED, 5),
    (ExitReason.MOVED_AWAY, 3),
    (ExitReason.AGED_16, 2),
)


def _pick(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_date(rng: random.Random, age: int, as_of: date) -> date:
    """A birth date at which the child is exactly `age` on as_of."""
    latest = _years_before(as_of, age)
    earliest = _years_before(as_of, age + 1) + timedelta(days=1)
    return date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))


class _Names:
    """Area names for addresses and schools, looked up once per village."""

    def __init__(self, villages: Sequence[Area]) -> None:
        codes_above = {
            c for v in villages for c in codes.ancestors(v.code) if len(c) == 12
        }
        self.names = dict(
            Area.objects.filter(code__in=codes_above).values_list("code", "name")
        )

    def township(self, village: Area) -> str:
        return self.names.get(codes.pad(village.code[:9]), "")

    def county(self, village: Area) -> str:
        return self.names.get(codes.pad(village.code[:6]), "")


def _schooling(
    rng: random.Random, age: int, village: Area, names: _Names
) -> tuple[str, str, bool | None]:
    township, county = names.township(village), names.county(village)
    if age < 3:
        return Schooling.NOT_IN_KINDERGARTEN, "", None
    if age < 6:
        if rng.random() < 0.15:
            return Schooling.NOT_IN_KINDERGARTEN, "", None
        return Schooling.KINDERGARTEN, f"{township}中心幼儿园", False
    if age < 12:
        school = (
            f"{township}中心小学"
            if rng.random() < 0.6
            else f"{township}{village.name}小学"
        )
        return Schooling.PRIMARY, school, rng.random() < 0.15
    if age < 15:
        return Schooling.JUNIOR, f"{township}中学", rng.random() < 0.55
    roll = rng.random()
    if roll < 0.55:
        return Schooling.SENIOR, f"{county}第一中学", rng.random() < 0.8
    if roll < 0.88:
        return Schooling.VOCATIONAL, f"{county}职业中专学校", rng.random() < 0.7
    if roll < 0.97:
        return Schooling.NOT_IN_SCHOOL, "", None
    return Schooling.DROPPED_OUT, "", None


class _Generator:
    def __init__(
        self,
        villages: Sequence[Area],
        *,
        seed: int,
        as_of: date,
        directors: Mapping[str, int],
        taken_ids: set[str],
    ) -> None:
        self.villages = villages
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.as_of = as_of
        self.settings = services.CountySettings()
        self.directors = directors
        self.taken = taken_ids
        self.sequences: dict[tuple[str, date, bool], int] = {}
        self.names = _Names(villages)

    # People.
    def _id_number(self, county6: str, born: date, male: bool) -> str:
        key = (county6, born, male)
        sequence = self.sequences.get(key)
        if sequence is None:
            sequence = self.rng.randrange(1, 450)
        for _ in range(500):
            number = make_id_number(county6, born, sequence, male=male)
            sequence += 1
            if number not in self.taken:
                self.taken.add(number)
                self.sequences[key] = sequence
                return number
        raise ValueError(f"{county6} 在 {born} 出生的同性别身份号码顺序码已用完")

    def _adult_id(self, county6: str, child_born: date, gap: int, male: bool) -> str:
        born = _birth_date(self.rng, gap, child_born)
        return make_id_number(county6, born, self.rng.randrange(1, 500), male=male)

    def _phone(self) -> str:
        return f"{self.rng.choice(_MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"

    def _address(self, village: Area) -> str:
        return (
            f"{self.names.county(village)}{self.names.township(village)}"
            f"{village.name}{self.rng.randint(1, 12)}组{self.rng.randint(1, 60)}号"
        )

    # One child.
    def facts(self, profile: str) -> dict[str, Any]:
        rng, fake, as_of = self.rng, self.fake, self.as_of
        village = rng.choice(self.villages)
        county6 = village.code[:6]
        age_range = (0, 17)
        assistance: tuple[str, ...] = ()
        health, disability_category, disability_grade = Health.HEALTHY, "", ""
        serious_illness = False
        status, exit_reason = ChildStatus.ACTIVE, ""
        if profile == "left_behind":
            father, mother = P.MIGRANT, P.MIGRANT
            age_range = (0, 15)
        elif profile == "left_behind_one":
            other = _pick(rng, _NO_CAPACITY_OTHER)
            father, mother = (
                (P.MIGRANT, other) if rng.random() < 0.7 else (other, P.MIGRANT)
            )
            age_range = (0, 15)
        elif profile == "orphan":
            father, mother = _pick(rng, _ORPHAN_PARENTS)
        elif profile == "de_facto":
            father, mother = _pick(rng, _DE_FACTO_PARENTS)
            if rng.random() < 0.5:
                father, mother = mother, father
        elif profile in ("disabled", "ill"):
            father, mother = _pick(rng, _AT_HOME_OR_ONE_AWAY)
            if profile == "disabled":
                health = Health.DISABLED
                disability_category = _pick(rng, _DISABILITY)
                disability_grade = _pick(rng, _GRADES)
            else:
                health, serious_illness = Health.ILL, True
        elif profile == "poor_family":
            father, mother = _pick(rng, _POOR_PARENTS)
            assistance = _pick(rng, _POOR_ASSISTANCE)
        elif profile == "no_category":
            roll = rng.random()
            if roll < 0.45:
                father, mother = P.AT_HOME, P.AT_HOME
            elif roll < 0.7:
                father, mother = P.MIGRANT, P.AT_HOME
            else:  # aged out of the left-behind category, still on the roster
                father, mother = P.MIGRANT, P.MIGRANT
                age_range = (16, 17)
        elif profile == "exited":
            status, exit_reason = ChildStatus.EXITED, _pick(rng, _EXIT_KINDS)
            if exit_reason == ExitReason.PARENTS_RETURNED:
                father, mother = P.AT_HOME, P.AT_HOME
            else:
                father, mother = P.MIGRANT, P.MIGRANT
            if exit_reason == ExitReason.AGED_16:
                age_range = (16, 17)
        else:
            raise ValueError(f"unknown profile {profile!r}")

        migrant_family = profile in ("left_behind", "left_behind_one")
        if migrant_family:
            if rng.random() < 0.12:
                assistance = _pick(rng, _POOR_ASSISTANCE)
            if rng.random() < 0.01:
                health = Health.DISABLED
                disability_category = _pick(rng, _DISABILITY)
                disability_grade = _pick(rng, _GRADES)

        age = rng.randint(*age_range)
        born = _birth_date(rng, age, as_of)
        male = rng.random() < 0.53
        father_surname = fake.last_name()
        mother_surname = fake.last_name()
        surname = father_surname if rng.random() < 0.92 else mother_surname
        given = fake.first_name_male() if male else fake.first_name_female()
        hukou_registered = rng.random() >= NO_ID_SHARE
        schooling, school, boarding = _schooling(rng, age, village, self.names)

        def parent(who: str, status_: str, male_: bool, surname_: str) -> dict:
            alive = status_ not in (P.DEAD, P.UNKNOWN, P.MISSING)
            reachable = alive and status_ not in (P.OUT_OF_CONTACT, P.ABANDONED)
            name = (
                ""
                if status_ == P.UNKNOWN
                else surname_
                + (fake.first_name_male() if male_ else fake.first_name_female())
            )
            return {
                f"{who}_name": name,
                f"{who}_id_number": (
                    self._adult_id(county6, born, rng.randint(22, 40), male_)
                    if name and rng.random() < 0.9
                    else ""
                ),
                f"{who}_status": status_,
                f"{who}_work_place": _pick(rng, _WORK_PLACES)
                if status_ == P.MIGRANT
                else "",
                f"{who}_phone": self._phone() if reachable else "",
            }

        facts: dict[str, Any] = {
            "name": surname + given,
            "_surname": surname,  # for a duplicate's name; not a Child field
            "sex": "男" if male else "女",
            "ethnicity": _pick(rng, _ETHNICITY),
            "birth_date": born,
            "id_number": self._id_number(county6, born, male)
            if hukou_registered
            else None,
            "hukou_registered": hukou_registered,
            "hukou_nature": HukouNature.RURAL
            if rng.random() < 0.97
            else HukouNature.URBAN,
            "village_id": village.code,
            "address": self._address(village),
            "health": health,
            "disability_category": disability_category,
            "disability_grade": disability_grade,
            "serious_illness": serious_illness,
            "schooling": schooling,
            "school": school,
            "boarding": boarding,
            **parent("father", father, True, father_surname),
            **parent("mother", mother, False, mother_surname),
            "family_assistance": sorted(assistance),
            "responsible_director_id": self.directors.get(village.code),
            "status": status,
            "exit_reason": exit_reason,
        }
        facts.update(
            self._guardian(profile, facts, father_surname, mother_surname, village)
        )
        if status == ChildStatus.EXITED:
            if exit_reason == ExitReason.AGED_16:
                facts["exit_date"] = _years_before(born, -16)
            else:
                facts["exit_date"] = as_of - timedelta(days=rng.randint(7, 330))
        facts["_story"] = history.story_for(
            rng,
            facts,
            as_of=as_of,
            away=self._away,
            returned_home=profile == "no_category"
            and P.AT_HOME in (father, mother)
            and rng.random() < history.RETURNED_HOME_SHARE,
        )
        return facts

    def _away(self, facts: dict[str, Any], registered: date) -> dict[str, Any]:
        """The record's values while the parents at home now were away working: a
        grandparent cared for the child under a confirmation signed on registration
        (mostly)."""
        rng, fake = self.rng, self.fake
        values: dict[str, Any] = {}
        for who in ("father", "mother"):
            if facts[f"{who}_status"] == P.AT_HOME:
                values[f"{who}_status"] = P.MIGRANT
                values[f"{who}_work_place"] = _pick(rng, _WORK_PLACES)
        female = rng.random() < 0.6
        surname = (facts["father_name"][:1] if not female else "") or fake.last_name()
        signed = rng.random() < 0.85
        values.update(
            guardian_name=surname
            + (fake.first_name_female() if female else fake.first_name_male()),
            guardian_relation=GuardianRelation.GRANDPARENT,
            guardian_id_number=self._adult_id(
                facts["village_id"][:6],
                facts["birth_date"],
                rng.randint(45, 70),
                not female,
            ),
            guardian_phone=self._phone(),
            confirmation_signed=signed,
            confirmation_date=registered if signed else None,
        )
        return values

    def _guardian(
        self,
        profile: str,
        facts: dict[str, Any],
        father_surname: str,
        mother_surname: str,
        village: Area,
    ) -> dict[str, Any]:
        rng, fake = self.rng, self.fake
        at_home = [
            (who, relation)
            for who, relation in (
                ("father", GuardianRelation.FATHER),
                ("mother", GuardianRelation.MOTHER),
            )
            if facts[f"{who}_status"] == P.AT_HOME
        ]
        capacity = _pick(rng, _CAPACITY)
        signed = False
        if at_home:
            who, relation = rng.choice(at_home)
            name, phone = facts[f"{who}_name"], facts[f"{who}_phone"]
            id_number = facts[f"{who}_id_number"]
            capacity = "较好" if capacity == "差" and rng.random() < 0.5 else capacity
        else:
            table = _ORPHAN_GUARDIANS if profile == "orphan" else _MIGRANT_GUARDIANS
            relation = _pick(rng, table)
            if relation == GuardianRelation.SIBLING and facts["birth_date"] > (
                _years_before(self.as_of, 8)
            ):
                relation = GuardianRelation.GRANDPARENT
            name, phone, id_number = "", "", ""
            if relation == GuardianRelation.INSTITUTION:
                name = f"{self.names.county(village)}儿童福利院"
                phone = f"0739-{rng.randint(2000000, 8999999)}"
                capacity = "较好"
            elif relation:
                female = rng.random() < 0.6  # grandmothers do most of the caring
                paternal = {
                    GuardianRelation.GRANDPARENT: father_surname,
                    GuardianRelation.MATERNAL_GRANDPARENT: mother_surname,
                    GuardianRelation.SIBLING: father_surname,
                }.get(relation)
                surname = (
                    paternal
                    if paternal and (not female or relation == GuardianRelation.SIBLING)
                    else fake.last_name()
                )
                name = surname + (
                    fake.first_name_female() if female else fake.first_name_male()
                )
                phone = self._phone()
                older_by = {
                    GuardianRelation.GRANDPARENT: (45, 70),
                    GuardianRelation.MATERNAL_GRANDPARENT: (45, 70),
                    GuardianRelation.SIBLING: (10, 16),
                }.get(relation, (20, 50))
                id_number = self._adult_id(
                    facts["village_id"][:6],
                    facts["birth_date"],
                    rng.randint(*older_by),
                    not female,
                )
            signed = rng.random() < 0.85
        signed_on = (
            self.as_of - timedelta(days=rng.randint(3, 360))
            if signed and name
            else None
        )
        lives_alone = (
            not at_home
            and rng.random() < 0.01
            and facts["birth_date"] <= _years_before(self.as_of, 12)
        )
        return {
            "guardian_name": name,
            "guardian_relation": relation if name else "",
            "guardian_id_number": id_number,
            "guardian_phone": phone,
            "guardian_capacity": capacity,
            "confirmation_signed": signed_on is not None,
            "confirmation_date": signed_on,
            "lives_alone": lives_alone,
        }

    def child(self, facts: dict[str, Any]) -> Child:
        child = Child(**{k: v for k, v in facts.items() if not k.startswith("_")})
        child.name_pinyin, child.name_initials = services.name_keys(child.name)
        story: history.Story = facts["_story"]
        child._demo_story = story  # read by children_bulk_load
        # Due at once from registration until the first visit (policy.next_visit_due).
        child.created_at = min(story.registered, timezone.now())
        services.apply_classification(
            child, as_of=self.as_of, settings=self.settings(child.village_id)
        )
        child.version = 1 + len(story.events)
        return child

    def duplicate_pair(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """One child captured twice without ID numbers (户口未登记): the second record
        writes the given name with other characters of the same sound and may sit in
        another village of the same county; birth date and parents are the same."""
        first = self.facts(_pick(self.rng, (("left_behind", 4), ("poor_family", 1))))
        given, variant = self.rng.choice(sorted(_HOMOPHONES.items()))
        surname = first["_surname"]
        first.update(name=surname + given, id_number=None, hukou_registered=False)
        county = [v for v in self.villages if v.code[:6] == first["village_id"][:6]]
        village = self.rng.choice(county)
        second = {
            **first,
            "name": surname + variant,
            "village_id": village.code,
            "address": self._address(village),
            "responsible_director_id": self.directors.get(village.code),
        }
        return first, second


def synthetic_children(
    villages: Sequence[Area],
    count: int,
    *,
    seed: int = DEMO_SEED,
    as_of: date | None = None,
    directors: Mapping[str, int] | None = None,
    taken_ids: Iterable[str] = (),
    duplicate_pairs: int | None = None,
    profiles: Sequence[tuple[str, float]] = PROFILES,
) -> Iterator[Child]:
    """Yield `count` unsaved, classified children spread over the villages; the same
    arguments give the same children. ID numbers avoid `taken_ids` and each other.
    `profiles` draws the kinds of children (PROFILES' names, with their shares)."""
    if not villages:
        raise ValueError("没有可用的村（社区）")
    generator = _Generator(
        villages,
        seed=seed,
        as_of=as_of or timezone.localdate(),
        directors=directors or {},
        taken_ids=set(taken_ids),
    )
    pairs = (
        count // DUPLICATE_PAIR_EVERY if duplicate_pairs is None else duplicate_pairs
    )
    pairs = min(pairs, count // 2)
    every = count // pairs if pairs else 0
    made = 0
    while made < count:
        if every and made % every == 0 and made // every < pairs and made + 2 <= count:
            for facts in generator.duplicate_pair():
                yield generator.child(facts)
            made += 2
            continue
        yield generator.child(generator.facts(_pick(generator.rng, profiles)))
        made += 1


def children_bulk_load(
    children: Iterable[Child], *, note: str = DEMO_NOTE, batch_size: int = 1000
) -> int:
    """Insert the children, their history rows and registration times in batches
    through the registry's bulk path (the caller holds the transaction); returns how
    many children were inserted. A child made elsewhere than synthetic_children
    counts as registered now."""
    total = 0
    batch: list[Child] = []
    settings = services.CountySettings()
    now = timezone.now()

    def flush() -> None:
        stories = [
            getattr(child, "_demo_story", None) or history.default_story(child, now)
            for child in batch
        ]
        for child, story in zip(batch, stories, strict=True):
            child.created_at = min(story.registered, now)  # the ledger's past

        def story_rows(saved: Sequence[Child]) -> list[ChildChange]:
            rows = [
                row
                for child, story in zip(saved, stories, strict=True)
                for row in history.history_rows(
                    child, story, note=note, settings=settings, now=now
                )
            ]
            # Oldest versions first: the history lists the newest id on top.
            rows.sort(key=lambda row: row.version)
            return rows

        services.children_bulk_add(
            batch,
            actor=None,
            action=ChangeAction.CREATE,
            note=note,
            history=story_rows,
            keep_created_at=True,
        )

    for child in children:
        batch.append(child)
        if len(batch) >= batch_size:
            flush()
            total += len(batch)
            batch = []
    if batch:
        flush()
        total += len(batch)
    return total


def demo_villages() -> list[Area]:
    """The villages of the demo city, in code order."""
    low, high = codes.prefix_bounds(codes.prefix_of(CITY_CODE))
    return list(
        Area.objects.filter(
            level=AreaLevel.VILLAGE, code__gte=low, code__lte=high
        ).order_by("code")
    )


def village_directors(villages: Sequence[Area]) -> dict[str, int]:
    """For each village with an active director, that director's id (the first by id)."""
    directors: dict[str, int] = {}
    for area_id, pk in (
        User.objects.filter(
            role=Role.DIRECTOR, is_active=True, area__in=[v.code for v in villages]
        )
        .order_by("id")
        .values_list("area_id", "id")
    ):
        directors.setdefault(area_id, pk)
    return directors


def demo_children_count() -> int:
    """How many demo children exist (registered by demo_load, any status)."""
    low, high = codes.prefix_bounds(codes.prefix_of(CITY_CODE))
    return (
        ChildChange.objects.filter(
            action=ChangeAction.CREATE,
            note=DEMO_NOTE,
            child__village_id__gte=low,
            child__village_id__lte=high,
        )
        .values("child_id")
        .distinct()
        .count()
    )


@transaction.atomic
def demo_children_load(
    *, count: int = DEMO_CHILDREN, seed: int = DEMO_SEED, as_of: date | None = None
) -> int:
    """Put `count` synthetic children into the demo villages once; returns how many were
    added (0 when the demo villages already hold demo children)."""
    if demo_children_count():
        return 0
    villages = demo_villages()
    taken = Child.objects.filter(id_number__startswith=CITY_CODE[:4]).values_list(
        "id_number", flat=True
    )
    return children_bulk_load(
        synthetic_children(
            villages,
            count,
            seed=seed,
            as_of=as_of,
            directors=village_directors(villages),
            taken_ids=taken,
        )
    )
