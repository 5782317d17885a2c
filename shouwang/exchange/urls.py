from .urls_alerts import urlpatterns as alerts
from .urls_lists import urlpatterns as lists
from .urls_outgoing import urlpatterns as outgoing
from .urls_tokens import urlpatterns as tokens

app_name = "exchange"
urlpatterns = [*lists, *alerts, *tokens, *outgoing]
