from ninja import Router

router = Router(tags=["季度摸排"])
