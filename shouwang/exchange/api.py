"""The department data-sharing API (部门数据共享接口) for member units' systems: a list
sent as a file, the lists sent and each one's result. Its own NinjaAPI, apart from the
session API (shouwang/api.py): a bearer key (exchange/tokens.py) instead of a login.

Mounted at /api/exchange/v1/; the schema is public at /api/exchange/v1/openapi.json.
Every request presenting a key is audited ("接口调用": token prefix, operation, status) and counted
against the token's rate; see tokens.py for how.
"""

from datetime import date, datetime
from functools import wraps

from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import File, Form, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from shouwang.areas import codes
from shouwang.areas.models import Area
from shouwang.core.api_edge import page_window
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.core.idnumber import mask_id_number

from . import tokens
from .models import ApiToken, DepartmentList
from .vocab import AlertState, ListKind

MISSING_KEY = (
    "缺少接口令牌：请在请求头中提供 Authorization: Bearer <令牌>，"
    "令牌由县级民政部门创建。"
)
NO_LIST = "名单不存在，或不是本单位通过接口报送的本地区名单。"
MAX_PAGE = 100
ID_FIELDS = frozenset({"id_number", "head_id", "father_id", "mother_id"})
# A file name as kept: no control characters (PostgreSQL text cannot hold NUL).
FILENAME_LIMIT = 255


class TokenBearer(HttpBearer):
    """Authorization: Bearer <key> → the ApiToken, admitted within its rate."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        operation = _operation(request)
        try:
            found = tokens.token_authenticate(token)
        except tokens.TokenRejected as error:
            tokens.request_refused(
                key=token, operation=operation, status=401, token=error.token
            )
            raise
        request.exchange_audit = tokens.token_admit(token=found, operation=operation)
        return found


def _operation(request: HttpRequest) -> str:
    match = request.resolver_match
    return f"{request.method} /{match.route if match else request.path_info}"


class ExchangeAPI(NinjaAPI):
    """A NinjaAPI whose operations complete their audit row with the status they
    answered, and whose pages need no session login (the key is the login)."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _audited(pattern.callback)
        return patterns


