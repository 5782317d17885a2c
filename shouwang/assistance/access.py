"""Who sets allowance standards: civil-affairs staff of a province, city or county,
for their own area and the areas inside it."""

from shouwang.accounts import access
from shouwang.accounts.models import Role
from shouwang.areas import codes

from .policy import STANDARD_LEVELS


def may_set_standards(user) -> bool:
    """Whether the user is civil-affairs staff at a level that sets standards."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        user.role == Role.CIVIL_AFFAIRS
        and bool(user.area_id)
        and codes.level_of(user.area_id) in STANDARD_LEVELS
    )


def may_set_standard_for(user, area_code: str) -> bool:
    """may_set_standards, for an area inside the user's jurisdiction."""
    return may_set_standards(user) and access.in_jurisdiction(user, area_code)


def may_read_standards(user) -> bool:
    """Civil-affairs staff and leaders read the standards in force in their area (the
    amounts name nobody); setting them is may_set_standards."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in (Role.CIVIL_AFFAIRS, Role.LEADER) and bool(user.area_id)
