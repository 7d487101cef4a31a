"""What the invoker accepts: its settings (environment variables) and a request (the HTTP event).

Pure functions over plain data. A request that passes `parse_request` is one the endpoint can be
asked about; anything else is a `Rejection` with an HTTP status and one sentence for the caller,
decided before the endpoint is called, so bad input never costs the model anything.

| problem | status |
| --- | --- |
| not POST | 405 (with `Allow: POST`) |
| no body, body not base64 when flagged so, malformed JSON or CSV, wrong JSON shape | 400 |
| body larger than MAX_BODY_BYTES (decoded) | 413 |
| content type missing or not allowed | 415 |
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# A real-time endpoint accepts at most 6 MB per request; so does a synchronous Lambda invoke.
ENDPOINT_PAYLOAD_LIMIT = 6 * 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_CONTENT_TYPES = ("application/json", "text/csv")
# ENDPOINT_READ_TIMEOUT_SECONDS: how long the one attempt that reaches the model waits for its answer.
# modules/invoker sets it from var.read_timeout_seconds (default 60, the most SageMaker allows).
DEFAULT_READ_TIMEOUT = 60.0
MAX_READ_TIMEOUT = 60.0  # a real-time endpoint answers within 60 s or not at all

_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_JSON_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ConfigError(Exception):
    """The function's environment is wrong. `problems` says what, one item per variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    endpoint_name: str
    allowed_content_types: tuple[str, ...] = DEFAULT_CONTENT_TYPES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # When not empty, a JSON body must be an object holding at least one of these keys.
    json_required_keys: tuple[str, ...] = ()
    read_timeout: float = DEFAULT_READ_TIMEOUT


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Settings from the function's environment; ConfigError names every wrong variable at once."""
    problems: list[str] = []
    endpoint = environ.get("ENDPOINT_NAME", "").strip()
    if not endpoint:
        problems.append("ENDPOINT_NAME is not set")
    elif not _ENDPOINT_NAME.match(endpoint):
        problems.append("ENDPOINT_NAME is not a SageMaker endpoint name")

    types = DEFAULT_CONTENT_TYPES
    raw_types = environ.get("ALLOWED_CONTENT_TYPES")
    if raw_types is not None:
        types = tuple(dict.fromkeys(t.strip().lower() for t in raw_types.split(",") if t.strip()))
        if not types:
            problems.append("ALLOWED_CONTENT_TYPES is empty")
        bad = [t for t in types if not _MEDIA_TYPE.match(t)]
        if bad:
            problems.append(f"ALLOWED_CONTENT_TYPES has entries that are not media types: {', '.join(bad)}")

    max_bytes = _number(environ, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1, ENDPOINT_PAYLOAD_LIMIT, problems=problems)
    read_timeout = _number(
        environ, "ENDPOINT_READ_TIMEOUT_SECONDS", DEFAULT_READ_TIMEOUT, 1, MAX_READ_TIMEOUT, problems=problems
    )

    keys: tuple[str, ...] = ()
    raw_keys = environ.get("JSON_REQUIRED_KEYS", "")
    if raw_keys.strip():
        keys = tuple(dict.fromkeys(k.strip() for k in raw_keys.split(",") if k.strip()))
        bad = [k for k in keys if not _JSON_KEY.match(k)]
        if bad:
            problems.append(f"JSON_REQUIRED_KEYS has entries that are not plain key names: {', '.join(bad)}")

    if problems:
        raise ConfigError(problems)
    return Settings(
        endpoint_name=endpoint,
        allowed_content_types=types,
        max_body_bytes=int(max_bytes),
        json_required_keys=keys,
        read_timeout=float(read_timeout),
    )


def _number(environ: Mapping[str, str], name: str, default: float, low: float, high: float, *, problems: list[str]):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw) if isinstance(default, float) else int(raw)
    except ValueError:
        problems.append(f"{name} must be a number, got {raw!r}")
        return default
    if not low <= value <= high:
        problems.append(f"{name} must be from {low:n} to {high:n}, got {raw}")
    return value