def _audited(view):
    @wraps(view)
    def answer(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            if event := getattr(request, "exchange_audit", None):
                tokens.request_finish(event, 500)
            raise
        if event := getattr(request, "exchange_audit", None):
            tokens.request_finish(event, response.status_code)
        return response

    answer.login_required = False  # the bearer key is checked by the API itself
    answer.csrf_exempt = True
    return answer


api = ExchangeAPI(
    title="守望 部门数据共享接口",
    version="1",
    description=(
        "成员单位业务系统向守望平台报送部门名单（服刑在押、死亡、低保、残疾证等），"
        "并查询比对结果。认证：请求头 Authorization: Bearer <令牌>，令牌由县级民政部门"
        "在“部门数据共享 → 接口令牌”中创建，只显示一次。每个令牌每分钟的请求次数有限，"
        "超过时返回 429 并在 Retry-After 中给出等待秒数。"
    ),
    auth=TokenBearer(),
    urls_namespace="exchange-api",
    docs_url=None,
)


class Message(Schema):
    detail: str


class RowProblem(Schema):
    row: int
    column: str
    value: str
    message: str


class Refusal(Schema):
    """The 422 answer: what is wrong, and each problem by row and column."""

    detail: str
    errors: list[RowProblem]


class UploadResult(Schema):
    list_id: int
    status: str
    rows: int
    matched: int
    alerts: int
    measures: int


class ListSummary(Schema):
    list_id: int
    kind: str
    kind_label: str
    area_code: str
    listed_on: date
    received_at: datetime
    filename: str
    rows: int
    matched: int
    alerts: int
    measures: int


class ListPage(Schema):
    count: int
    items: list[ListSummary]


class AlertCounts(Schema):
    total: int
    open: int
    accepted: int
    rejected: int


class ListResult(Schema):
    list_id: int
    kind: str
    kind_label: str
    area_code: str
    listed_on: date
    received_at: datetime
    filename: str
    rows: int
    matched: int
    alerts: AlertCounts
    measures: int


@api.exception_handler(AuthenticationError)
def _no_key(request, exc):
    # Not audited: a request presenting no key at all says nothing about anyone,
    # and auditing it would let anyone fill the audit log.
    response = api.create_response(request, {"detail": MISSING_KEY}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(tokens.TokenRejected)
def _bad_key(request, exc):
    response = api.create_response(request, {"detail": exc.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(tokens.RateLimited)
def _too_many(request, exc):
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": NO_LIST}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "form")]
        field = ".".join(p for p in loc if p not in ("query", "path", "file"))
        errors.append(
            {"row": 0, "column": field, "value": "", "message": _problem(error, field)}
        )
    return api.create_response(
        request, {"detail": "请求参数有误。", "errors": errors}, status=422
    )


def _problem(error: dict, field: str) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return f"缺少参数 {field}。"
    if kind.startswith("date"):
        return f"{field} 应为日期，格式如 2026-01-31。"
    if kind.startswith("int"):
        return f"{field} 应为整数。"
    return f"{field} 的值不正确。"


@api.exception_handler(HttpError)
def _refused(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _kind_of(value: str) -> str:
    """The kind a request names by its value (prison) or its label (服刑在押)."""
    value = value.strip()
    by_label = {label: kind for kind, label in ListKind.choices}
    kind = value if value in ListKind.values else by_label.get(value)
    if kind is None:
        shown = "、".join(f"{k}（{label}）" for k, label in ListKind.choices)
        raise HttpError(400, f"不认识的名单类型“{value[:30]}”：可用的类型为 {shown}。")
    return kind


def _area_for(token: ApiToken, code: str | None) -> Area:
    """The area a list is for: the token's, or one inside it."""
    code = (code or "").strip()
    if not code:
        return token.area
    if not codes.is_code(code):
        raise HttpError(400, "地区代码应为 12 位统计用区划代码，如 430524000000。")
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise HttpError(400, f"地区代码“{code}”不存在：请核对 12 位统计用区划代码。")
    if not code.startswith(token.area.prefix):
        raise HttpError(
            403,
            f"{area.name}（{code}）不在该令牌的适用地区{token.area.name}"
            f"（{token.area.code}）内：只能报送本地区及下级地区的名单。",
        )
    return area


def _shown_value(error) -> str:
    if error.field in ID_FIELDS or "身份号码" in error.column:
        return mask_id_number(error.value)
    return error.value


def _filename(name: str | None) -> str:
    kept = "".join(c for c in (name or "") if c.isprintable())
    return kept[-FILENAME_LIMIT:] or "名单"


@api.post(
    "/lists",
    response={
        201: UploadResult,
        400: Message,
        401: Message,
        403: Message,
        422: Refusal,
        429: Message,
    },
    url_name="list-upload",
    summary="报送名单",
    description=(
        "上传一份部门名单（xlsx 或 csv，表头见使用说明），kind 为名单类型（如 prison"
        " 或 服刑在押）；area 为名单所属地区代码（不填为令牌的适用地区）；listed_on 为"
        "名单日期（不填为今天）。名单有错误时整份不接收（422），逐行列出错误；同一份"
        "名单重复报送时不再接收（400）。"
    ),
)
def list_upload(
    request,
    file: File[UploadedFile],
    kind: Form[str],
    area: Form[str | None] = None,
    listed_on: Form[date | None] = None,
):
    token: ApiToken = request.auth
    kind = _kind_of(kind)
    if kind not in token.kinds:
        allowed = "、".join(f"{ListKind(k).label}（{k}）" for k in token.kinds)
        raise HttpError(
            403,
            f"该令牌不能报送“{ListKind(kind).label}”名单：可报送的类型为 {allowed}。"
            "需要报送其他类型的，请联系县级民政部门。",
        )
    where = _area_for(token, area)
    from . import lists  # the lead's module: the same check and commit as the pages

    try:
        plan = lists.exchange_check(
            actor=token.created_by,
            kind=kind,
            data=file.read(),
            filename=_filename(file.name),
            area=where,
            token=token,
        )
        if plan.unusable or plan.errors or plan.error_count:
            errors = [
                {
                    "row": e.row,
                    "column": e.column,
                    "value": _shown_value(e),
                    "message": e.message,
                }
                for e in plan.errors
            ]
            detail = plan.unusable or (
                f"名单有 {plan.error_count} 处错误，整份未接收：请改正后重新报送。"
            )
            return Status(422, {"detail": detail, "errors": errors})
        received = lists.exchange_commit(
            actor=token.created_by, plan=plan, token=token, listed_on=listed_on
        )
    except NotFound as error:
        return Status(403, {"detail": error.message})
    except DomainError as error:
        return Status(400, {"detail": error.message})
    return Status(
        201,
        {
            "list_id": received.pk,
            "status": "committed",
            "rows": received.row_count,
            "matched": received.matched,
            "alerts": received.alert_count,
            "measures": received.measure_count,
        },
    )


def _summary(found: DepartmentList) -> dict:
    return {
        "list_id": found.pk,
        "kind": found.kind,
        "kind_label": found.get_kind_display(),
        "area_code": found.area_id,
        "listed_on": found.listed_on,
        "received_at": found.created_at,
        "filename": found.original_name,
        "rows": found.row_count,
        "matched": found.matched,
        "alerts": found.alert_count,
        "measures": found.measure_count,
    }


@api.get(
    "/lists",
    response={200: ListPage, 401: Message, 422: Refusal, 429: Message},
    url_name="list-list",
    summary="已报送的名单",
    description="本单位通过接口报送的、令牌适用地区内的名单，最新的在前；分页。",
)
def list_list(request, limit: int = 20, offset: int = 0):
    token: ApiToken = request.auth
    limit, offset = page_window(limit, offset, max_limit=MAX_PAGE)
    found = tokens.lists_for_token(token=token)
    return {
        "count": found.count(),
        "items": [_summary(f) for f in found[offset : offset + limit]],
    }


@api.get(
    "/lists/{list_id}",
    response={200: ListResult, 401: Message, 404: Message, 429: Message},
    url_name="list-result",
    summary="名单比对结果",
    description=(
        "一份名单的比对结果：行数、命中数、比对提示按状态计数（待核实 open、已采纳"
        " accepted、未采纳 rejected）和记录的帮扶措施数。"
    ),
)
def list_result(request, list_id: int):
    token: ApiToken = request.auth
    try:
        found = tokens.list_get_for_token(token=token, pk=list_id)
    except NotFound:
        raise Http404 from None
    states = dict.fromkeys(AlertState.values, 0)
    for row in found.alerts.values("state").annotate(n=Count("id")).order_by():
        states[row["state"]] = row["n"]
    return {
        **_summary(found),
        "alerts": {"total": sum(states.values()), **states},
        "measures": found.measures.count(),
    }


# Mounted by shouwang/urls.py: path("api/exchange/v1/", include("shouwang.exchange.api")).
urlpatterns, _, app_name = api.urls
