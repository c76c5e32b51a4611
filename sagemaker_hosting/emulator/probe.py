"""A traffic probe for the emulator: invokes one endpoint without pause from a few threads and
records who served each request (a `traffic_report.Report`), so a deployment's promise (no request
dropped, traffic shifted as the deployment config says) can be measured, and a broken one seen.

    with Probe(emulator.url, "my-endpoint", threads=4, seconds=120) as probe:
        stack.up()                       # a config change, deployed blue/green
    report = probe.report()
    assert report.failed == 0
    print(report.shares())               # {"main-0000001": 0.41, "main-0000002": 0.59}

Each request goes through its own boto3 `sagemaker-runtime` client (one per thread) with retries
off, so every error is counted as the caller's first attempt meets it. The emulator names the
serving endpoint config and fleet in every answer (headers `X-Emulator-Endpoint-Config`,
`X-Emulator-Fleet`); measure shifts by config name, as the fleet label is relative (the new fleet
is "green" while it is deployed, "blue" once it serves alone).

The probe is for the emulator only: it refuses a URL that is not a loopback address, and it is
bounded (at most `MAX_THREADS` threads, `MAX_SECONDS` seconds). From the command line:

    python -m sagemaker_hosting.emulator.probe --url http://127.0.0.1:PORT --endpoint NAME --seconds 60

prints a table of requests, failures and the share served per endpoint config every few seconds,
and exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import sys
import threading
import time
import urllib.parse
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import boto3
import botocore.config
from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting.emulator.traffic_report import Report, Sample

MAX_THREADS = 16
MAX_SECONDS = 3600.0
DEFAULT_REGION = "us-east-1"
DUMMY_CREDENTIAL = "testing"
FLEET_HEADER = "x-emulator-fleet"  # runtime_wire.FLEET_HEADER, as botocore lower-cases it
CONFIG_HEADER = "x-emulator-endpoint-config"  # runtime_wire.CONFIG_HEADER


def ensure_loopback(url: str) -> None:
    """ValueError unless `url` is http(s) on a loopback address: an IP in 127.0.0.0/8 or ::1, or
    `localhost` (host names are not resolved, so no lookup can point the probe elsewhere)."""
    parsed = urllib.parse.urlparse(url)
    host = parsed.hostname or ""
    if parsed.scheme not in ("http", "https") or not host:
        raise ValueError(f"the probe needs the http(s) URL of a local emulator, not {url!r}")
    if host == "localhost" or host.endswith(".localhost"):
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"the probe only sends traffic to a local emulator, and {url} is not a loopback address "
            "(127.0.0.1, ::1 or localhost): it would load a real endpoint"
        )


class Probe:
    """Invokes `endpoint` at the emulator at `url` from `threads` threads, each request as soon as
    the last is answered (plus `pause` seconds), until stopped or `seconds` have passed.

    Use it as a context manager, or call `start()` and `stop()`; `report()` gives what it saw so far.
    Credentials default to dummy keys (account 123456789012 in the emulator); give others to act in
    another account."""

    def __init__(
        self,
        url: str,
        endpoint: str,
        *,
        threads: int = 4,
        seconds: float = 60.0,
        region: str = DEFAULT_REGION,
        body: bytes = b'{"probe": true}',
        content_type: str = "application/json",
        pause: float = 0.0,
        credentials: dict[str, str] | None = None,
    ) -> None:
        ensure_loopback(url)
        if not 1 <= threads <= MAX_THREADS:
            raise ValueError(f"threads must be 1 to {MAX_THREADS}, not {threads}")
        if not 0 < seconds <= MAX_SECONDS:
            raise ValueError(f"seconds must be more than 0 and at most {MAX_SECONDS:g}, not {seconds}")
        if pause < 0:
            raise ValueError("pause cannot be negative")
        self.url = url
        self.endpoint = endpoint
        self.threads = threads
        self.seconds = seconds
        self.region = region
        self.body = body
        self.content_type = content_type
        self.pause = pause
        self.credentials = credentials or {
            "aws_access_key_id": DUMMY_CREDENTIAL,
            "aws_secret_access_key": DUMMY_CREDENTIAL,
        }
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._samples: list[Sample] = []
        self._workers: list[threading.Thread] = []
        self._started: float | None = None
        self._finished: float | None = None

    def client(self) -> Any:
        """A sagemaker-runtime client of the emulator, without retries (a thread's own: sessions are
        not thread-safe)."""
        config = botocore.config.Config(
            retries={"total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=30,
            max_pool_connections=1,
        )
        session = boto3.session.Session()
        return session.client(  # type: ignore[call-overload]
            "sagemaker-runtime", endpoint_url=self.url, region_name=self.region, config=config, **self.credentials
        )

    def start(self) -> Probe:
        if self._started is not None:
            raise RuntimeError("a probe runs once")
        clients = [self.client() for _ in range(self.threads)]  # made before the clock starts
        self._started = time.time()
        deadline = time.monotonic() + self.seconds
        for number, client in enumerate(clients):
            worker = threading.Thread(target=self._run, args=(client, deadline), name=f"probe-{number}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def _run(self, client: Any, deadline: float) -> None:
        while not self._stopping.is_set() and time.monotonic() < deadline:
            self._record(self._invoke(client))
            if self.pause:
                self._stopping.wait(self.pause)

    def _invoke(self, client: Any) -> Sample:
        started = time.time()
        try:
            answer = client.invoke_endpoint(EndpointName=self.endpoint, Body=self.body, ContentType=self.content_type)
            answer["Body"].read()
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code") or "Unknown")
            return Sample(started, time.time(), error=code)
        except BotoCoreError as error:
            return Sample(started, time.time(), error=type(error).__name__)
        headers = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        return Sample(
            started,
            time.time(),
            config=headers.get(CONFIG_HEADER),
            variant=answer.get("InvokedProductionVariant"),
            fleet=headers.get(FLEET_HEADER),
        )

    def _record(self, sample: Sample) -> None:
        with self._lock:
            self._samples.append(sample)

    def wait(self) -> None:
        """Block until the probe's time is up (or it is stopped)."""
        for worker in self._workers:
            worker.join()
        self._mark_finished()

    def stop(self) -> Report:
        """Stop sending (requests in flight are answered and counted) and return the report."""
        self._stopping.set()
        self.wait()
        return self.report()

    def _mark_finished(self) -> None:
        if self._finished is None and self._started is not None:
            self._finished = time.time()

    @property
    def running(self) -> bool:
        return any(worker.is_alive() for worker in self._workers)

    def report(self) -> Report:
        """What the probe saw so far (a snapshot)."""
        with self._lock:
            samples = list(self._samples)
        started = self._started if self._started is not None else time.time()
        finished = self._finished if self._finished is not None else time.time()
        return Report(self.endpoint, started, finished, samples)

    def __enter__(self) -> Probe:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sagemaker_hosting.emulator.probe",
        description="Invoke an endpoint of the local emulator continuously and report who served.",
    )
    parser.add_argument("--url", required=True, help="the emulator's URL (loopback only), e.g. http://127.0.0.1:PORT")
    parser.add_argument("--endpoint", required=True, help="the endpoint name")
    parser.add_argument("--seconds", type=float, default=60.0, help=f"how long to probe (at most {MAX_SECONDS:g})")
    parser.add_argument("--threads", type=int, default=4, help=f"requests in parallel (1 to {MAX_THREADS})")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION)
    parser.add_argument("--bucket", type=float, default=5.0, help="seconds per row of the table (default 5)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Probe for --seconds, print the table; 1 if any request failed, 2 on bad arguments. The
    credentials are AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when set (the
    emulator's account follows the key), else dummy ones."""
    args = arguments(argv)
    credentials = {
        "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID") or DUMMY_CREDENTIAL,
        "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or DUMMY_CREDENTIAL,
    }
    if os.environ.get("AWS_SESSION_TOKEN"):
        credentials["aws_session_token"] = os.environ["AWS_SESSION_TOKEN"]
    try:
        probe = Probe(
            args.url,
            args.endpoint,
            threads=args.threads,
            seconds=args.seconds,
            region=args.region,
            credentials=credentials,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"probing {args.endpoint} at {args.url} for {args.seconds:g} s from {args.threads} threads", flush=True)
    probe.start()
    with contextlib.suppress(KeyboardInterrupt):
        probe.wait()
    report = probe.stop()
    print(report.table(args.bucket))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
