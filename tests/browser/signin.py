"""Signing in as the browser tests do it, straight to the page a test starts on."""

from urllib.parse import quote

from tests.factories import PASSWORD


def sign_in_to(page, username: str, target: str) -> None:
    """Sign in on the login page and land on `target` (the home page skipped)."""
    page.goto(f"/accounts/login/?next={quote(target)}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
