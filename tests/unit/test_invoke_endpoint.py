"""The endpoint invoker as a caller and an operator see it: what it answers, what it calls, what it logs.

The sagemaker-runtime client is a real botocore client. Where the test needs to control the
endpoint's answer it is stubbed either with botocore's Stubber (which also refuses any operation
or parameter the test did not expect) or one level lower, at botocore's HTTP send, so that
signing, response parsing and the invoker's own retries run as they do in Lambda, and every
request that would have left the function is counted.
"""

from __future__ import annotations

import base64
import io
import json
from types import SimpleNamespace
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
    ResponseStreamingError,
    SSLError,
)
from botocore.retries import standard
from botocore.stub import Stubber

from smenv.build import lambda_loader

handler = lambda_loader.load("invoke_endpoint")
validation = lambda_loader.load("invoke_endpoint", "validation")

ENDPOINT = "fraud-scorer"
REGION = "eu-west-1"
SETTINGS = validation.Settings(endpoint_name=ENDPOINT)
CONTEXT = SimpleNamespace(aws_request_id="req-0001")
PREDICTION = b'{"predictions": [0.93]}'
RUNTIME_URL = f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/{ENDPOINT}/invocations"
SECRET_MARKER = "card-4111-1111-1111-1111"  # stands for personal data in a request body


def runtime_client(read_timeout: float = validation.DEFAULT_READ_TIMEOUT):
    """A sagemaker-runtime client configured exactly as the handler configures its own."""
    session = botocore.session.get_session()
    session.set_credentials("testing", "testing")
    return session.create_client("sagemaker-runtime", region_name=REGION, config=handler.client_config(read_timeout))


def http_event(
    body: str | None = '{"instances": [[1, 2, 3]]}',
    content_type: str | None = "application/json",
    *,
    method: str = "POST",
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """A payload-2.0 event, as a Lambda function URL or an HTTP API sends it."""
    headers = {"host": "abc.lambda-url.eu-west-1.on.aws", "user-agent": "curl/8"}
    if content_type is not None:
        headers["content-type"] = content_type
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": method, "path": "/", "protocol": "HTTP/1.1", "sourceIp": "10.0.1.7"},
            "requestId": "req-0001",
        },
        "isBase64Encoded": base64_encoded,
    }
    if body is not None:
        event["body"] = body
    return event


def calls_made(client) -> list[tuple[str, dict]]:
    """Every operation the client is asked to make, with its parameters, from now on."""
    seen: list[tuple[str, dict]] = []

    def record(model, params, **_):
        seen.append((model.name, params))

    client.meta.events.register("provide-client-params", record)
    return seen


def answer(response: dict[str, Any]) -> Any:
    body = response["body"]
    return json.loads(body) if response["headers"]["content-type"] == "application/json" else body


class _Raw(io.BytesIO):
    def stream(self, **_):
        yield self.getvalue()


class FakeEndpoint:
    """The SageMaker runtime behind botocore's HTTP send: each attempt gets the next scripted answer."""

    def __init__(self, client, *answers: tuple[int, dict[str, str], bytes] | Exception) -> None:
        self.answers = list(answers)
        self.attempts = 0
        client.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", self)

    def __call__(self, request, **_):
        self.attempts += 1
        reply = self.answers[min(self.attempts, len(self.answers)) - 1]
        if isinstance(reply, Exception):
            raise reply
        status, headers, body = reply
        return AWSResponse(request.url, status, headers, _Raw(body))


def throttled() -> tuple[int, dict[str, str], bytes]:
    return 400, {"x-amzn-ErrorType": "ThrottlingException"}, b'{"message": "Rate exceeded"}'


def model_error() -> tuple[int, dict[str, str], bytes]:
    """What SageMaker answers when the model container answered with an error of its own."""
    body = {"message": "Received server error (500) from primary", "OriginalStatusCode": 500}
    return 424, {"x-amzn-ErrorType": "ModelError"}, json.dumps(body).encode()


