from .urls_bulletin import urlpatterns as bulletin
from .urls_care import urlpatterns as care
from .urls_letters import urlpatterns as letters
from .urls_meetings import urlpatterns as meetings

app_name = "jointwork"
urlpatterns = [*meetings, *letters, *care, *bulletin]
