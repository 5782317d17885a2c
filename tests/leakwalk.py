"""The leak-walker: every URL pattern and API operation, as anonymous and as every role.

It builds a world of two sibling counties — home and foreign — with every role in each,
lets every app add its own records (an app's `tests/leak_samples.py` may define
`seed(world)` and `FOREIGN_KWARGS = {url_name: lambda world: {...}}`), then asserts:

- anonymous: every page redirects to login (the API answers 401), except views marked
  `login_not_required`;
- each home role: a URL that names a foreign record answers 403/404 (to GET and POST),
  and a page without parameters never shows a marker of the foreign county;
- nobody ever gets a 500.

New URLs are walked because they exist; one with parameters and no sample fails the
walk with a message saying where to add it.
"""

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shouwang.accounts.models import Role, User
from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.audit.models import AuditAction
from shouwang.audit.services import audit_record

from .factories import FOREIGN_COUNTY, HOME_COUNTY, ROLE_LEVEL, make_area, make_user

CASE_ROLES = (
    Role.CIVIL_AFFAIRS,
    Role.SUPERVISOR,
    Role.DIRECTOR,
    Role.DEPARTMENT,
    Role.LEADER,
)
SKIPPED_NAMESPACES = {"admin"}  # Django admin: staff only, checked in test_leakwalk


@dataclass
class Side:
    county: Area
    township: Area
    village: Area
    users: dict[str, User]

    def area_for(self, level: str) -> Area:
        return {
            "county": self.county,
            "township": self.township,
            "village": self.village,
        }[level]


@dataclass
class World:
    home: Side
    foreign: Side
    markers: set[str] = field(default_factory=set)
    records: dict[str, object] = field(default_factory=dict)  # apps' own samples

    def mark(self, *texts: str) -> None:
        """Strings that must never appear on a home user's page."""
        self.markers.update(t for t in texts if t)


def _side(county_code: str, label: str, foreign: bool) -> Side:
    # make_area, not get: transactional tests flush the areas the migration loaded.
    county = make_area(county_code)
    township = make_area(county_code[:6] + "901000", f"{label}镇")
    village = make_area(county_code[:6] + "901001", f"{label}村")
    side = Side(county, township, village, {})
    for role in CASE_ROLES:
        name = f"leak_{'foreign' if foreign else 'home'}_{role}"
        side.users[role] = make_user(
            role,
            side.area_for(ROLE_LEVEL[role]),
            username=name,
            full_name=f"{label}{Role(role).label}",
        )
    return side


def _leak_sample_modules() -> Iterator:
    for config in apps.get_app_configs():
        if not config.name.startswith("shouwang."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.tests.leak_samples")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.tests.leak_samples" and not (
                error.name or ""
            ).endswith(".tests"):
                raise


def build_world() -> World:
    """Home and foreign jurisdictions with every role, plus what each app seeds."""
    home = _side(HOME_COUNTY, "家园测试", foreign=False)
    foreign = _side(FOREIGN_COUNTY, "泄露标记", foreign=True)
    world = World(home, foreign)
    world.mark(foreign.township.name, foreign.village.name)
    for user in foreign.users.values():
        world.mark(user.username, user.full_name)
        audit_record(actor=user, action=AuditAction.LOGIN, obj=user, area=user.area)
    for module in _leak_sample_modules():
        if hasattr(module, "seed"):
            module.seed(world)
    return world


def foreign_kwargs() -> dict[str, Callable[[World], dict]]:
    """url name → the kwargs that point at a foreign record, from every app."""
    samples: dict[str, Callable[[World], dict]] = {}
    for module in _leak_sample_modules():
        samples.update(getattr(module, "FOREIGN_KWARGS", {}))
    return samples


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    prefix: str  # the route text before the pattern, for messages
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def login_required(self) -> bool:
        return getattr(self.pattern.callback, "login_required", True)


def routes() -> list[Route]:
    """Every named URL pattern of the project outside the skipped namespaces."""
    found: list[Route] = []

    def walk(patterns, namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                name = (
                    f"{namespace}{entry.name}"
                    if entry.name
                    else f"{prefix}{entry.pattern}"
                )
                params = tuple(entry.pattern.regex.groupindex)
                found.append(Route(name, entry, prefix, params))

    walk(get_resolver().url_patterns, "", "/")
    return found


def reverse_route(route: Route, kwargs: dict) -> str:
    from django.urls import reverse

    return reverse(route.name, kwargs=kwargs or None)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def jurisdiction_code(user: User) -> str:
    return codes.prefix_of(user.area_id) if user.area_id else ""
