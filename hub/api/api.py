"""The versioned JSON API at /api/v1/. Endpoints call the same selectors and
services as the pages; errors are always JSON with a message."""

from ninja import NinjaAPI

api = NinjaAPI(title="Safeguarding Partnership Hub API", version="1.0.0", urls_namespace="api-1.0.0")
