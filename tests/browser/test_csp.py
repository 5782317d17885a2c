"""Under the Content-Security-Policy, pages, charts and htmx work and nothing is blocked."""

from playwright.sync_api import expect

from shouwang.accounts.models import Role


def _csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def test_charts_htmx_and_page_scripts_work_under_the_csp(
    page, browser_world, login, static_watch
):
    violations = _csp_violations(page)
    login(page, browser_world.users[Role.CIVIL_AFFAIRS].username)
    # The accounts page's chart is drawn by a static script from json_script data.
    page.goto("/accounts/users/")
    expect(page.locator("#users-chart svg path").first).to_be_attached()
    # The overdue-rate chart too.
    page.goto("/visits/overdue/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # htmx: the audit filter replaces the results without reloading the page.
    page.goto("/audit/")
    page.evaluate("window.swMarker = 1")
    page.locator("select[name=action]").select_option(index=1)
    page.wait_for_url("**/audit/?*")
    assert page.evaluate("window.swMarker") == 1
    # page.js: the lockout page's confirmation comes from a data attribute.
    page.goto("/accounts/lockouts/")
    expect(page.get_by_test_id("no-lockouts")).to_be_visible()
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert icon.endswith("/static/web/favicon.svg")
    assert page.request.get(icon).status == 200
    assert violations == []
    assert static_watch.errors == []
    assert static_watch.failures == []
