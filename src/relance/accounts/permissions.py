"""Role checks for views and commands: one way to say who may do what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from relance.accounts.models import Role

VIEWER, COLLECTOR, MANAGER, OWNER = Role.VIEWER, Role.COLLECTOR, Role.MANAGER, Role.OWNER


def role_required(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view needs a membership of the current organisation with at least `role`.

    Signed-in users without any membership get 403, never another organisation's data.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None or not membership.can(role):
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
