"""The endpoint invoker: one HTTP POST in, one SageMaker InvokeEndpoint call on one endpoint out.

A Lambda function URL or an HTTP API (payload version 2.0) calls handler(event, context). The
request is checked first (validation.py: POST only, an allowed content type, a size limit, JSON
or CSV that parses), so bad input is answered with a 4xx and a reason and never reaches the
model. A good request goes to the endpoint named by ENDPOINT_NAME, and only there; the only AWS
operation this function ever makes is sagemaker-runtime:InvokeEndpoint.

| outcome | status | body |
| --- | --- | --- |
| prediction | 200 | the endpoint's body, with its content type |
| bad request | 400, 405, 413, 415 | {"error", "message", "request_id"} |
| the endpoint failed (model error, rejected, throttled after retries, timed out, unreachable) | 502 | same shape, generic message |
| the function is misconfigured, or an unexpected error | 500 | same shape, generic message |

A request that may have reached the model is sent once, never again: every inference is billed
and may have side effects. botocore retries nothing itself (total_max_attempts=1); `may_retry`
decides, and only a failure that proves the model never saw the request is tried again, at most
MAX_ATTEMPTS times in all, after botocore's standard-mode backoff (`backoff_seconds`):

| failure | did the model see it? | sent again |
| --- | --- | --- |
| ThrottlingException, Throttling, TooManyRequestsException (any status) | no: refused before processing | yes |
| ModelNotReadyException (429), or any other 429 that is not a ModelError | no: refused before processing | yes |
| ConnectTimeoutError, EndpointConnectionError (no connection was made) | no: never sent | yes |
| ReadTimeoutError (the model took longer than ENDPOINT_READ_TIMEOUT_SECONDS) | it may still be running | no |
| ConnectionClosedError, SSLError, any other HTTP client error | perhaps: the request may have been sent | no |
| ModelError (424: the container answered with an error) | yes | no |
| ValidationError, InternalFailure, ServiceUnavailable, InternalDependencyException, any other answer | the endpoint answered | no |

The read timeout (ENDPOINT_READ_TIMEOUT_SECONDS, default 60: SageMaker gives a model 60 s) bounds
the one attempt that reaches the model; at most RETRY_ALLOWANCE seconds of refused or unconnected
attempts come before it, so a request is answered within `worst_case_seconds(read timeout)`.

Nothing internal (exception text, the model's error message, stack traces) reaches the caller:
it goes to the log, one JSON line per request, which never holds request or response bodies.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import time
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

if __package__:
    from . import jsonlog
    from .validation import (
        DEFAULT_READ_TIMEOUT,
        ConfigError,
        Rejection,
        Settings,
        is_json,
        load_settings,
        parse_request,
    )
else:  # Lambda loads handler.py as a top-level module, with this directory as the code root
    import jsonlog
    from validation import DEFAULT_READ_TIMEOUT, ConfigError, Rejection, Settings, is_json, load_settings, parse_request

log = jsonlog.get_logger()

# Attempts per request, the first included; only failures that may_retry allows are tried again.
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT = 2.0
# botocore's standard retry mode: attempt i (1-based) waits rand(0, 1) * min(base * 2 ** (i - 1), 20)
# seconds, base 1 s after throttling and 50 ms after a transient (here: connection) error.
THROTTLING_BACKOFF_BASE = 1.0
TRANSIENT_BACKOFF_BASE = 0.05
MAX_BACKOFF = 20.0
# The most time spent before the last attempt is sent: each earlier attempt failed to connect
# (CONNECT_TIMEOUT) or was refused at once, then waited its longest backoff (1 s, then 2 s).
RETRY_ALLOWANCE = (MAX_ATTEMPTS - 1) * CONNECT_TIMEOUT + sum(
    min(THROTTLING_BACKOFF_BASE * 2**i, MAX_BACKOFF) for i in range(MAX_ATTEMPTS - 1)
)
# Lambda's synchronous response payload limit is 6 MB; leave room for the JSON envelope.
RESPONSE_LIMIT = 6 * 1024 * 1024 - 64 * 1024
SECURITY_HEADERS = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
TEXT_TYPES = frozenset({"application/csv", "application/jsonlines", "application/x-jsonlines", "application/xml"})
THROTTLING_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException"})
# Refused before the model was asked: safe to send again.
NOT_PROCESSED_CODES = THROTTLING_CODES | {"ModelNotReadyException"}
# Failures that happen before any byte of the request is sent.
NOT_SENT_ERRORS = (ConnectTimeoutError, EndpointConnectionError)
ENDPOINT_FAILED = "the model endpoint could not answer the request"

_CLIENTS: dict[str, Any] = {}


def client_config(read_timeout: float = DEFAULT_READ_TIMEOUT) -> BotoConfig:
    """botocore sends each call once: standard mode (its headers and error parsing) with no retries
    of its own, since it would also retry read timeouts and 5xx answers, which the model saw."""
    return BotoConfig(
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout,
        user_agent_extra="smenv-invoke-endpoint",
    )


def make_client(read_timeout: float = DEFAULT_READ_TIMEOUT):
    """A sagemaker-runtime client in the function's region (AWS_DEFAULT_REGION, which Lambda sets)."""
    return boto3.client("sagemaker-runtime", config=client_config(read_timeout))


