"""Foreign records for the leak-walker (tests/leakwalk.py)."""

FOREIGN_KWARGS = {
    "accounts:user-detail": lambda w: {"pk": w.foreign.users["director"].pk},
    "accounts:user-password-reset": lambda w: {"pk": w.foreign.users["director"].pk},
    "accounts:user-set-active": lambda w: {"pk": w.foreign.users["director"].pk},
    "api:user-detail": lambda w: {"user_id": w.foreign.users["director"].pk},
}
