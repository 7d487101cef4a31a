"""Benchmark: the endpoint invoker's handler time, cold and warm, in-process, with no network.

    python bench/invoker.py                        # 2000 warm calls, 10 cold processes, botocore Stubber
    python bench/invoker.py -n 5000 --cold 20
    python bench/invoker.py --stub http --json     # stub at botocore's HTTP send instead (see below)

The handler is imported the way Lambda imports it (lambda/invoke_endpoint/ on sys.path, then
`import handler`), and its sagemaker-runtime client answers from a stub:

- `--stub stubber` (default): botocore's Stubber returns the response before any request is
  built, so the figures are the handler's own work plus botocore's parameter validation.
- `--stub http`: a `before-send` hook returns a canned HTTP response, so request serialisation,
  SigV4 signing, the retry handler and response parsing run too: the client-side cost of a real
  call, less the network and the model.

Warm: one process, a few unmeasured calls, then -n calls of handler(event, context) with a
valid JSON request; prints p50/p99/mean. Cold: --cold fresh Python processes, each timing
import + client creation + first call (the Stubber's set-up is not counted); prints the median,
min and max, and the median of each part. Interpreter start-up is excluded (Lambda's runtime is
already running when it imports the handler); the whole process time is shown for reference.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
FUNCTION_DIR = REPO / "lambda" / "invoke_endpoint"
ENDPOINT, REGION = "bench-endpoint", "us-east-1"
BODY = json.dumps({"instances": [[0.1 * i for i in range(32)] for _ in range(8)]})
PREDICTION = json.dumps({"predictions": [0.5] * 8}).encode()
EVENT = {
    "version": "2.0",
    "headers": {"content-type": "application/json", "host": "bench.lambda-url.us-east-1.on.aws"},
    "requestContext": {"http": {"method": "POST", "path": "/", "sourceIp": "127.0.0.1"}},
    "body": BODY,
    "isBase64Encoded": False,
}
FUNCTION_ENV = {
    "ENDPOINT_NAME": ENDPOINT,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def stub(client, mode: str, calls: int):
    """Make client answer `calls` InvokeEndpoint requests with PREDICTION, without the network."""
    if mode == "stubber":
        from botocore.stub import Stubber

        stubber = Stubber(client)
        for _ in range(calls):
            stubber.add_response("invoke_endpoint", {"Body": io.BytesIO(PREDICTION), "ContentType": "application/json"})
        stubber.activate()
        return stubber
    from botocore.awsrequest import AWSResponse

    class Raw(io.BytesIO):
        def stream(self, **_):
            yield self.getvalue()

    def send(request, **_):
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, Raw(PREDICTION))

    client.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", send)
    return send


def cold_child(mode: str) -> None:
    """One cold start in this fresh process; prints its parts in milliseconds as JSON."""
    started = time.perf_counter()
    sys.path.insert(0, str(FUNCTION_DIR))
    import handler  # the import is part of what is measured

    imported = time.perf_counter()
    client = handler.make_client()
    created = time.perf_counter()
    stub(client, mode, 1)
    stubbed = time.perf_counter()
    handler.set_client(client)
    sys.stdout = io.StringIO()  # the handler's log line is not the benchmark's output
    response = handler.handler(EVENT, SimpleNamespace(aws_request_id="cold"))
    called = time.perf_counter()
    sys.stdout = sys.__stdout__
    assert response["statusCode"] == 200, response
    parts = {
        "import_ms": (imported - started) * 1000,
        "client_ms": (created - imported) * 1000,
        "first_call_ms": (called - stubbed) * 1000,
    }
    parts["cold_ms"] = sum(parts.values())
    print(json.dumps(parts))


def cold(mode: str, runs: int) -> dict:
    results, walls = [], []
    env = {**os.environ, **FUNCTION_ENV}
    for _ in range(runs):
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--cold-child", "--stub", mode],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        walls.append((time.perf_counter() - began) * 1000)
        results.append(json.loads(out.strip().splitlines()[-1]))
    summary = {key: statistics.median(r[key] for r in results) for key in results[0]}
    summary["cold_min_ms"] = min(r["cold_ms"] for r in results)
    summary["cold_max_ms"] = max(r["cold_ms"] for r in results)
    summary["process_wall_ms"] = statistics.median(walls)
    summary["runs"] = runs
    return summary


def warm(mode: str, calls: int, warmup: int = 20) -> dict:
    os.environ.update(FUNCTION_ENV)
    sys.path.insert(0, str(FUNCTION_DIR))
    import handler

    client = handler.make_client()
    stub(client, mode, calls + warmup)
    handler.set_client(client)
    context = SimpleNamespace(aws_request_id="warm")
    times = []
    real_stdout, sys.stdout = sys.stdout, io.StringIO()
    try:
        for i in range(calls + warmup):
            if i % 200 == 0:
                sys.stdout = io.StringIO()  # drop the log lines written so far
            began = time.perf_counter()
            response = handler.handler(EVENT, context)
            elapsed = time.perf_counter() - began
            if response["statusCode"] != 200:
                raise RuntimeError(f"unexpected response: {response}")
            if i >= warmup:
                times.append(elapsed * 1000)
    finally:
        sys.stdout = real_stdout
    times.sort()
    return {
        "calls": calls,
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "mean_ms": statistics.fmean(times),
        "max_ms": times[-1],
        "calls_per_s": calls / (sum(times) / 1000),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--calls", type=int, default=2000, help="warm calls to time (default 2000)")
    parser.add_argument("--cold", type=int, default=10, help="fresh processes for the cold figure (default 10)")
    parser.add_argument("--stub", choices=("stubber", "http"), default="stubber", help="where the client is stubbed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_child:
        cold_child(args.stub)
        return 0
    if args.calls < 1 or args.cold < 1:
        print("invoker bench: error: -n and --cold must be at least 1", file=sys.stderr)
        return 2
    print(f"cold: {args.cold} fresh processes ...", file=sys.stderr)
    cold_figures = cold(args.stub, args.cold)
    print(f"warm: {args.calls} calls ...", file=sys.stderr)
    warm_figures = warm(args.stub, args.calls)
    if args.json:
        print(json.dumps({"stub": args.stub, "body_bytes": len(BODY), "warm": warm_figures, "cold": cold_figures}))
        return 0
    w, c = warm_figures, cold_figures
    print(f"invoker handler, stub={args.stub}, request {len(BODY)} bytes of JSON, python {sys.version.split()[0]}")
    print(
        f"warm  ({w['calls']} calls):  p50 {w['p50_ms']:.3f} ms   p99 {w['p99_ms']:.3f} ms   "
        f"mean {w['mean_ms']:.3f} ms   max {w['max_ms']:.2f} ms   {w['calls_per_s']:.0f} calls/s"
    )
    print(
        f"cold  ({c['runs']} processes):  median {c['cold_ms']:.0f} ms (min {c['cold_min_ms']:.0f}, "
        f"max {c['cold_max_ms']:.0f})  = import {c['import_ms']:.0f} + client {c['client_ms']:.0f} "
        f"+ first call {c['first_call_ms']:.0f} ms   [whole process {c['process_wall_ms']:.0f} ms]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
