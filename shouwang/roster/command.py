"""What the file-import commands (roster_import, enrolment_import, exchange_import)
share: the acting user, the list's date and the file, each refused with a Chinese
message through the command's own `_refuse` (its exit status and --json shape)."""

from collections.abc import Callable
from datetime import date
from typing import NoReturn

from shouwang.accounts.models import User


class FileImportCommand:
    """A mixin for a BaseCommand that defines `_refuse(message) -> NoReturn`: each
    command refuses with its own exit status and --json shape."""

    _refuse: Callable[[str], NoReturn]

    def _actor(self, username: str, *, purpose: str = "导入") -> User:
        """The active user named by --user."""
        if not username:
            self._refuse(f"请用 --user 指定以哪个用户的身份{purpose}（用户名）。")
        actor = User.objects.filter(username=username).select_related("area").first()
        if actor is None:
            self._refuse(f"用户“{username}”不存在。")
        if not actor.is_active:
            self._refuse(f"用户“{username}”已停用。")
        return actor

    def _date(self, text: str) -> date | None:
        """The list's date from --date (None when not given)."""
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self._refuse(f"名单日期“{text}”无效：请写成 YYYY-MM-DD，如 2026-09-01。")

    def _read(self, file: str) -> bytes:
        """The file's bytes."""
        try:
            with open(file, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            message = f"找不到文件：{file}"
        except IsADirectoryError:
            message = f"{file} 是目录，不是文件。"
        except OSError as error:
            message = f"无法读取文件 {file}：{error.strerror or error}"
        self._refuse(message)
