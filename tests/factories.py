"""Factories shared by the test suite: areas under real counties, users of every role."""

import factory

from shouwang.accounts.models import Role, Unit, User
from shouwang.areas import codes
from shouwang.areas.models import Area

PASSWORD = "Test-Passw0rd-2026"
HOME_COUNTY = "430524000000"  # 隆回县 (shipped with the product)
FOREIGN_COUNTY = "430525000000"  # 洞口县


def make_area(code: str, name: str | None = None) -> Area:
    """The area with this code, created under its (existing or created) parent."""
    area = Area.objects.filter(code=code).first()
    if area:
        return area
    parent_code = codes.expected_parent(code)
    parent = make_area(parent_code) if parent_code else None
    level = codes.level_of(code)
    return Area.objects.create(
        code=code,
        name=name or f"测试{codes.LEVEL_LABELS[level]}{code[-3:]}",
        level=level,
        parent=parent,
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.DIRECTOR
    area = None
    unit = ""
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.is_staff = obj.is_superuser = obj.role == Role.ADMIN
            obj.save()


# The level of area each role is normally given.
ROLE_LEVEL = {
    Role.CIVIL_AFFAIRS: codes.Level.COUNTY,
    Role.SUPERVISOR: codes.Level.TOWNSHIP,
    Role.DIRECTOR: codes.Level.VILLAGE,
    Role.DEPARTMENT: codes.Level.COUNTY,
    Role.LEADER: codes.Level.COUNTY,
}


def make_user(role: str, area: Area | None, **fields) -> User:
    """A user of role at area (department staff get the education unit unless told)."""
    if role == Role.DEPARTMENT:
        fields.setdefault("unit", Unit.EDUCATION)
    return UserFactory(role=role, area=area, **fields)
