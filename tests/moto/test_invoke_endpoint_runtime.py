"""The endpoint invoker's Lambda entry point against moto's SageMaker runtime (in-process).

moto 5.2.5 answers InvokeEndpoint with canned results: a queue set through its API
(POST /moto-api/static/sagemaker/endpoint-results), each taken by the next distinct request and
repeated for the same request; with the queue empty, the static body "body". It does not check
that the endpoint exists, and it files results under endpoint None (it reads EndpointName from
the body, not the URL path), so what reached which endpoint is read from the requests botocore
sent. Here the handler makes its own client, as it does in Lambda.
"""

from __future__ import annotations

import json
import os
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from moto import mock_aws

import lambda_loader

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


def queue_predictions(*results: tuple[str, str]) -> None:
    """The endpoint's next answers, set the way moto documents it."""
    payload = {
        "account_id": ACCOUNT,
        "region": REGION,
        "results": [
            {"Body": body, "ContentType": kind, "InvokedProductionVariant": "AllTraffic"} for body, kind in results
        ],
    }
    requests.post("http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results", json=payload, timeout=5)


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
