"""Build shouwang/locale/zh_Hans/LC_MESSAGES/django.po and djangojs.po: Django's own
Chinese messages that address the user as “你” (the admin, sign-in and password
forms), re-worded with “您” as the product does everywhere. settings.LOCALE_PATHS puts
this catalog above Django's. Needs gettext (msggrep, msgfmt). Run after upgrading
Django, and commit the .po and .mo files:

    .venv/bin/python scripts/build_formal_address_catalog.py
"""

import subprocess
from pathlib import Path

import django

DJANGO = Path(django.__file__).resolve().parent
OUT = Path(__file__).resolve().parent.parent / "shouwang/locale/zh_Hans/LC_MESSAGES"
HEADER = """# 守望: Django's zh_Hans messages that say “你”, re-worded with “您”.
# Built by scripts/build_formal_address_catalog.py from Django's own catalogs; edit
# that script, not this file.
msgid ""
msgstr ""
"Project-Id-Version: shouwang\\n"
"Language: zh_Hans\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def informal_entries(domain: str) -> str:
    """The entries of every Django zh_Hans catalog of the domain whose translation
    holds “你”, without their headers."""
    entries = []
    for po in sorted(DJANGO.glob(f"**/locale/zh_Hans/LC_MESSAGES/{domain}.po")):
        found = subprocess.run(
            ["msggrep", "--msgstr", "-e", "你", "--no-wrap", str(po)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        # Drop the catalog's header entry (msgid "") and keep the rest.
        blocks = [b for b in found.split("\n\n") if b.strip()]
        entries += [b for b in blocks if 'msgid ""\nmsgstr ""' not in b]
    return "\n\n".join(entries)


def formal(block: str) -> str:
    """The entry with “你” in its translation lines made “您” (msgids are English)."""
    lines = []
    for line in block.splitlines():
        if line.startswith(("msgstr", '"')) and not line.startswith("#"):
            line = line.replace("你们", "您").replace("你", "您")
        lines.append(line)
    return "\n".join(lines)


def build() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for domain in ("django", "djangojs"):
        body = "\n\n".join(formal(b) for b in informal_entries(domain).split("\n\n"))
        po = OUT / f"{domain}.po"
        po.write_text(HEADER + "\n" + body.strip() + "\n", encoding="utf-8")
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)],
            check=True,
        )
        print(f"written {po} and {po.with_suffix('.mo').name}")


if __name__ == "__main__":
    build()