def prediction() -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, PREDICTION


@pytest.fixture
def no_backoff(monkeypatch) -> list[float]:
    """The invoker's backoff sleeps between attempts, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(handler.time, "sleep", slept.append)
    return slept


@pytest.fixture
def stubbed():
    client = runtime_client()
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_invoke(stubber: Stubber, body: bytes, content_type: str, *, reply=PREDICTION, reply_type="application/json"):
    stubber.add_response(
        "invoke_endpoint",
        {"Body": io.BytesIO(reply), "ContentType": reply_type},
        {"EndpointName": ENDPOINT, "ContentType": content_type, "Body": body},
    )


# --- predictions ---------------------------------------------------------------------------------


def test_a_json_request_gets_the_endpoints_prediction(stubbed):
    # Given an endpoint that answers with a JSON prediction
    client, stubber = stubbed
    body = '{"instances": [[1, 2, 3]]}'
    expect_invoke(stubber, body.encode(), "application/json")
    # When a caller POSTs JSON
    response = handler.handle(http_event(body), SETTINGS, client, request_id="req-0001")
    # Then the prediction comes back as the endpoint sent it, with its content type
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "application/json"
    assert response["body"] == PREDICTION.decode()
    assert response["isBase64Encoded"] is False


def test_a_csv_request_gets_the_endpoints_csv_answer(stubbed):
    # Given an endpoint that answers CSV with CSV
    client, stubber = stubbed
    expect_invoke(stubber, b"5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n", "text/csv", reply=b"0\n1\n", reply_type="text/csv")
    # When a caller POSTs two CSV rows
    response = handler.handle(http_event("5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n", "text/csv"), SETTINGS, client)
    # Then both predictions come back as text/csv
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/csv"
    assert response["body"] == "0\n1\n"


def test_a_charset_parameter_is_accepted_and_the_endpoint_gets_the_plain_media_type(stubbed):
    client, stubber = stubbed
    expect_invoke(stubber, b'{"inputs": "hello"}', "application/json")
    response = handler.handle(http_event('{"inputs": "hello"}', "Application/JSON; charset=utf-8"), SETTINGS, client)
    assert response["statusCode"] == 200


def test_a_base64_encoded_body_is_decoded_before_it_is_sent(stubbed):
    # Given a function URL that base64-encodes the body it received
    client, stubber = stubbed
    raw = b'{"instances": [{"text": "caf\xc3\xa9"}]}'
    expect_invoke(stubber, raw, "application/json")
    event = http_event(base64.b64encode(raw).decode(), base64_encoded=True)
    # When it is handled, then the endpoint gets the original bytes
    assert handler.handle(event, SETTINGS, client)["statusCode"] == 200


def test_a_binary_prediction_is_returned_base64_encoded(stubbed):
    client, stubber = stubbed
    npy = b"\x93NUMPY\x01\x00\xff\xfe"
    expect_invoke(stubber, b'{"inputs": [1]}', "application/json", reply=npy, reply_type="application/x-npy")
    response = handler.handle(http_event('{"inputs": [1]}'), SETTINGS, client)
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    assert base64.b64decode(response["body"]) == npy
    assert response["headers"]["content-type"] == "application/x-npy"


# --- bad requests never reach the endpoint ---------------------------------------------------------

TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("event", "status", "error", "reason"),
    [
        (http_event(None), 400, "empty_body", "empty"),
        (http_event(""), 400, "empty_body", "empty"),
        (http_event("<xml/>", "application/xml"), 415, "unsupported_media_type", "application/xml is not allowed"),
        (http_event('{"a": 1}', None), 415, "unsupported_media_type", "content-type header is required"),
        (http_event('{"x": "' + "a" * TEN_MB + '"}'), 413, "payload_too_large", "larger than 1048576 bytes"),
        (
            http_event(base64.b64encode(b"1," * (TEN_MB // 2)).decode(), "text/csv", base64_encoded=True),
            413,
            "payload_too_large",
            "larger than",
        ),
        (http_event('{"instances": [1, 2'), 400, "bad_body", "not valid JSON (line 1, column"),
        (http_event("{'single': 'quotes'}"), 400, "bad_body", "not valid JSON"),
        (http_event('{"instances": [NaN]}'), 400, "bad_body", "not valid JSON"),
        (http_event("42"), 400, "bad_body", "must be an object or an array"),
        (http_event("[]"), 400, "bad_body", "JSON body is empty"),
        (http_event("[" * 100_000 + "]" * 100_000), 400, "bad_body", "nested too deeply"),
        (http_event("not base64!!", base64_encoded=True), 400, "bad_base64", "not valid base64"),
        (http_event(base64.b64encode(b"\xff\xfe{}").decode(), base64_encoded=True), 400, "bad_body", "not UTF-8"),
        (http_event("1,2,3\n4,5\n", "text/csv"), 400, "bad_body", "same number of columns"),
        (http_event("\n\n", "text/csv"), 400, "bad_body", "no rows"),
        (http_event('{"a": 1}', method="GET"), 405, "method_not_allowed", "only POST"),
        (http_event('{"a": 1}', method="PUT"), 405, "method_not_allowed", "only POST"),
        ({"body": "{}", "headers": {}}, 400, "bad_request", "not an HTTP request"),
    ],
    ids=[
        "no body",
        "empty body",
        "wrong content type",
        "no content type",
        "10 MB body",
        "10 MB base64 body",
        "truncated JSON",
        "single-quoted JSON",
        "NaN in JSON",
        "JSON scalar",
        "empty JSON array",
        "deeply nested JSON",
        "base64 flag but not base64",
        "JSON not UTF-8",
        "ragged CSV",
        "CSV without rows",
        "GET",
        "PUT",
        "not an HTTP event",
    ],
)
def test_a_bad_request_is_refused_with_a_reason_and_the_endpoint_is_not_called(stubbed, event, status, error, reason):
    # Given a client that refuses any call the test did not expect (none is expected)
    client, _stubber = stubbed
    calls = calls_made(client)
    # When the bad request is handled
    response = handler.handle(event, SETTINGS, client, request_id="req-0001")
    # Then the caller gets a 4xx that says why, and no AWS call was made
    assert response["statusCode"] == status
    assert response["headers"]["content-type"] == "application/json"
    body = json.loads(response["body"])
    assert body["error"] == error
    assert reason in body["message"]
    assert body["request_id"] == "req-0001"
    assert calls == []


def test_a_refused_method_says_which_method_is_allowed(stubbed):
    client, _ = stubbed
    response = handler.handle(http_event(method="GET"), SETTINGS, client)
    assert response["headers"]["allow"] == "POST"


def test_the_size_limit_applies_to_the_decoded_bytes_and_is_configurable(stubbed):
    # Given a limit of 16 bytes
    client, stubber = stubbed
    settings = validation.Settings(endpoint_name=ENDPOINT, max_body_bytes=16)
    exactly = '{"inputs": "12"}'  # 16 bytes
    expect_invoke(stubber, exactly.encode(), "application/json")
    # When bodies of 16 and 17 bytes arrive, then the first is sent and the second refused
    assert handler.handle(http_event(exactly), settings, client)["statusCode"] == 200
    assert handler.handle(http_event('{"inputs": "123"}'), settings, client)["statusCode"] == 413
    # And characters count by their UTF-8 bytes: 14 characters that take 20 bytes are refused
    assert len('{"i":"éééééé"}') == 14
    assert handler.handle(http_event('{"i":"éééééé"}'), settings, client)["statusCode"] == 413
    expect_invoke(stubber, '{"i":"éééé"}'.encode(), "application/json")  # 16 bytes
    assert handler.handle(http_event('{"i":"éééé"}'), settings, client)["statusCode"] == 200


def test_required_json_keys_refuse_an_object_without_them(stubbed):
    # Given a function that requires "instances" or "inputs" (JSON_REQUIRED_KEYS)
    client, stubber = stubbed
    settings = validation.load_settings({"ENDPOINT_NAME": ENDPOINT, "JSON_REQUIRED_KEYS": "instances, inputs"})
    # When an object has neither, or is an array, then it is refused
    for body in ('{"data": [1]}', "[[1, 2]]"):
        response = handler.handle(http_event(body), settings, client)
        assert response["statusCode"] == 400
        assert '\\"instances\\" or \\"inputs\\"' in response["body"]
    # And an object with one of them is sent
    expect_invoke(stubber, b'{"inputs": [1]}', "application/json")
    assert handler.handle(http_event('{"inputs": [1]}'), settings, client)["statusCode"] == 200


def test_the_content_type_allow_list_comes_from_the_environment(stubbed):
    client, stubber = stubbed
    settings = validation.load_settings({"ENDPOINT_NAME": ENDPOINT, "ALLOWED_CONTENT_TYPES": "application/x-npy"})
    assert handler.handle(http_event('{"a": 1}'), settings, client)["statusCode"] == 415
    expect_invoke(stubber, b"\x93NUMPY", "application/x-npy")
    event = http_event(base64.b64encode(b"\x93NUMPY").decode(), "application/x-npy", base64_encoded=True)
    assert handler.handle(event, settings, client)["statusCode"] == 200


# --- the endpoint fails ---------------------------------------------------------------------------


def test_a_model_error_is_a_502_that_does_not_leak_the_models_message(stubbed, capsys):
    # Given a model container that fails with a stack trace in its message
    client, stubber = stubbed
    stubber.add_client_error(
        "invoke_endpoint",
        service_error_code="ModelError",
        service_message='Received server error (500) from model: Traceback: File "/opt/ml/code/inference.py"',
        http_status_code=424,
        response_meta={"RetryAttempts": 0},
    )
    # When a request is handled
    response = handler.handle(http_event(), SETTINGS, client, request_id="req-0001")
    # Then the caller gets a 502 with a generic message, and nothing of the model's
    assert response["statusCode"] == 502
    body = json.loads(response["body"])
    assert body == {"error": "model_error", "message": handler.ENDPOINT_FAILED, "request_id": "req-0001"}
    assert "Traceback" not in response["body"]
    assert "inference.py" not in response["body"]
    # And the log says what the endpoint answered
    line = last_log_line(capsys)
    assert line["outcome"] == "endpoint_error"
    assert line["aws_error_code"] == "ModelError"
    assert line["http_status"] == 424


def test_a_validation_error_from_the_endpoint_is_a_502(stubbed):
    # Given an endpoint that does not exist (SageMaker answers ValidationError)
    client, stubber = stubbed
    stubber.add_client_error(
        "invoke_endpoint",
        service_error_code="ValidationError",
        service_message="Endpoint fraud-scorer of account 123456789012 not found.",
        http_status_code=400,
    )
    response = handler.handle(http_event(), SETTINGS, client)
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == "endpoint_rejected"
    assert "123456789012" not in response["body"]


# --- what is sent again, and what never is ----------------------------------------------------------


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "InvokeEndpoint")


def _code(value: object) -> str:
    if isinstance(value, ClientError):
        return f"({value.response['Error']['Code']}, {value.response['ResponseMetadata']['HTTPStatusCode']})"
    return ""


@pytest.mark.parametrize(
    ("failure", "retried"),
    [
        # refused before the model was asked
        (client_error("ThrottlingException", 400), True),
        (client_error("ThrottlingException", 429), True),
        (client_error("Throttling", 400), True),
        (client_error("TooManyRequestsException", 429), True),
        (client_error("ModelNotReadyException", 429), True),
        (client_error("429", 429), True),
        # never sent: no connection was made
        (ConnectTimeoutError(endpoint_url=RUNTIME_URL), True),
        (EndpointConnectionError(endpoint_url=RUNTIME_URL), True),
        # the model may have seen it
        (ReadTimeoutError(endpoint_url=RUNTIME_URL), False),
        (ConnectionClosedError(endpoint_url=RUNTIME_URL), False),
        (SSLError(endpoint_url=RUNTIME_URL, error="EOF occurred in violation of protocol"), False),
        (HTTPClientError(error="connection reset by peer"), False),
        (ResponseStreamingError(error="connection broken"), False),
        # the endpoint answered
        (client_error("ModelError", 424), False),
        (client_error("ModelError", 429), False),
        (client_error("ValidationError", 400), False),
        (client_error("InternalFailure", 500), False),
        (client_error("ServiceUnavailable", 503), False),
        (client_error("InternalDependencyException", 530), False),
        (client_error("AccessDeniedException", 400), False),
        # not an endpoint failure at all
        (NoCredentialsError(), False),
    ],
    ids=lambda value: str(value) if isinstance(value, bool) else type(value).__name__ + _code(value),
)
def test_only_a_failure_that_proves_the_model_never_saw_the_request_may_be_retried(failure, retried):
    assert handler.may_retry(failure) is retried


def test_a_model_slower_than_the_read_timeout_is_asked_once_and_answered_502(no_backoff, capsys):
    # Given a model that takes longer than the read timeout (botocore raises ReadTimeoutError)
    client = runtime_client()
    endpoint = FakeEndpoint(client, ReadTimeoutError(endpoint_url=RUNTIME_URL), prediction())
    # When a request is handled
    response = handler.handle(http_event(), SETTINGS, client)
    # Then the model was asked exactly once, and the caller gets a 502 at once
    assert endpoint.attempts == 1
    assert no_backoff == []
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == "endpoint_timeout"
    assert last_log_line(capsys)["attempts"] == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (model_error(), "model_error"),
        ((500, {"x-amzn-ErrorType": "InternalFailure"}, b'{"message": "oops"}'), "endpoint_error"),
        ((503, {"x-amzn-ErrorType": "ServiceUnavailable"}, b'{"message": "busy"}'), "endpoint_error"),
        ((400, {"x-amzn-ErrorType": "ValidationError"}, b'{"message": "bad input"}'), "endpoint_rejected"),
        (ConnectionClosedError(endpoint_url=RUNTIME_URL), "endpoint_error"),
    ],
    ids=["ModelError", "InternalFailure 500", "ServiceUnavailable 503", "ValidationError", "connection closed"],
)
def test_a_request_the_endpoint_may_have_processed_is_sent_exactly_once(no_backoff, answer, error):
    # Given an endpoint that fails after the request reached it, and would answer a second time
    client = runtime_client()
    endpoint = FakeEndpoint(client, answer, prediction())
    # When a request is handled
    response = handler.handle(http_event(), SETTINGS, client)
    # Then it was sent once, and the caller gets a 502 naming the failure
    assert endpoint.attempts == 1
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == error


def test_a_model_error_is_one_invoke_endpoint_call(stubbed):
    # Given a model that answers with an error (and a client that counts every call it is asked for)
    client, stubber = stubbed
    calls = calls_made(client)
    stubber.add_client_error("invoke_endpoint", service_error_code="ModelError", http_status_code=424)
    # When a request is handled, then exactly one InvokeEndpoint call was made
    assert handler.handle(http_event(), SETTINGS, client)["statusCode"] == 502
    assert [name for name, _ in calls] == ["InvokeEndpoint"]


def test_throttling_twice_then_a_prediction_is_a_200_after_three_calls(no_backoff, capsys):
    # Given an endpoint that throttles twice, then answers
    client = runtime_client()
    endpoint = FakeEndpoint(client, throttled(), throttled(), prediction())
    # When a request is handled
    response = handler.handle(http_event(), SETTINGS, client)
    # Then it was sent three times, backing off in between, and the caller gets the prediction
    assert endpoint.attempts == 3
    assert len(no_backoff) == 2
    assert response["statusCode"] == 200
    assert response["body"] == PREDICTION.decode()
    assert last_log_line(capsys)["attempts"] == 3


def test_throttling_on_every_attempt_is_a_502_after_three(no_backoff, capsys):
    client = runtime_client()
    endpoint = FakeEndpoint(client, throttled())
    response = handler.handle(http_event(), SETTINGS, client)
    assert endpoint.attempts == handler.MAX_ATTEMPTS == 3
    assert len(no_backoff) == 2
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == "endpoint_throttled"
    assert last_log_line(capsys)["attempts"] == 3


def test_a_bare_429_is_retried(no_backoff):
    client = runtime_client()
    endpoint = FakeEndpoint(client, (429, {}, b""), prediction())
    assert handler.handle(http_event(), SETTINGS, client)["statusCode"] == 200
    assert endpoint.attempts == 2


@pytest.mark.parametrize(
    "failure",
    [ConnectTimeoutError(endpoint_url=RUNTIME_URL), EndpointConnectionError(endpoint_url=RUNTIME_URL)],
    ids=["connect timeout", "connection refused"],
)
def test_a_connection_that_failed_once_is_retried_and_the_prediction_returned(no_backoff, failure):
    # Given a connection that cannot be made once (the request was never sent), then an answer
    client = runtime_client()
    endpoint = FakeEndpoint(client, failure, prediction())
    # When a request is handled
    response = handler.handle(http_event(), SETTINGS, client)
    # Then it was sent on the second attempt, after a short backoff, and the caller gets a 200
    assert endpoint.attempts == 2
    assert len(no_backoff) == 1 and 0 <= no_backoff[0] <= handler.TRANSIENT_BACKOFF_BASE
    assert response["statusCode"] == 200


def test_an_endpoint_that_cannot_be_reached_is_a_502_after_three_attempts(no_backoff):
    client = runtime_client()
    endpoint = FakeEndpoint(client, ConnectTimeoutError(endpoint_url=RUNTIME_URL))
    response = handler.handle(http_event(), SETTINGS, client)
    assert endpoint.attempts == 3
    assert response["statusCode"] == 502
    assert json.loads(response["body"])["error"] == "endpoint_timeout"


def _botocore_backoff(attempt: int, code: str | None, jitter: float) -> float:
    """botocore's own standard-mode delay for a failed attempt: a throttling code, or a connection error."""
    detector = standard.ThrottlingErrorDetector(standard.RetryEventAdapter())
    backoff = standard.ExponentialBackoff(random=lambda: jitter, throttling_detector=detector)
    parsed = {"Error": {"Code": code}} if code else None
    return backoff.delay_amount(standard.RetryContext(attempt_number=attempt, parsed_response=parsed))


