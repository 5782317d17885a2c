"""The HTTP API (django-ninja): session login, the same access policy as the pages.

OpenAPI schema at /api/openapi.json, interactive docs at /api/docs (login required).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from shouwang.accounts.api import router as accounts_router
from shouwang.areas.api import router as areas_router
from shouwang.audit.api import router as audit_router
from shouwang.protection.api import router as protection_router
from shouwang.registry.api import router as registry_router
from shouwang.reports.api import router as reports_router
from shouwang.visits.api import care, cycle, schedule, visit

api = NinjaAPI(
    title="守望 API",
    version="1",
    description="农村留守儿童和困境儿童关爱保护信息平台接口。所有接口需要登录（会话 Cookie 与 CSRF）。",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "未登录或登录已过期，请先登录。"}, status=401
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "记录不存在或不在您的管辖范围内。"}, status=404
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ())),
            "message": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": "请求参数有误。", "errors": errors}, status=422
    )


api.add_router("/accounts", accounts_router)
api.add_router("/areas", areas_router)
api.add_router("/audit", audit_router)
api.add_router("/children", registry_router)
api.add_router("/visits", visit.router)
api.add_router("/worklists", schedule.router)
api.add_router("/care", care.router)
api.add_router("/cycles", cycle.router)
api.add_router("/reports", reports_router)
api.add_router("/protection", protection_router)
