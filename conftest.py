"""Shared fixtures: fast password hashing, the two-jurisdiction world, users by role."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in accounts); tests hash cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def world(db):
    """Two sibling counties, every role in each; see tests/leakwalk.py."""
    from tests.leakwalk import build_world

    return build_world()