@pytest.mark.parametrize("attempt", [1, 2, 3, 6, 10])
@pytest.mark.parametrize("jitter", [0.0, 0.37, 0.999])
def test_the_backoff_is_botocores_standard_mode_backoff(attempt, jitter):
    throttled = handler.backoff_seconds(attempt, throttled=True, jitter=jitter)
    assert throttled == pytest.approx(_botocore_backoff(attempt, "ThrottlingException", jitter))
    transient = handler.backoff_seconds(attempt, throttled=False, jitter=jitter)
    assert transient == pytest.approx(_botocore_backoff(attempt, None, jitter))


def test_botocore_itself_sends_each_call_once():
    # Given the client the invoker makes (botocore's standard mode would retry read timeouts and 5xx)
    config = handler.client_config(60.0)
    # Then botocore makes one attempt per call and the invoker decides what is sent again
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert config.connect_timeout == handler.CONNECT_TIMEOUT == 2.0
    assert config.read_timeout == 60.0


def test_a_request_is_answered_within_the_read_timeout_plus_nine_seconds():
    # Two attempts that could not connect (2 s each) and their longest backoffs (1 s, 2 s) come
    # before the one that reaches the model: modules/invoker's function timeout allows for 12 s.
    assert handler.RETRY_ALLOWANCE == 7.0
    assert handler.worst_case_seconds(60.0) == 69.0


