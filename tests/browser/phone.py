"""What the phone-width browser tests share: the screen and the collapsed menu."""

import re

from playwright.sync_api import expect

PHONE = {"width": 360, "height": 740}


def open_menu(page) -> None:
    """Open the collapsed menu and wait until it has finished sliding open: a link
    clicked while the menu still slides may be clipped, and the click then misses."""
    page.get_by_role("button", name="展开菜单").click()
    menu = page.locator("#sw-nav")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    expect(menu).not_to_have_class(re.compile(r"\bcollapsing\b"))
