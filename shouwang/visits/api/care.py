from ninja import Router

router = Router(tags=["责任与确认书"])
