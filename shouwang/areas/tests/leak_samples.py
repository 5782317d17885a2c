"""Foreign records for the leak-walker (tests/leakwalk.py)."""

FOREIGN_KWARGS = {
    "areas:detail": lambda w: {"code": w.foreign.village.code},
    "api:area-detail": lambda w: {"code": w.foreign.village.code},
    "api:area-children": lambda w: {"code": w.foreign.township.code},
}