def get_client(settings: Settings):
    """The container's client: made on first use, reused by every later invocation."""
    if "runtime" not in _CLIENTS:
        _CLIENTS["runtime"] = make_client(settings.read_timeout)
    return _CLIENTS["runtime"]


def set_client(client: Any | None) -> None:
    """Use this client from now on (None: make a fresh one on next use). For tools and tests."""
    _CLIENTS.pop("runtime", None)
    if client is not None:
        _CLIENTS["runtime"] = client


def handler(event: Any, context: Any) -> dict[str, Any]:
    request_id = getattr(context, "aws_request_id", None)
    jsonlog.set_request_id(request_id)
    try:
        settings = load_settings(os.environ)
    except ConfigError as exc:
        log.error("configuration_invalid", extra={"fields": {"outcome": "internal_error", "problems": exc.problems}})
        return error_response(500, "internal_error", "the service is not configured correctly", request_id)
    try:
        client = get_client(settings)
    except Exception:  # no region, a broken runtime: a fault of ours, never the caller's
        log.exception("client_unavailable", extra={"fields": {"outcome": "internal_error"}})
        return error_response(500, "internal_error", "the service is not available", request_id)
    return handle(event, settings, client, request_id=request_id)


def handle(event: Any, settings: Settings, client: Any, *, request_id: str | None = None) -> dict[str, Any]:
    """Answer one request with this client. Never raises; logs one line."""
    started = time.perf_counter()
    fields: dict[str, Any] = {"endpoint_name": settings.endpoint_name, "source_ip": _source_ip(event)}

    def done(level: int, outcome: str, response: dict[str, Any], **more: Any) -> dict[str, Any]:
        fields.update(more, outcome=outcome, status=response["statusCode"])
        fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
        log.log(level, "request", extra={"fields": fields})
        return response

    try:
        parsed = parse_request(event, settings)
        if isinstance(parsed, Rejection):
            response = error_response(parsed.status, parsed.error, parsed.message, request_id)
            if parsed.status == 405:
                response["headers"]["allow"] = "POST"
            return done(logging.INFO, "rejected", response, error=parsed.error, reason=parsed.message)
        fields.update(content_type=parsed.content_type, body_bytes=len(parsed.body))
        outcome, fields["attempts"] = call_endpoint(client, settings.endpoint_name, parsed.body, parsed.content_type)
        if isinstance(outcome, BaseException):
            error, details = classify(outcome)
            response = error_response(502, error, ENDPOINT_FAILED, request_id)
            return done(logging.WARNING, "endpoint_error", response, error=error, **details)
        body, content_type = outcome
        response = success_response(body, content_type)
        if response is None:
            response = error_response(502, "endpoint_response_too_large", ENDPOINT_FAILED, request_id)
            return done(logging.WARNING, "endpoint_error", response, error="endpoint_response_too_large")
        return done(logging.INFO, "ok", response, response_bytes=len(body), response_content_type=content_type)
    except Exception as exc:
        log.exception("unexpected_error", extra={"fields": {**fields, "error_type": type(exc).__name__}})
        response = error_response(500, "internal_error", "the request could not be completed", request_id)
        return done(logging.ERROR, "internal_error", response, error="internal_error")


