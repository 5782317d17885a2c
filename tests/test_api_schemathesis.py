"""The API fuzzed from its own OpenAPI schema by schemathesis: no 500, and every
answer the schema documents has the documented shape.

Schemathesis reads the schema the API publishes (/api/openapi.json) and makes requests
from it: every GET operation, and the POST operations of the protection API with
generated bodies. They are sent to the project's real WSGI application, as a
civil-affairs officer of the leak-walker's home county logged in the way a browser
is: the session cookie, and the CSRF cookie with its X-CSRFToken header on writes.
Path parameters named like the leak-walker's protection samples point about half the time at
the home county's case and referral (the rest are generated, and mostly missing).

A few generated requests per operation keep the module well under a minute.
"""

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shouwang.accounts.models import Role

pytestmark = pytest.mark.django_db

EXAMPLES = 3  # generated requests per operation
CSRF_TOKEN = "s" * 32
CHECKS = [not_a_server_error, response_schema_conformance]


class InTestTransaction:
    """Django's WSGI application inside the test's transaction.

    A real handler closes the database connection when a request starts and ends, and
    with it the transaction the test runs in; Django's own test client holds those
    signals back for the request, and so does this."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                content = b"".join(response)
            finally:
                response.close()  # sends request_finished, still held back
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [content]


def _wanted(operation) -> bool:
    method = operation.method.upper()
    return method == "GET" or (
        method == "POST" and operation.path.startswith("/api/protection/")
    )


def test_the_api_answers_every_generated_request_as_its_schema_says(world):
    officer = world.home.users[Role.CIVIL_AFFAIRS]
    browser = Client()
    browser.force_login(officer)
    published = browser.get("/api/openapi.json")
    assert published.status_code == 200
    schema = schemathesis.openapi.from_dict(published.json())
    app = InTestTransaction()
    cookies = {
        settings.SESSION_COOKIE_NAME: browser.cookies[
            settings.SESSION_COOKIE_NAME
        ].value,
        settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
    }
    headers = {"X-CSRFToken": CSRF_TOKEN}
    known = {
        "case_id": world.records["home_case"].pk,
        "referral_id": world.records["home_referral"].pk,
    }
    failures: list[str] = []
    operations = []
    statuses: set[int] = set()

    for result in schema.get_all_operations():
        operation = result.ok()
        if not _wanted(operation):
            continue
        operations.append(operation.label)
        named = {
            p.name: known[p.name] for p in operation.path_parameters if p.name in known
        }
        strategy = operation.as_strategy()
        if named:
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters=named))

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case) -> None:
            try:
                response = case.call(app=app, cookies=cookies, headers=headers)
                statuses.add(response.status_code)
                case.validate_response(response, checks=CHECKS)
            except Exception as error:  # a failed check, or the app raised
                failures.append(f"{case.operation.label}: {error}"[:2000])

        run()

    assert len(operations) > 30, operations
    assert "POST /api/protection/cases/{case_id}/referrals" in operations
    # The walk did more than bounce: some generated requests got through.
    assert statuses & {200, 201}, statuses
    assert not failures, "\n\n".join(failures)
