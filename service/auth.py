"""Who is asking: the ``Authorization: Bearer TOKEN`` header, or — for the reviewers' web
page, to come — any other :data:`Authenticator` installed on the app (a session cookie).

Every API route depends on :func:`current_user`; without a valid, enabled account the answer
is 401, whatever the route, so nothing about a submission leaks to the unauthenticated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from annexkit.service.errors import ServiceError
from annexkit.service.users import User, user_by_token

Authenticator = Callable[[Request], User | None]
"""Finds the account of a request by other means than a bearer token (e.g. the web page's
session cookie); installed in ``app.state.authenticators``, tried in order after the token."""


def unauthorized() -> ServiceError:
    return ServiceError(
        "unauthorized",
        "需要有效的访问令牌（Authorization: Bearer TOKEN）",
        "a valid token is required (Authorization: Bearer TOKEN)",
        status=401,
    )


def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = user_by_token(request.app.state.database, token.strip())
        if user is None:
            raise unauthorized()
        return user
    authenticators: list[Authenticator] = getattr(request.app.state, "authenticators", [])
    for authenticate in authenticators:
        found = authenticate(request)
        if found is not None:
            return found
    raise unauthorized()


def require_reviewer(user: User) -> None:
    """For actions only reviewers may take. Called after the submission was found visible
    to ``user`` (an institution asking about another's gets 404 before this), so a 403 here
    tells an institution nothing it could not see."""
    if not user.is_reviewer:
        raise ServiceError(
            "forbidden",
            "只有审核人员可以执行此操作",
            "only reviewers may do this",
            status=403,
        )


CurrentUser = Annotated[User, Depends(current_user)]
