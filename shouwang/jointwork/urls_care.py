"""Community care (社会关爱): overview, create forms, void, the volunteer's notice."""

from django.urls import path

from . import selectors_care as sel
from . import views_care as views

urlpatterns = [
    path("care/", views.care, name="care"),
    *(
        path(f"care/{kind}/new/", views.care_create, {"kind": kind}, name=name)
        for kind, name in (
            (sel.DONATIONS, "donation-create"),
            (sel.VOLUNTEERS, "volunteer-create"),
            (sel.PAIRINGS, "pairing-create"),
            (sel.ACTIVITIES, "activity-create"),
            (sel.PUBLICITY, "publicity-create"),
        )
    ),
    path("care/<str:kind>/<int:pk>/void/", views.care_void, name="care-void"),
    path("care/pairings/<int:pk>/card/", views.pairing_card, name="pairing-card"),
    path(
        "care/pairings/<int:pk>/disclose/",
        views.pairing_disclose,
        name="pairing-disclose",
    ),
]
