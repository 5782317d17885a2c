"""Files kept outside the web root (uploaded rosters, visit photos, scans)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under the directory a setting names, owner-only, with no URL: only the
    access-checked views of the app that keeps them serve them. The setting is read
    on every use (not cached as FileSystemStorage does), so tests can move it."""

    def __init__(self, setting: str, no_url_message: str) -> None:
        super().__init__(
            base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700
        )
        self.setting = setting
        self.no_url_message = no_url_message

    @property
    def base_location(self):
        return getattr(settings, self.setting)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(self.no_url_message)
