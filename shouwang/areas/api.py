from ninja import Router, Schema

from .selectors import area_children_for, area_get_for

router = Router(tags=["行政区划"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent_id


@router.get("/{code}", response=AreaOut, url_name="area-detail", summary="一个区划")
def area_detail(request, code: str):
    return area_get_for(viewer=request.user, code=code)


@router.get(
    "/{code}/children",
    response=list[AreaOut],
    url_name="area-children",
    summary="直接下级区划",
)
def area_children(request, code: str):
    area = area_get_for(viewer=request.user, code=code)
    return list(area_children_for(viewer=request.user, area=area))