@dataclass(frozen=True)
class Request:
    """A request worth sending: the body's bytes and its media type (without parameters)."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class Rejection:
    status: int
    error: str  # a stable code for programs
    message: str  # one sentence for people


def media_type(header: str | None) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    return (header or "").split(";", 1)[0].strip().lower()


def is_json(kind: str) -> bool:
    return kind == "application/json" or kind.endswith("+json")


def parse_request(event: Any, settings: Settings) -> Request | Rejection:
    """Check an HTTP API / function URL (payload 2.0) event. Never raises."""
    if not isinstance(event, Mapping):
        return Rejection(400, "bad_request", "the event is not an HTTP request")
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, Mapping) else None
    method = http.get("method") if isinstance(http, Mapping) else None
    if not isinstance(method, str):
        return Rejection(400, "bad_request", "the event is not an HTTP request")
    if method.upper() != "POST":
        return Rejection(405, "method_not_allowed", "only POST is allowed")

    headers = event.get("headers")
    headers = {str(k).lower(): v for k, v in headers.items()} if isinstance(headers, Mapping) else {}
    kind = media_type(headers.get("content-type") if isinstance(headers.get("content-type"), str) else None)
    allowed = ", ".join(settings.allowed_content_types)
    if not kind:
        return Rejection(415, "unsupported_media_type", f"a content-type header is required; allowed: {allowed}")
    if kind not in settings.allowed_content_types:
        return Rejection(415, "unsupported_media_type", f"content type {kind[:100]} is not allowed; allowed: {allowed}")

    body = event.get("body")
    if body is None or body == "":
        return Rejection(400, "empty_body", "the request body is empty")
    if not isinstance(body, str):
        return Rejection(400, "bad_request", "the request body is not text")
    limit = settings.max_body_bytes
    too_large = Rejection(413, "payload_too_large", f"the request body is larger than {limit} bytes")
    if event.get("isBase64Encoded") is True:
        # Refuse an oversized body before decoding it: base64 needs 4 characters per 3 bytes.
        if len(body) > 4 * ((limit + 2) // 3):
            return too_large
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return Rejection(400, "bad_base64", "the request body is flagged base64 but is not valid base64")
        if not data:
            return Rejection(400, "empty_body", "the request body is empty")
    else:
        if len(body) > limit:  # each character is at least one byte
            return too_large
        data = body.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        return too_large

    problem = check_content(data, kind, settings)
    if problem:
        return Rejection(400, "bad_body", problem)
    return Request(body=data, content_type=kind)


def check_content(data: bytes, kind: str, settings: Settings) -> str | None:
    """None when the body reads as its content type says, else the reason it does not."""
    if is_json(kind):
        return _check_json(data, settings.json_required_keys)
    if kind == "text/csv":
        return _check_csv(data)
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _check_json(data: bytes, required: tuple[str, ...]) -> str | None:
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        return "the JSON body is not UTF-8"
    except RecursionError:
        return "the JSON body is nested too deeply"
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return f"the body is not valid JSON{where}"
    if not isinstance(value, dict | list):
        return "the JSON body must be an object or an array"
    if not value:
        return "the JSON body is empty"
    if required:
        names = " or ".join(f'"{key}"' for key in required)
        if not isinstance(value, dict) or not any(key in value for key in required):
            return f"the JSON body must be an object with {names}"
    return None


def _check_csv(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "the CSV body is not UTF-8"
    if "\x00" in text:
        return "the CSV body contains NUL characters"
    try:
        widths = {len(row) for row in csv.reader(io.StringIO(text, newline="")) if row}
    except csv.Error:
        return "the body is not valid CSV"
    if not widths:
        return "the CSV body has no rows"
    if len(widths) > 1:
        return "the CSV rows do not all have the same number of columns"
    return None
