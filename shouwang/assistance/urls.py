from . import (
    views_beneficiaries,
    views_foundlings,
    views_payments,
    views_programmes,
    views_standards,
)

app_name = "assistance"
urlpatterns = [
    *views_standards.urlpatterns,
    *views_programmes.urlpatterns,
    *views_foundlings.urlpatterns,
    *views_beneficiaries.urlpatterns,
    *views_payments.urlpatterns,
]
