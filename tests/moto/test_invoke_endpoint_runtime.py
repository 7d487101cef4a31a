"""The endpoint invoker's Lambda entry point against moto's SageMaker runtime (in-process).

moto 5.2.5 answers InvokeEndpoint with canned results: a queue set through its API
(POST /moto-api/static/sagemaker/endpoint-results), each taken by the next distinct request and
repeated for the same request; with the queue empty, the static body "body". It does not check
that the endpoint exists, and it files results under endpoint None (it reads EndpointName from
the body, not the URL path), so what reached which endpoint is read from the requests botocore
sent. Here the handler makes its own client, as it does in Lambda.

What the canned answers cannot show (a model slower than the read timeout, throttling, a model
error) runs against moto's server on a free local port, over real HTTP, with its InvokeEndpoint
scripted per request (`ScriptedModel`): the read timeout is a real socket timeout, and what
reached the model is counted where the model is, not where the client is.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ConnectTimeoutError
from moto import mock_aws
from moto.core.exceptions import JsonRESTError
from moto.sagemakerruntime.models import SageMakerRuntimeBackend
from moto.server import ThreadedMotoServer

from smenv.build import lambda_loader

handler = lambda_loader.load("invoke_endpoint")

ACCOUNT, REGION, ENDPOINT = "123456789012", "eu-west-1", "churn-model"
CONTEXT = SimpleNamespace(aws_request_id="moto-req-1")


@pytest.fixture
def runtime(monkeypatch):
    """moto in-process, a function environment naming the endpoint, and no client yet."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("ENDPOINT_NAME", ENDPOINT)
    handler.set_client(None)
    with mock_aws():
        yield
    handler.set_client(None)


def queue_predictions(*results: tuple[str, str], moto_url: str = "http://motoapi.amazonaws.com") -> None:
    """The endpoint's next answers, set the way moto documents it (in-process, or on a server)."""
    payload = {
        "account_id": ACCOUNT,
        "region": REGION,
        "results": [
            {"Body": body, "ContentType": kind, "InvokedProductionVariant": "AllTraffic"} for body, kind in results
        ],
    }
    requests.post(f"{moto_url}/moto-api/static/sagemaker/endpoint-results", json=payload, timeout=5)


def request(body: str, content_type: str) -> dict:
    return {
        "version": "2.0",
        "headers": {"content-type": content_type},
        "requestContext": {"http": {"method": "POST", "path": "/", "sourceIp": "10.0.2.9"}},
        "body": body,
        "isBase64Encoded": False,
    }


def sent_requests() -> list[tuple[str, bytes]]:
    """(URL path, body) of every request the handler's own client sends from now on."""
    sent: list[tuple[str, bytes]] = []
    client = handler.get_client(handler.load_settings(os.environ))  # the container's client, made now

    def record(request, **_):
        sent.append((urlsplit(request.url).path, request.body))

    client.meta.events.register("before-send.sagemaker-runtime", record)
    return sent


def test_a_json_request_returns_the_endpoints_json_prediction(runtime):
    # Given an endpoint whose next answer is a JSON prediction
    queue_predictions(('{"predictions": [{"churn": 0.12}]}', "application/json"))
    sent = sent_requests()
    # When a caller POSTs a JSON record through the function URL
    response = handler.handler(request('{"instances": [{"tenure": 14, "plan": "basic"}]}', "application/json"), CONTEXT)
    # Then the caller gets that prediction, as JSON
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "application/json"
    assert json.loads(response["body"]) == {"predictions": [{"churn": 0.12}]}
    # And the configured endpoint received the caller's bytes
    assert sent == [(f"/endpoints/{ENDPOINT}/invocations", b'{"instances": [{"tenure": 14, "plan": "basic"}]}')]


def test_a_csv_request_returns_the_endpoints_csv_prediction(runtime):
    # Given an endpoint that answers CSV
    queue_predictions(("0.12\n0.87\n", "text/csv"))
    sent = sent_requests()
    # When a caller POSTs two CSV rows
    response = handler.handler(request("14,1,0\n2,0,1\n", "text/csv"), CONTEXT)
    # Then the caller gets the CSV answer, with the endpoint's content type
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/csv"
    assert response["body"] == "0.12\n0.87\n"
    assert sent == [(f"/endpoints/{ENDPOINT}/invocations", b"14,1,0\n2,0,1\n")]


def test_a_bad_request_never_reaches_the_endpoint(runtime):
    sent = sent_requests()
    # When a caller POSTs malformed JSON
    response = handler.handler(request('{"instances": [', "application/json"), CONTEXT)
    # Then it is refused, and the endpoint saw nothing
    assert response["statusCode"] == 400
    assert sent == []


