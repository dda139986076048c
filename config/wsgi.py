"""WSGI entry point for production servers (granian: deploy/hub-web.sh)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Behind nginx the peer the server sees is nginx (or nothing, on a unix socket), so
# REMOTE_ADDR (the audit log's client address) would not be the client's. nginx
# puts the client's address in a header it always overwrites (X-Real-IP,
# deploy/nginx/snippets/hub-proxy.conf). WEB_REMOTE_ADDR_HEADER names that header;
# set it only when nothing but nginx can reach the server (the socket is 0660).
_REMOTE_ADDR_HEADER = os.environ.get("WEB_REMOTE_ADDR_HEADER", "")
if _REMOTE_ADDR_HEADER:
    _django_application = application
    _environ_key = "HTTP_" + _REMOTE_ADDR_HEADER.upper().replace("-", "_")

    def application(environ, start_response):  # noqa: F811 (the same application, with the client's address)
        address = environ.get(_environ_key, "").strip()
        if address:
            environ["REMOTE_ADDR"] = address
        return _django_application(environ, start_response)