def test_an_unexpected_failure_is_a_generic_500_without_a_stack_trace(capsys):
    # Given a client that breaks in a way nobody planned for
    class Broken:
        def invoke_endpoint(self, **_):
            raise RuntimeError("secret internal state /var/task/handler.py")

    # When a request is handled
    response = handler.handle(http_event(), SETTINGS, Broken())
    # Then the caller sees a generic 500, and the log has the trace
    assert response["statusCode"] == 500
    assert "secret" not in response["body"]
    assert "Traceback" not in response["body"]
    assert "Traceback" in capsys.readouterr().out


# --- the one call it makes ------------------------------------------------------------------------


def test_every_kind_of_request_makes_at_most_one_invoke_endpoint_call_on_the_configured_endpoint(stubbed):
    # Given a client that answers exactly one InvokeEndpoint on the configured endpoint per good request
    client, stubber = stubbed
    calls = calls_made(client)
    good = [
        http_event('{"inputs": [1]}'),
        http_event("1,2\n", "text/csv"),
        http_event(base64.b64encode(b'{"instances": []}').decode(), base64_encoded=True),
    ]
    bad = [http_event(None), http_event(method="GET"), http_event("x", "text/html"), http_event("{")]
    for event in good:
        body = base64.b64decode(event["body"]) if event["isBase64Encoded"] else event["body"].encode()
        expect_invoke(stubber, body, event["headers"]["content-type"])
    # When good and bad requests are handled
    statuses = [handler.handle(event, SETTINGS, client)["statusCode"] for event in good + bad]
    # Then only the good ones called AWS, each once, and only InvokeEndpoint on the one endpoint
    assert statuses == [200, 200, 200, 400, 405, 415, 400]
    assert [name for name, _ in calls] == ["InvokeEndpoint"] * 3
    assert {params["EndpointName"] for _, params in calls} == {ENDPOINT}


