"""The blueprint class every API module uses: declares auth and its error responses in one place."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint

from .. import timings
from ..auth import authenticate_request
from ..errors import ErrorSchema, PermissionDeniedError
from ..models import Role
from ..requests import ArgumentsParser

BEARER = [{"bearerAuth": []}]


class ApiBlueprint(Blueprint):
    """A flask-smorest Blueprint with an `auth` decorator.

    `@blp.auth()` requires a valid bearer token; `@blp.auth(Role.ADMIN, ...)` also limits the
    roles. Put it above `@blp.arguments` so callers are authenticated before input is parsed.
    Object-level access is not decided here but by `backend.scoping` inside the services.
    """

    ARGUMENTS_PARSER = ArgumentsParser()

    def auth(self, *roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        allowed = frozenset(roles)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                user = authenticate_request()
                if allowed and user.role not in allowed:
                    raise PermissionDeniedError("Your role may not do this.")
                return view(*args, **kwargs)

            wrapper = self.doc(security=BEARER)(wrapper)
            wrapper = self.alt_response(
                401, schema=ErrorSchema, description="Missing, invalid, expired or revoked token"
            )(wrapper)
            if allowed:
                wrapper = self.alt_response(
                    403,
                    schema=ErrorSchema,
                    description="Allowed roles: " + ", ".join(sorted(r.value for r in allowed)),
                )(wrapper)
            return wrapper

        return decorator

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Callable:
        """flask-smorest's response decorator; what follows the view (dumping its result with
        the schema, the JSON) is timed as the request's `serialise` phase."""
        document = super().response(status_code, schema, **kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def timed(*args: Any, **kw: Any) -> Any:
                result = view(*args, **kw)
                timings.enter("serialise")  # closed when the request's timings are
                return result

            return document(timed)

        return decorator

    def errors(self, *codes: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document further error responses (404, 409, 413, 422...) with the error schema."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            for code in codes:
                view = self.alt_response(code, schema=ErrorSchema)(view)
            return view

        return decorator
