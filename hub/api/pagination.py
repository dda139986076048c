"""Limit and offset paging for the API's lists, with an offset the databases can take.

Ninja's own LimitOffsetPagination accepts any offset, and one beyond a 64-bit integer
(?offset=99999999999999999999) reaches the database and fails there (a 500). Here the
offset has an upper bound, so such a request is a 400 naming the field, like offset=-1;
a limit above the page size is still clamped, not refused."""

import math

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination

# Far beyond any list the hub publishes (the largest 32-bit integer), and offset + limit stays
# well inside the 64-bit integers SQLite and PostgreSQL take for OFFSET and LIMIT.
MAX_OFFSET = 2_147_483_647


class HubLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        # As Ninja's own, but for the offset's upper bound.
        limit: int = Field(
            settings.PAGINATION_PER_PAGE,
            ge=1,
            le=None if math.isinf(settings.PAGINATION_MAX_LIMIT) else settings.PAGINATION_MAX_LIMIT,
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
