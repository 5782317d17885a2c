"""Fuzz every date and number parameter of every page and API operation: no 500.

A civil-affairs officer of the city that holds both counties of the leak-walker's world
(so that every app's sample records are theirs to open) sends hypothesis-made values —
dates at the ends of the calendar, impossible dates, huge and negative numbers, garbage
text — to:

- every GET query parameter a page reads (found in its view module and its app's
  forms), and every path parameter of every named URL (the leak-walker's samples give
  the other parameters of the path);
- every query and path parameter of every API operation, from the OpenAPI schema.

Each (URL, parameter) gets a handful of fixed nasty values and a few generated ones,
so the module runs in well under a minute. Every answer must be below 500.
"""

import inspect
import re
from collections.abc import Callable
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from shouwang.accounts.models import Role
from shouwang.api import api

from .factories import make_area, make_user
from .leakwalk import Route, foreign_kwargs, reverse_route, routes

pytestmark = pytest.mark.django_db

EXAMPLES = 2  # generated values per parameter, besides the fixed edge cases below
# (kept low: every page and parameter is walked on both databases in each run)

DATES = ["9999-12-31", "0000-01-01", "0001-01-01", "2026-02-30", "99999-01-01", ""]
NUMBERS = [
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "1" + "0" * 30,
    "-" + "9" * 30,
]
TEXTS = ["999999999999", "000000000000", "4305", "'\"<>&;", "\x00"]

dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"\A-?\d{1,6}-\d{1,2}-\d{1,2}\Z"),
    st.text(max_size=12),
)
numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=2**62, max_value=2**200).map(str),
    st.text(max_size=8),
)
texts = st.one_of(st.text(max_size=30), st.from_regex(r"\A\d{1,20}\Z"))
path_numbers = st.one_of(
    st.integers(min_value=0, max_value=2**70), st.sampled_from([2**63, 10**30])
).map(str)

# The GET parameters pages read, and what kind of value each takes.
PAGE_PARAMS: dict[str, str] = {
    "date": "date",
    "from": "date",
    "to": "date",
    "date_from": "date",
    "date_to": "date",
    "on": "date",
    "page": "number",
    "year": "number",
    "quarter": "number",
    "limit": "number",
    "offset": "number",
    "area": "text",
    "county": "text",
    "township": "text",
    "village": "text",
    "after": "text",
    "q": "text",
    "sort": "text",
    "dir": "text",
    "status": "text",
    "active": "text",
    "role": "text",
    "category": "text",
    "age_band": "text",
    "full_id": "text",
    "action": "text",
    "actor": "text",
}
KINDS = {
    "date": (dates, DATES),
    "number": (numbers, NUMBERS),
    "text": (texts, TEXTS),
}


def _kind_of(schema: dict) -> str:
    if schema.get("format") == "date":
        return "date"
    if schema.get("type") == "integer":
        return "number"
    for choice in schema.get("anyOf", []):
        kind = _kind_of(choice)
        if kind != "text":
            return kind
    return "text"


def _source(thing) -> str:
    try:
        return inspect.getsource(thing)
    except (OSError, TypeError):
        return ""


def _page_params(route: Route) -> list[str]:
    """The PAGE_PARAMS a page's view mentions, itself or in the project's functions and
    classes (forms, helpers) it names, one level down."""
    view = inspect.unwrap(route.pattern.callback)
    source = _source(view)
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", source))
    for name in names:
        thing = view.__globals__.get(name)
        module = getattr(thing, "__module__", "") or ""
        if module.startswith("shouwang.") and (
            inspect.isfunction(thing) or inspect.isclass(thing)
        ):
            source += _source(thing)
    return [
        name
        for name in PAGE_PARAMS
        if re.search(rf"[\"']{name}[\"']", source)
        or re.search(rf"^\s+{name}\s*=\s*forms\.", source, re.M)
    ]


def _template(route: Route) -> str:
    """The route as the OpenAPI schema writes it: /api/children/{child_id}."""
    text = route.prefix + str(route.pattern.pattern)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text).rstrip("$").lstrip("^")


