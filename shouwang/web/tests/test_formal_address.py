"""“您” everywhere: no template, script or Python string of the product says “你”, and
Django's own Chinese messages that do (admin, sign-in, password forms) are re-worded
by the catalog in shouwang/locale."""

import ast
import gettext as gnu_gettext
from pathlib import Path

import django
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "shouwang"
# Words in which 你 is not addressing the user (none so far); add with a reason.
ALLOWED: tuple[str, ...] = ()


def _without_allowed(text: str) -> str:
    for word in ALLOWED:
        text = text.replace(word, "")
    return text


def _python_strings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_template_script_or_python_string_says_ni():
    found = []
    for path in sorted(SOURCES.rglob("*")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        if path.suffix == ".py":
            found += [
                f"{path.relative_to(ROOT)}:{line}"
                for line, text in _python_strings(path)
                if "你" in _without_allowed(text)
            ]
        elif path.suffix in (".html", ".js", ".txt", ".md", ".po"):
            if path.parts[-2:] == ("web", "vendor") or "vendor" in path.parts:
                continue
            for number, line in enumerate(
                path.read_text(encoding="utf-8").splitlines()
            ):
                if "你" in _without_allowed(line) and not line.startswith(
                    ("#", "msgid")
                ):
                    found.append(f"{path.relative_to(ROOT)}:{number + 1}")
    assert found == []


def test_the_user_guide_and_readme_say_nin():
    for path in (ROOT / "docs" / "user-guide.md", ROOT / "README.md"):
        assert "你" not in _without_allowed(path.read_text(encoding="utf-8")), path


def test_djangos_messages_that_say_ni_are_reworded():
    informal = {}
    # The django domain (the admin's JavaScript catalog, djangojs, is built alike).
    for mo in Path(django.__file__).parent.glob(
        "**/locale/zh_Hans/LC_MESSAGES/django.mo"
    ):
        with mo.open("rb") as handle:
            catalog = gnu_gettext.GNUTranslations(handle)._catalog
        informal.update(
            (key, value)
            for key, value in catalog.items()
            if isinstance(key, str) and key and "你" in value
        )
    assert len(informal) >= 15  # Django says 你 in the admin and the password forms
    with translation.override("zh-hans"):
        for key in informal:
            if "\x04" in key:
                context, msgid = key.split("\x04", 1)
                shown = translation.pgettext(context, msgid)
            else:
                shown = translation.gettext(key)
            assert "你" not in shown, (key, shown)
            assert "您" in shown, (key, shown)
        assert (
            translation.gettext(
                "Your old password was entered incorrectly. Please enter it again."
            )
            == "您的旧密码不正确。请重新输入。"
        )
