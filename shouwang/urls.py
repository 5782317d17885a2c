from django.contrib import admin
from django.urls import include, path

from .accounts.views import admin_login
from .api import api

admin.site.site_header = "守望 管理后台"
admin.site.site_title = "守望 管理后台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("shouwang.web.urls")),
    path("accounts/", include("shouwang.accounts.urls")),
    path("areas/", include("shouwang.areas.urls")),
    path("audit/", include("shouwang.audit.urls")),
    path("children/", include("shouwang.registry.urls")),
    path("roster/", include("shouwang.roster.urls")),
    path("visits/", include("shouwang.visits.urls")),
    path("reports/", include("shouwang.reports.urls")),
    path("protection/", include("shouwang.protection.urls")),
    path("schooling/", include("shouwang.schooling.urls")),
    path("assistance/", include("shouwang.assistance.urls")),
    path("exchange/", include("shouwang.exchange.urls")),
    path("jointwork/", include("shouwang.jointwork.urls")),
    # One login page for everyone, so its per-address throttle covers the admin too.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/exchange/v1/", include("shouwang.exchange.api")),
    path("api/", api.urls),
]