def call_endpoint(
    client: Any, endpoint_name: str, body: bytes, content_type: str
) -> tuple[tuple[bytes, str] | ClientError | BotoCoreError, int]:
    """invoke, tried again only after a failure that may_retry allows, at most MAX_ATTEMPTS times.

    Returns the prediction and its content type, or the last failure, and the number of attempts.
    """
    attempt = 1
    while True:
        try:
            return invoke(client, endpoint_name, body, content_type), attempt
        except (ClientError, BotoCoreError) as exc:
            if attempt >= MAX_ATTEMPTS or not may_retry(exc):
                return exc, attempt
            time.sleep(backoff_seconds(attempt, throttled=isinstance(exc, ClientError), jitter=random.random()))
            attempt += 1


def may_retry(exc: BaseException) -> bool:
    """True only when the failure proves the model never saw the request (see the module's table)."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return code in NOT_PROCESSED_CODES or (status == 429 and code != "ModelError")
    return isinstance(exc, NOT_SENT_ERRORS)


def backoff_seconds(attempt: int, *, throttled: bool, jitter: float) -> float:
    """The wait after failed attempt `attempt` (1-based), as botocore's standard mode computes it.

    jitter is a number in [0, 1), random.random() in use."""
    base = THROTTLING_BACKOFF_BASE if throttled else TRANSIENT_BACKOFF_BASE
    return jitter * min(base * 2 ** (attempt - 1), MAX_BACKOFF)


def worst_case_seconds(read_timeout: float) -> float:
    """The longest a request can take before it is answered, the function's own work aside."""
    return RETRY_ALLOWANCE + CONNECT_TIMEOUT + read_timeout


def invoke(client: Any, endpoint_name: str, body: bytes, content_type: str) -> tuple[bytes, str]:
    """The one AWS call: InvokeEndpoint on endpoint_name. Returns the prediction and its content type."""
    result = client.invoke_endpoint(EndpointName=endpoint_name, ContentType=content_type, Body=body)
    stream = result["Body"]
    data = stream.read() if hasattr(stream, "read") else bytes(stream)
    return data, str(result.get("ContentType") or "application/octet-stream")


def classify(exc: BaseException) -> tuple[str, dict[str, Any]]:
    """A stable error code for the caller, and the details for the log (never the model's message)."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        meta = exc.response.get("ResponseMetadata", {})
        details: dict[str, Any] = {"aws_error_code": code, "http_status": meta.get("HTTPStatusCode")}
        if code == "ModelError":
            details["original_status_code"] = exc.response.get("OriginalStatusCode")
            details["log_stream_arn"] = exc.response.get("LogStreamArn")
            return "model_error", details
        if code in THROTTLING_CODES:
            return "endpoint_throttled", details
        if code == "ModelNotReadyException":
            return "endpoint_not_ready", details
        if code in ("ValidationError", "ValidationException"):
            return "endpoint_rejected", details
        return "endpoint_error", details
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return "endpoint_timeout", {"error_type": type(exc).__name__}
    if isinstance(exc, EndpointConnectionError):
        return "endpoint_unreachable", {"error_type": type(exc).__name__}
    return "endpoint_error", {"error_type": type(exc).__name__}


def is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or is_json(kind) or kind in TEXT_TYPES or kind.endswith("+xml")


def success_response(body: bytes, content_type: str) -> dict[str, Any] | None:
    """The endpoint's answer as it came; binary (or non-UTF-8) bodies base64-encoded. None: too large."""
    response: dict[str, Any] = {
        "statusCode": 200,
        "headers": {"content-type": content_type, **SECURITY_HEADERS},
        "isBase64Encoded": False,
    }
    text = None
    if is_text(content_type):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if text is None:
        text = base64.b64encode(body).decode("ascii")
        response["isBase64Encoded"] = True
    if len(text.encode("utf-8")) > RESPONSE_LIMIT:
        return None
    response["body"] = text
    return response


def error_response(status: int, error: str, message: str, request_id: str | None) -> dict[str, Any]:
    payload = {"error": error, "message": message}
    if request_id:
        payload["request_id"] = request_id
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **SECURITY_HEADERS},
        "body": json.dumps(payload),
        "isBase64Encoded": False,
    }


def _source_ip(event: Any) -> str | None:
    context = event.get("requestContext") if isinstance(event, Mapping) else None
    http = context.get("http") if isinstance(context, Mapping) else None
    value = http.get("sourceIp") if isinstance(http, Mapping) else None
    return value if isinstance(value, str) else None