# --- configuration and the Lambda entry point -----------------------------------------------------


@pytest.fixture
def entry(monkeypatch):
    """handler.handler with a stubbed container client and a clean environment."""
    for name in (
        "ENDPOINT_NAME",
        "ALLOWED_CONTENT_TYPES",
        "MAX_BODY_BYTES",
        "JSON_REQUIRED_KEYS",
        "ENDPOINT_READ_TIMEOUT_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    client = runtime_client()
    with Stubber(client) as stubber:
        handler.set_client(client)
        yield stubber
    handler.set_client(None)


def last_log_line(capsys) -> dict[str, Any]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert lines, "no JSON log line was written"
    return lines[-1]


def test_the_lambda_entry_point_answers_with_the_configured_endpoints_prediction(entry, monkeypatch, capsys):
    monkeypatch.setenv("ENDPOINT_NAME", ENDPOINT)
    expect_invoke(entry, b'{"inputs": [1]}', "application/json")
    response = handler.handler(http_event('{"inputs": [1]}'), CONTEXT)
    assert response["statusCode"] == 200
    line = last_log_line(capsys)
    assert line["outcome"] == "ok"
    assert line["aws_request_id"] == "req-0001"
    assert line["endpoint_name"] == ENDPOINT
    assert line["body_bytes"] == 15


def test_a_missing_endpoint_name_is_a_generic_500_and_one_structured_log_line(entry, capsys):
    # Given a function deployed without ENDPOINT_NAME
    # When a request arrives
    response = handler.handler(http_event(), CONTEXT)
    # Then the caller gets a 500 that says nothing about the configuration
    assert response["statusCode"] == 500
    body = json.loads(response["body"])
    assert body["error"] == "internal_error"
    assert "ENDPOINT_NAME" not in response["body"]
    # And the operator gets one JSON line naming the problem
    line = last_log_line(capsys)
    assert line["level"] == "ERROR"
    assert line["message"] == "configuration_invalid"
    assert line["problems"] == ["ENDPOINT_NAME is not set"]


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"ENDPOINT_NAME": "not_an endpoint"}, "ENDPOINT_NAME is not a SageMaker endpoint name"),
        ({"ENDPOINT_NAME": ENDPOINT, "MAX_BODY_BYTES": "7340032"}, "MAX_BODY_BYTES must be from 1 to 6291456"),
        ({"ENDPOINT_NAME": ENDPOINT, "MAX_BODY_BYTES": "1MB"}, "MAX_BODY_BYTES must be a number"),
        ({"ENDPOINT_NAME": ENDPOINT, "ALLOWED_CONTENT_TYPES": " , "}, "ALLOWED_CONTENT_TYPES is empty"),
        ({"ENDPOINT_NAME": ENDPOINT, "ALLOWED_CONTENT_TYPES": "json"}, "not media types: json"),
        ({"ENDPOINT_NAME": ENDPOINT, "ENDPOINT_READ_TIMEOUT_SECONDS": "120"}, "must be from 1 to 60"),
        ({"ENDPOINT_NAME": ENDPOINT, "ENDPOINT_READ_TIMEOUT_SECONDS": "0"}, "must be from 1 to 60"),
        ({"ENDPOINT_NAME": ENDPOINT, "ENDPOINT_READ_TIMEOUT_SECONDS": "1m"}, "must be a number"),
        ({"ENDPOINT_NAME": ENDPOINT, "JSON_REQUIRED_KEYS": "a b"}, "not plain key names"),
    ],
)
def test_a_wrong_setting_is_named_in_the_configuration_error(environ, problem):
    with pytest.raises(validation.ConfigError) as caught:
        validation.load_settings(environ)
    assert any(problem in item for item in caught.value.problems)


