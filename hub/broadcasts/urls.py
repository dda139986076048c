from django.urls import path  # noqa: F401 (used by the routes added below)

app_name = "broadcasts"

urlpatterns: list = []

# Contacts, audiences and CSV import (hub.broadcasts.views.contacts) are added below this line.

# Series, bulletins and previews (hub.broadcasts.views.bulletins) are added below this line.

# Sending, progress and unsubscribe (hub.broadcasts.views.sending, views.public) are added below this line.
