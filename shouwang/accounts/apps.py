from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shouwang.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_start

        # Every login (the page, the admin, force_login in tests) starts the clock.
        user_logged_in.connect(
            lambda sender, request, **kwargs: session_start(request=request),
            dispatch_uid="shouwang.accounts.session_start",
            weak=False,
        )