# --- a slow, throttled or failing model, over real HTTP ----------------------------------------------

READ_TIMEOUT = 1  # seconds: ENDPOINT_READ_TIMEOUT_SECONDS, the least modules/invoker accepts


def slow(seconds: float) -> Callable[[], None]:
    # Not time.sleep: the fixture makes the invoker's backoff sleeps (time.sleep) return at once.
    return lambda: threading.Event().wait(seconds)


def refuse(code: str, status: int, message: str) -> Callable[[], None]:
    def act() -> None:
        error = JsonRESTError(code, message)
        error.code = status
        raise error

    return act


def answer() -> None:
    """The model answers: with the next prediction queued (queue_predictions), or moto's canned one."""


class ScriptedModel:
    """moto's InvokeEndpoint, doing the next scripted act on each request that reaches it."""

    def __init__(self, monkeypatch, *acts: Callable[[], None]) -> None:
        self.acts = list(acts)
        self.calls = 0
        self._lock = threading.Lock()
        original = SageMakerRuntimeBackend.invoke_endpoint

        def invoke_endpoint(backend, *args, **kwargs):
            with self._lock:
                self.calls += 1
                act = self.acts[min(self.calls, len(self.acts)) - 1]
            act()
            return original(backend, *args, **kwargs)

        monkeypatch.setattr(SageMakerRuntimeBackend, "invoke_endpoint", invoke_endpoint)


@pytest.fixture
def runtime_server(monkeypatch) -> Iterator[str]:
    """moto's server on a free port (its URL), the function's environment pointing at it, no client yet."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("ENDPOINT_NAME", ENDPOINT)
    monkeypatch.setenv("ENDPOINT_READ_TIMEOUT_SECONDS", str(READ_TIMEOUT))
    monkeypatch.setattr(handler.time, "sleep", lambda _seconds: None)  # the invoker's backoff, not the model's
    handler.set_client(None)
    yield f"http://{host}:{port}"
    handler.set_client(None)
    server.stop()


def invoke_once() -> dict:
    return handler.handler(request('{"instances": [{"tenure": 14}]}', "application/json"), CONTEXT)


def test_a_model_slower_than_the_read_timeout_is_asked_once_and_the_caller_gets_a_502(runtime_server, monkeypatch):
    # Given a model that takes twice the read timeout to answer
    model = ScriptedModel(monkeypatch, slow(2 * READ_TIMEOUT))
    sent = sent_requests()
    # When a caller POSTs a request
    began = time.monotonic()
    response = invoke_once()
    waited = time.monotonic() - began
    # Then the caller gets a 502 once the read timeout has passed, and no later
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == "endpoint_timeout"
    assert READ_TIMEOUT <= waited < 2 * READ_TIMEOUT
    # And the model was asked exactly once: one request sent, one reached it
    assert len(sent) == 1
    assert model.calls == 1


def test_throttling_twice_then_an_answer_is_a_200_after_three_calls(runtime_server, monkeypatch):
    # Given an endpoint that throttles twice before the model answers
    throttle = refuse("ThrottlingException", 400, "Rate exceeded")
    model = ScriptedModel(monkeypatch, throttle, throttle, answer)
    queue_predictions(('{"predictions": [{"churn": 0.31}]}', "application/json"), moto_url=runtime_server)
    sent = sent_requests()
    # When a caller POSTs a request
    response = invoke_once()
    # Then it was sent three times, and the caller gets the prediction
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"predictions": [{"churn": 0.31}]}
    assert len(sent) == 3
    assert model.calls == 3


def test_a_connect_timeout_once_then_an_answer_is_a_200(runtime_server, monkeypatch):
    # Given a first connection attempt that times out (the request never leaves the function)
    model = ScriptedModel(monkeypatch, answer)
    client = handler.get_client(handler.load_settings(os.environ))
    attempts: list[str] = []

    def connect_times_out_once(request, **_):
        attempts.append(request.url)
        if len(attempts) == 1:
            raise ConnectTimeoutError(endpoint_url=request.url)

    client.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", connect_times_out_once)
    # When a caller POSTs a request
    response = invoke_once()
    # Then the second attempt reached the model, once, and the caller gets the prediction
    assert response["statusCode"] == 200
    assert len(attempts) == 2
    assert model.calls == 1


def test_a_model_error_is_one_call_and_a_502(runtime_server, monkeypatch):
    # Given a model container that fails with an error of its own
    model = ScriptedModel(monkeypatch, refuse("ModelError", 424, "Received server error (500) from primary"), answer)
    sent = sent_requests()
    # When a caller POSTs a request
    response = invoke_once()
    # Then the model was asked once, and the caller gets a 502 that says so
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == "model_error"
    assert len(sent) == 1
    assert model.calls == 1
