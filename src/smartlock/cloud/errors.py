"""One error shape for every failure: ``{"code": ..., "message": ..., "details": ...}``.

``code`` is machine-readable and stable (the web app and API clients switch on it): an
`ErrorCode` value, the project's one code system (smartlock/errors.py).
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartlock.errors import ErrorCode, Fault, SmartlockError

T = TypeVar("T")


class ErrorPublic(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class CloudError(SmartlockError):
    """An expected refusal of the API client's request (its fault); the route layer
    turns it into ``ErrorPublic``. A code given as text must name an `ErrorCode`
    (`ValueError` otherwise: a typo fails loudly; a lock's word goes through
    `ErrorCode.parse` first).
    """

    status = 400
    code = ErrorCode.BAD_REQUEST
    fault = Fault.CALLER

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, None if code is None else ErrorCode(code))
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers


class NotAuthenticated(CloudError):
    status, code = 401, ErrorCode.NOT_AUTHENTICATED


class Forbidden(CloudError):
    status, code = 403, ErrorCode.FORBIDDEN


class NotFound(CloudError):
    status, code = 404, ErrorCode.NOT_FOUND


def found(row: T | None, message: str, *, code: str) -> T:
    """``row``, or a 404 saying ``message`` when there is none."""
    if row is None:
        raise NotFound(message, code=code)
    return row


class Conflict(CloudError):
    status, code = 409, ErrorCode.CONFLICT


class Throttled(CloudError):
    status, code = 429, ErrorCode.TOO_MANY_ATTEMPTS

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


_HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.BODY_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.INVALID_REQUEST,
    429: ErrorCode.TOO_MANY_ATTEMPTS,
}

# Shown in OpenAPI for every route.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorPublic} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}


def error_response(
    status: int,
    code: ErrorCode,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorPublic(code=code, message=message, details=details)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    async def cloud_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CloudError)
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, ErrorCode.ERROR)
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, code, str(exc.detail), headers=headers)

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # Echo where and why, never the rejected input (it may be a password).
        details = [
            {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": err["type"]}
            for err in exc.errors()
        ]
        return error_response(422, ErrorCode.INVALID_REQUEST, "the request is not valid", details)

    async def data_error(_: Request, exc: Exception) -> JSONResponse:
        # What the schemas did not catch, e.g. a NUL in a path or query on PostgreSQL:
        # the database refused the value itself, which is the client's error.
        log.info("database refused a value: %s", type(exc).__name__)
        return error_response(
            422, ErrorCode.INVALID_VALUE, "a value in the request cannot be stored"
        )

    app.add_exception_handler(sqlalchemy.exc.DataError, data_error)
    app.add_exception_handler(CloudError, cloud_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
