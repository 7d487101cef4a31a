"""One JSON object per log line, so CloudWatch Logs Insights can filter on any field.

Records carry their fields in `extra={"fields": {...}}`; the request id of the invocation is
added to every line. The logger writes to stdout itself (Lambda sends stdout to CloudWatch) and
does not propagate, so the runtime's own handler never prints the same line a second time.
Callers never put request bodies in fields: only sizes, types and outcomes.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER_NAME = "smenv.invoke_endpoint"
_STATE: dict[str, str | None] = {"request_id": None}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if _STATE["request_id"]:
            line["aws_request_id"] = _STATE["request_id"]
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at emit time (pytest's capsys swaps it between tests)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


def get_logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def set_request_id(request_id: str | None) -> None:
    _STATE["request_id"] = request_id
