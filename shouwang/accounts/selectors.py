"""Reads of accounts, always cut to the viewer's jurisdiction."""

from django.db.models import Count, Q, QuerySet

from shouwang.areas import codes
from shouwang.audit.refusals import not_found

from . import access
from .models import Role, User


def user_list_for(
    *,
    viewer: User,
    role: str = "",
    area_code: str = "",
    search: str = "",
    active: str = "",
) -> QuerySet[User]:
    """Users inside the viewer's jurisdiction (managers only), filtered."""
    if not access.has_perm(viewer, access.Perm.MANAGE_USERS):
        return User.objects.none()
    users = access.scope(viewer, User.objects.select_related("area"), "area_id")
    if viewer.role != Role.ADMIN:
        users = users.exclude(role=Role.ADMIN)
    if role:
        users = users.filter(role=role)
    if area_code and codes.is_code(area_code):
        # A foreign key supports gte/lte but not range.
        low, high = codes.prefix_bounds(codes.prefix_of(area_code))
        users = users.filter(area_id__gte=low, area_id__lte=high)
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(full_name__icontains=search)
            | Q(phone=search)
        )
    if active in {"1", "0"}:
        users = users.filter(is_active=active == "1")
    return users


def user_get_for(*, viewer: User, pk: int) -> User:
    """One user the viewer may manage; 404 for missing and not-yours alike."""
    try:
        return user_list_for(viewer=viewer).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer, model=User, pk=pk, message="账号不存在或不在您的管辖范围内。"
        ) from None


def user_counts_by_role_for(*, viewer: User) -> dict[str, int]:
    """Active users per role inside the viewer's jurisdiction (for the home page)."""
    rows = (
        access.scope(viewer, User.objects.filter(is_active=True), "area_id")
        .values("role")
        .annotate(n=Count("pk"))
    )
    counts = {row["role"]: row["n"] for row in rows}
    return {
        role.label: counts.get(role.value, 0) for role in Role if role != Role.ADMIN
    }