class Probe:
    """Sends GETs as one user; keeps every answer of 500 or more."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.failures: list[str] = []
        self.sent = 0

    def get(self, url: str) -> None:
        self.sent += 1
        try:
            status = self.client.get(url).status_code
        except Exception as error:  # the test client re-raises a view's exception
            self.failures.append(f"{url} → {type(error).__name__}: {error}"[:300])
            return
        if status >= 500:
            self.failures.append(f"{url} → {status}")

    def fuzz(self, send: Callable[[str], str], kind: str) -> None:
        """Send the fixed values of kind, then EXAMPLES generated ones."""
        strategy, fixed = KINDS[kind]

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(value=strategy)
        def run(value: str) -> None:
            self.get(send(value))

        for value in fixed:
            run = example(value=value)(run)
        run()


@pytest.fixture
def probe(world) -> Probe:
    # A city officer: both counties of the world, so every sample record is theirs.
    city = make_area(world.home.county.code[:4] + "00000000")
    officer = make_user(Role.CIVIL_AFFAIRS, city, username="fuzz_city_civil")
    client = Client()
    client.force_login(officer)
    return Probe(client)


def _query(url: str, name: str, value: str) -> str:
    return f"{url}?{urlencode({name: value})}"


def test_page_query_parameters_never_answer_500(world, probe):
    samples = foreign_kwargs()
    for route in routes():
        if route.is_api:
            continue
        url = reverse_route(route, samples[route.name](world) if route.params else {})
        if probe.client.get(url).status_code == 405:
            continue  # a form's POST address: it reads no GET parameter
        for name in _page_params(route):
            probe.fuzz(
                lambda v, url=url, name=name: _query(url, name, v), PAGE_PARAMS[name]
            )
    assert probe.sent > 500
    assert not probe.failures, "\n".join(probe.failures)


def test_path_parameters_never_answer_500(world, probe):
    samples = foreign_kwargs()
    for route in routes():
        if not route.params or route.is_api:
            continue
        kwargs = samples[route.name](world)
        converters = route.pattern.pattern.converters
        for name in route.params:
            numeric = type(converters.get(name)).__name__ == "IntConverter"

            def send(
                value: str, name=name, numeric=numeric, route=route, kwargs=kwargs
            ) -> str:
                # Reverse with a placeholder of the right shape, then put the value in.
                url = reverse_route(route, {**kwargs, name: 7_777_777_777})
                if numeric and not value.isdigit():
                    value = "0"
                return url.replace("7777777777", quote(value, safe=""))

            probe.fuzz(send, "number" if numeric else "text")
    assert probe.sent > 250
    assert not probe.failures, "\n".join(probe.failures)


def test_api_parameters_never_answer_500(world, probe):
    samples = foreign_kwargs()
    by_template = {_template(r): r for r in routes() if r.is_api}
    schema = api.get_openapi_schema()
    operations = 0
    for path, methods in schema["paths"].items():
        if "get" not in methods:
            continue
        route = by_template[path]
        kwargs = samples[route.name](world) if route.params else {}
        operations += 1
        for parameter in methods["get"].get("parameters", []):
            name, kind = parameter["name"], _kind_of(parameter.get("schema", {}))
            if parameter["in"] == "query":
                url = reverse_route(route, kwargs)
                probe.fuzz(lambda v, url=url, name=name: _query(url, name, v), kind)
            elif parameter["in"] == "path":
                numeric = kind == "number"

                def send(
                    value: str, name=name, route=route, numeric=numeric, kwargs=kwargs
                ) -> str:
                    placeholder = 7_777_777_777 if numeric else "7777777777"
                    url = reverse_route(route, {**kwargs, name: placeholder})
                    return url.replace("7777777777", quote(value, safe=""))

                probe.fuzz(send, kind)
    assert operations > 20
    assert probe.sent > 300
    assert not probe.failures, "\n".join(probe.failures)


def test_the_as_of_page_refuses_a_date_past_today_in_chinese(world, probe):
    samples = foreign_kwargs()
    url = reverse_route(
        next(r for r in routes() if r.name == "registry:child-as-of"),
        samples["registry:child-as-of"](world),
    )
    response = probe.client.get(f"{url}?date=9999-12-31", follow=True)
    assert response.status_code == 200
    assert "日期“9999-12-31”晚于今天：请选择今天或以前的日期查看当天的记录。" in (
        response.content.decode()
    )