def test_the_defaults_are_json_and_csv_one_mib_no_required_keys_and_sixty_seconds_for_the_model():
    settings = validation.load_settings({"ENDPOINT_NAME": ENDPOINT})
    assert settings.allowed_content_types == ("application/json", "text/csv")
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.json_required_keys == ()
    assert settings.read_timeout == 60.0  # SageMaker gives a real-time model 60 s to answer


def test_the_container_client_waits_for_the_model_as_long_as_the_environment_says(monkeypatch):
    # Given a function deployed with ENDPOINT_READ_TIMEOUT_SECONDS=20 (modules/invoker's read_timeout_seconds)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    settings = validation.load_settings({"ENDPOINT_NAME": ENDPOINT, "ENDPOINT_READ_TIMEOUT_SECONDS": "20"})
    handler.set_client(None)
    try:
        # When its client is made, then it reads for 20 s and connects within 2 s
        config = handler.get_client(settings).meta.config
        assert (config.read_timeout, config.connect_timeout) == (20.0, 2.0)
    finally:
        handler.set_client(None)


def test_request_bodies_never_reach_the_log(entry, monkeypatch, capsys):
    # Given requests carrying personal data, good and bad
    monkeypatch.setenv("ENDPOINT_NAME", ENDPOINT)
    good = json.dumps({"inputs": SECRET_MARKER})
    expect_invoke(entry, good.encode(), "application/json", reply=json.dumps({"echo": SECRET_MARKER}).encode())
    # When they are handled
    handler.handler(http_event(good), CONTEXT)
    handler.handler(http_event('{"inputs": "' + SECRET_MARKER), CONTEXT)
    handler.handler(http_event(SECRET_MARKER, "text/plain"), CONTEXT)
    # Then the log has a line for each, and none of the data
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if '"message": "request"' in line]) == 3
    assert SECRET_MARKER not in out


def test_the_container_makes_its_client_once(monkeypatch):
    # Given a fresh container (no client yet) in a region
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    handler.set_client(None)
    try:
        # When two invocations ask for it, then they get the same client, for sagemaker-runtime
        first = handler.get_client(SETTINGS)
        assert handler.get_client(SETTINGS) is first
        assert first.meta.service_model.service_name == "sagemaker-runtime"
        assert first.meta.region_name == REGION
    finally:
        handler.set_client(None)
