from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as _LoginRequired
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

from .sessions import SESSION_ENDED, session_expired


class LoginRequiredMiddleware(_LoginRequired):
    """Every page needs login unless marked login_not_required; the API answers 401 itself."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SessionLifetimeMiddleware:
    """Ends a session SESSION_MAX_AGE after its login, however active it has been."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and session_expired(request):
            logout(request)
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": SESSION_ENDED}, status=401)
            messages.info(request, SESSION_ENDED)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
