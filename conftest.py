"""Shared fixtures: fast password hashing, the two-jurisdiction world, users by role."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in accounts); tests hash cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _today_is_today(request):
    """A module that says `TODAY = timezone.localdate()` and `TODAY_IS_LIVE = True` gets
    today afresh before each of its tests (and the dates its FROM_TODAY(today) names):
    a run that crosses midnight (Asia/Shanghai) compares the code's today with the
    test's own, not with the day the module was collected."""
    module = request.module
    if getattr(module, "TODAY_IS_LIVE", False):
        from django.utils import timezone

        module.TODAY = timezone.localdate()
        # Dates the module derives from today, named by a function of it.
        derived = getattr(module, "FROM_TODAY", None)
        for name, value in (derived(module.TODAY) if derived else {}).items():
            setattr(module, name, value)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    # The same task code a db_worker runs in production runs inline in tests.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture(autouse=True)
def _attachments_in_tmp(settings, tmp_path):
    # Visit photos, scanned confirmations, bulletins never land in the developer's var/.
    settings.VISIT_UPLOAD_DIR = tmp_path / "attachments"
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.EXCHANGE_UPLOAD_DIR = tmp_path / "exchange"


@pytest.fixture
def world(db):
    """Two sibling counties, every role in each; see tests/leakwalk.py."""
    from tests.leakwalk import build_world

    return build_world()
