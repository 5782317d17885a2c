from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from shouwang.audit.middleware import request_ip
from shouwang.core.exceptions import DomainError

from . import lockouts, services
from .access import Perm, require
from .forms import LoginForm, PasswordResetForm, UserCreateForm, UserUpdateForm
from .models import Role
from .selectors import user_counts_by_role_for, user_get_for, user_list_for
from .throttle import address_state


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Too many failures from this address: refuse before any password is checked.
        state = address_state(ip=request_ip(request))
        if state.retry_after:
            response = render(
                request,
                "accounts/throttled.html",
                {"message": state.message},
                status=429,
            )
            response["Retry-After"] = str(state.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.login_record(user=form.get_user())
        return response

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        if username:
            services.login_failed_record(username=username)
        return super().form_invalid(form)


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in on the one login page (and its per-address throttle)."""
    if request.user.is_authenticated:
        # Signed in but not staff: the admin sent them here; say no instead of looping.
        raise PermissionDenied("您没有进入系统管理后台的权限。")
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("accounts:login") + (f"?{query}" if query else ""))


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.logout_record(user=request.user)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        # The form has validated old and new passwords; the service saves and audits.
        services.password_change(
            user=self.request.user, password=form.cleaned_data["new_password1"]
        )
        auth_views.update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, "密码已修改。")
        return redirect(self.get_success_url())


def user_list(request: HttpRequest) -> HttpResponse:
    """Users in the manager's jurisdiction, filtered and paginated."""
    require(request.user, Perm.MANAGE_USERS)
    filters = {
        "role": request.GET.get("role", ""),
        "area_code": request.GET.get("area", ""),
        "search": request.GET.get("q", "").strip(),
        "active": request.GET.get("active", ""),
    }
    users = user_list_for(viewer=request.user, **filters)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    users_by_role = user_counts_by_role_for(viewer=request.user)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "filters": filters,
            "roles": Role.choices,
            "users_by_role": users_by_role,
            "chart": {
                "labels": list(users_by_role),
                "values": list(users_by_role.values()),
            },
        },
    )


def _apply_domain_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _initial(user) -> dict:
    return {
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "area": user.area,
        "unit": user.unit,
    }


def user_create(request: HttpRequest) -> HttpResponse:
    """Create an account inside the manager's jurisdiction."""
    require(request.user, Perm.MANAGE_USERS)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, f"账号 {user.username} 已创建。")
            return redirect("accounts:user-detail", pk=user.pk)
    return render(
        request, "accounts/user_form.html", {"form": form, "title": "新建账号"}
    )


def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an account: role, area, unit, contact; reset password; (de)activate."""
    require(request.user, Perm.MANAGE_USERS)
    user = user_get_for(viewer=request.user, pk=pk)
    form = UserUpdateForm(
        request.POST or None, actor=request.user, initial=_initial(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, f"账号 {user.username} 已保存。")
            return redirect("accounts:user-detail", pk=user.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"form": form, "account": user, "reset_form": PasswordResetForm()},
    )


@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a new password for an account in the manager's jurisdiction."""
    require(request.user, Perm.MANAGE_USERS)
    user = user_get_for(viewer=request.user, pk=pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_password_reset(
                actor=request.user, user=user, password=form.cleaned_data["password"]
            )
        except DomainError as error:
            form.add_error("password", error.message)
        else:
            messages.success(
                request, f"已为 {user.username} 设置新密码，请通知本人登录后修改。"
            )
            return redirect("accounts:user-detail", pk=user.pk)
    edit_form = UserUpdateForm(actor=request.user, initial=_initial(user))
    return render(
        request,
        "accounts/user_detail.html",
        {"form": edit_form, "account": user, "reset_form": form},
        status=400,
    )


@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or re-activate an account (accounts are never deleted)."""
    require(request.user, Perm.MANAGE_USERS)
    user = user_get_for(viewer=request.user, pk=pk)
    flag = request.POST.get("active")
    if flag not in {"0", "1"}:
        # A request that does not say which way must never deactivate an account.
        messages.error(request, "请在账号页面点击“停用账号”或“重新启用”按钮。")
        return redirect("accounts:user-detail", pk=user.pk)
    active = flag == "1"
    try:
        services.user_set_active(actor=request.user, user=user, active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"账号 {user.username} 已{'启用' if active else '停用'}。"
        )
    return redirect("accounts:user-detail", pk=user.pk)


def lockout_list(request: HttpRequest) -> HttpResponse:
    """Users of the manager's jurisdiction locked out of login from some address."""
    require(request.user, Perm.MANAGE_USERS)
    return render(
        request,
        "accounts/lockout_list.html",
        {
            "lockouts": lockouts.lockout_list_for(viewer=request.user),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
    )


@require_POST
def lockout_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift one lockout at once (the user may sign in again from that address)."""
    require(request.user, Perm.MANAGE_USERS)
    lockout = lockouts.lockout_get_for(viewer=request.user, pk=pk)
    lockouts.lockout_lift(actor=request.user, lockout=lockout)
    messages.success(
        request,
        f"已解除 {lockout.user.username} 在地址 {lockout.ip_address or '（未知）'} 的登录锁定。",
    )
    return redirect("accounts:lockout-list")
