"""Access to staff pages: signed in, second factor verified, and the permission."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def staff_required(*permissions: str) -> Callable:
    """Require a verified (password + TOTP) sign-in and every listed permission."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or not user.is_verified():
                return redirect_to_login(request.get_full_path())
            if permissions and not user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
