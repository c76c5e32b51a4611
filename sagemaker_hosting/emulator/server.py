"""The emulator's HTTP server: one port serving moto's whole app (S3, CloudWatch, IAM, STS, ...),
the hosting operations in front of it (one backend per AWS account), and the admin API under
`/_emulator/`.

Admin API (JSON):
- `GET /_emulator/settings`, `POST /_emulator/settings` with any of the `Settings` names.
- `GET /_emulator/calls`: every SageMaker call, in order: action, time, status, name, error,
  user_agent; data-plane calls (InvokeEndpoint, ...) also variant, fleet ("blue"/"green") and
  endpoint_config_name, and a shadow variant's copy of a request is an entry with `shadow: true`;
  Application Auto Scaling and Service Quotas calls are entries too, as `application-autoscaling:ACTION`
  and `servicequotas:ACTION`.
  `DELETE /_emulator/calls` clears the calls and the events.
- `GET /_emulator/events`: every endpoint status change, in order: time, name, status,
  endpoint_config_name, and `stage` for the steps of an update (Creating, ActivatingTraffic,
  Baking, Deleting) with `traffic`, the share on the new fleet once the step ends; status "Deleted"
  when a deleted endpoint is gone.
- `GET /_emulator/responders`, `POST /_emulator/responders` with `{"MODEL": "module:function"}`:
  read / set the callables that answer invocations of each model (see `invocation`); "" restores
  the default echo.
- `POST /_emulator/reset`: wipe all state (hosting, every moto service, calls and events).
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from cheroot import wsgi

from sagemaker_hosting.emulator import quotas
from sagemaker_hosting.emulator.accounts import Accounts
from sagemaker_hosting.emulator.dataplane import DataPlane
from sagemaker_hosting.emulator.invocation import Responders
from sagemaker_hosting.emulator.resources import ACCOUNT
from sagemaker_hosting.emulator.responses import (
    Answer,
    HostingResponses,
    empty_listing,
    not_emulated,
    parse,
    resource_name,
    unknown_operation,
)
from sagemaker_hosting.emulator.runtime_wire import ACTIONS, INVOCATION_PATH
from sagemaker_hosting.emulator.settings import Settings
from sagemaker_hosting.emulator.validation import request_problem, service_model

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

DEFAULT_REGION = "us-east-1"
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")
NEIGHBOURS = {"AnyScaleFrontendService": "application-autoscaling", "ServiceQuotasV20190624": "service-quotas"}
"""The X-Amz-Target prefixes of the services the emulator checks (and records) before moto answers,
and their botocore names."""
_SIGNING_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[a-z0-9-]+/([a-z0-9-]+)/")


def request_region(environ: Environ) -> str:
    """The region of the request's SigV4 credential scope."""
    found = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else DEFAULT_REGION


def read_body(environ: Environ) -> bytes:
    """The request body, left readable again for whoever handles the request next: Content-Length's
    bytes, or all of a chunked one (`wsgi.input_terminated`: the server ends the input where the
    chunks end; left unread, they would be taken for the next request on the connection)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        body: bytes = environ["wsgi.input"].read(length)
    elif environ.get("wsgi.input_terminated"):
        body = environ["wsgi.input"].read()
        environ["CONTENT_LENGTH"] = str(len(body))
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def respond(start_response: StartResponse, status: int, body: Any, json_type: str = "application/json") -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", json_type), ("Content-Length", str(len(payload))), ("x-amzn-RequestId", request_id())],
    )
    return [payload]


_request_ids = iter(range(1, 1 << 62))


def request_id() -> str:
    return f"00000000-0000-4000-8000-{next(_request_ids):012d}"


def signing_service(environ: Environ) -> str | None:
    """The service a request is signed for (its SigV4 credential scope), or None when unsigned."""
    found = _SIGNING_SERVICE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else None


def runtime_signed(environ: Environ) -> bool:
    """Whether a request is signed for SageMaker (sagemaker-runtime signs as "sagemaker"), or not
    signed at all: the invocation paths are then the data plane's, not another service's."""
    return signing_service(environ) in (None, "sagemaker")


def valid_length(environ: Environ) -> bool:
    """Whether the Content-Length header, if any, is a non-negative integer. cheroot refuses one that
    is no integer before the app is called (400, as a front end would); a negative one reaches here,
    and is the service's SerializationException."""
    length = str(environ.get("CONTENT_LENGTH") or "0")
    return length.isdigit()


def request_account(environ: Environ) -> str:
    """The account of the request's access key, as moto assigns it (keys from an STS AssumeRole into
    another account belong to that account; any other key to moto's default account)."""
    from moto.iam.models import get_account_id_from

    found = _ACCESS_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
    return get_account_id_from(found.group(1)) if found else ACCOUNT


class EmulatorApp:
    """The WSGI application: admin API, hosting operations, and moto for everything else."""

    def __init__(
        self,
        accounts: Accounts,
        moto_app: Callable[[Environ, StartResponse], Iterable[bytes]],
        responders: Responders | None = None,
    ) -> None:
        self.accounts = accounts
        self.moto_app = moto_app
        self.responders = responders or Responders()
        self.dataplane = DataPlane(self.responders)
        self.calls: list[dict[str, Any]] = []
        self.calls_lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        # The path as sent, undecoded, where moto looks for it (werkzeug's server and gunicorn set it,
        # cheroot only REQUEST_URI): without it S3 decodes a key twice ("a%41" would be "aA").
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_emulator/"):
            return self.admin(environ, start_response, path.removeprefix("/_emulator/"))
        if not valid_length(environ):
            return respond(start_response, 400, {"__type": "SerializationException", "message": "Bad Content-Length."})
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("SageMaker."):
            return self.sagemaker(environ, start_response, target.partition(".")[2])
        prefix, _, action = target.partition(".")
        if prefix in NEIGHBOURS:
            return self.neighbour(environ, start_response, NEIGHBOURS[prefix], action)
        invocation = INVOCATION_PATH.match(path)
        if invocation and environ.get("REQUEST_METHOD") == "POST" and not target and runtime_signed(environ):
            return self.runtime(environ, start_response, invocation["name"], ACTIONS[invocation["kind"]])
        if path == "/" and signing_service(environ) == "sagemaker":  # no or another service's X-Amz-Target
            answer = unknown_operation(target)
            return respond(start_response, answer.status, answer.body, "application/x-amz-json-1.1")
        return self.moto_app(environ, start_response)

    def runtime(self, environ: Environ, start_response: StartResponse, name: str, action: str) -> Iterable[bytes]:
        """A sagemaker-runtime call (see `dataplane`), recorded with the variant and fleet that served."""
        received = time.time()
        body = read_body(environ)
        backend = self.accounts.get(request_account(environ))

        def header(header_name: str) -> str | None:
            key = header_name.upper().replace("-", "_")
            value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}")
            return str(value) if value is not None else None

        outcome = self.dataplane.answer(backend, action, name, request_region(environ), header, body)
        base = {
            "action": action,
            "time": received,
            "name": name,
            "error": None,
            "user_agent": header("User-Agent") or "",
        }
        for record in outcome.records:
            self.record({**base, **record})
        headers = [*outcome.headers, ("Content-Length", str(len(outcome.body))), ("x-amzn-RequestId", request_id())]
        start_response(f"{outcome.status} {HTTPStatus(outcome.status).phrase}", headers)
        return [outcome.body]

    def sagemaker(self, environ: Environ, start_response: StartResponse, action: str) -> Iterable[bytes]:
        received = time.time()
        body = read_body(environ)
        responses = HostingResponses(self.accounts.get(request_account(environ)))
        answer = responses.answer(action, request_region(environ), body)
        if answer is None:
            answer = self.ask_moto(environ)
            if answer.status >= 500:  # moto does not serve it, or failed on it: never a 5xx
                answer = empty_listing(action) if action.startswith("List") else not_emulated(action)
        request = parse(body)
        self.record(
            {
                "action": action,
                "time": received,
                "status": answer.status,
                "name": resource_name(request) if isinstance(request, dict) else None,
                "error": answer.error,
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
            }
        )
        return respond(start_response, answer.status, answer.body, "application/x-amz-json-1.1")

    def neighbour(self, environ: Environ, start_response: StartResponse, service: str, action: str) -> Iterable[bytes]:
        """A call to Application Auto Scaling or Service Quotas (`NEIGHBOURS`), checked against
        botocore's model first (moto checks little), answered by `quotas` (SageMaker's endpoint
        quotas) or moto (a deregistration then deletes the target's policies and scheduled actions,
        `World.forget_target`), and recorded with the action as IAM names it
        ("application-autoscaling:RegisterScalableTarget") and the ResourceId or ServiceCode as `name`."""
        received = time.time()
        request = parse(read_body(environ))
        backend = self.accounts.get(request_account(environ))
        problem = request_problem(service, action, request)
        answer: Answer | None = Answer(400, {"__type": problem[0], "message": problem[1]}) if problem else None
        if answer is None and service == "service-quotas" and isinstance(request, dict):
            answer = quotas.answer(
                action, request, backend.settings.instance_quota, request_region(environ), backend.account
            )
        if answer is None:
            answer = self.ask_moto(environ)
            if answer.status >= 500:  # moto does not serve it, or failed on it: never a 5xx
                answer = not_emulated(action, service)
        if action == "DeregisterScalableTarget" and answer.status == 200 and isinstance(request, dict):
            backend.world.forget_target(
                request_region(environ),
                str(request.get("ServiceNamespace")),
                str(request.get("ResourceId")),
                str(request.get("ScalableDimension")),
            )
        named = request.get("ResourceId", request.get("ServiceCode")) if isinstance(request, dict) else None
        self.record(
            {
                "action": f"{service_model(service).signing_name}:{action}",
                "time": received,
                "status": answer.status,
                "name": named,
                "error": answer.error,
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
            }
        )
        return respond(start_response, answer.status, answer.body, "application/x-amz-json-1.1")

    def ask_moto(self, environ: Environ) -> Answer:
        """moto's answer to a SageMaker call that is not a hosting operation."""
        status: list[int] = []

        def capture(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(int(line.split()[0]))

        try:
            payload = b"".join(self.moto_app(environ, capture))
        except Exception:  # moto raises for what it does not implement (NotImplementedError, ...)
            return Answer(500, {})
        body = parse(payload)
        return Answer(status[0], body if isinstance(body, dict) else {})

    def record(self, call: dict[str, Any]) -> None:
        with self.calls_lock:
            self.calls.append(call)

    def admin(self, environ: Environ, start_response: StartResponse, route: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if route == "settings" and method == "GET":
            return respond(start_response, 200, self.accounts.settings.as_dict())
        if route == "settings" and method == "POST":
            values = parse(read_body(environ))
            if not isinstance(values, dict):
                return respond(start_response, 400, {"message": "settings must be a JSON object"})
            try:
                settings = self.accounts.update_settings(values)
            except ValueError as error:
                return respond(start_response, 400, {"message": str(error)})
            return respond(start_response, 200, settings.as_dict())
        if route == "calls" and method == "GET":
            with self.calls_lock:
                return respond(start_response, 200, list(self.calls))
        if route == "calls" and method == "DELETE":
            self.clear_logs()
            return respond(start_response, 200, {})
        if route == "events" and method == "GET":
            return respond(start_response, 200, self.accounts.events())
        if route == "responders" and method == "GET":
            return respond(start_response, 200, self.responders.as_dict())
        if route == "responders" and method == "POST":
            wanted = parse(read_body(environ))
            if not isinstance(wanted, dict) or not all(isinstance(v, str) for v in wanted.values()):
                return respond(start_response, 400, {"message": 'responders must be {"MODEL": "module:function"}'})
            try:
                for model, spec in wanted.items():
                    self.responders.register(model, spec)
            except (ValueError, ImportError, AttributeError) as error:
                return respond(start_response, 400, {"message": f"cannot load responder: {error}"})
            return respond(start_response, 200, self.responders.as_dict())
        if route == "reset" and method == "POST":
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()  # the hosting backends too (`Accounts`)
            self.clear_logs()
            return respond(start_response, 200, {})
        known = route in ("settings", "calls", "events", "responders", "reset")
        return respond(
            start_response,
            405 if known else 404,
            {"message": f"{method} /_emulator/{route} is not part of the admin API"},
        )

    def clear_logs(self) -> None:
        with self.calls_lock:
            self.calls.clear()
        self.accounts.clear_events()


HTTP_THREADS = 256
"""Requests the HTTP server serves at once (the provider process makes up to 256 calls at once,
`process.PROVIDER_THREADS`); more wait their turn."""

LISTEN_BACKLOG = 128
"""Connections the server's socket queues before it accepts them (cheroot's default, 5, drops the
SYNs of a hundred endpoints' first calls at once, and TCP retries a dropped one only after 1 s)."""

IDLE_SECONDS = 60
"""How long an idle kept-alive connection stays open."""

KEPT_ALIVE = 4096
"""Connections kept alive at once (cheroot's default, 10, closes the others after each response,
when a provider process alone holds up to 256)."""


class EmulatorServer:
    """The emulator: a threaded HTTP server and the background driver of deployments.

    The server is cheroot's (CherryPy's WSGI server), not werkzeug's development server, which moto
    runs: werkzeug's closes the connection after every response ("Connection: close"), so each call
    would open a TCP connection and start a thread, where AWS keeps connections alive and botocore
    reuses them (measured: the emulator's CPU per call 0.53 ms with werkzeug, 0.35 ms kept alive)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: Settings | None = None,
        responders: Responders | None = None,
    ) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.accounts = Accounts(settings)
        self.app = EmulatorApp(self.accounts, DomainDispatcherApplication(create_backend_app), responders)
        self.http = wsgi.Server(
            (host, port), self.app, numthreads=HTTP_THREADS, request_queue_size=LISTEN_BACKLOG, timeout=IDLE_SECONDS
        )
        self.http.keep_alive_conn_limit = KEPT_ALIVE
        # `prepare` binds the port (so `url` is known before `start`) and starts the worker threads,
        # which are daemons only if the thread that starts them is one: from a daemon thread, a
        # process that never calls `stop` still exits.
        failures: list[BaseException] = []
        binding = threading.Thread(target=self._prepare, args=(failures,), name="http-prepare", daemon=True)
        binding.start()
        binding.join()
        if failures:
            raise failures[0]
        self.thread = threading.Thread(target=self.http.serve, name="http", daemon=True)

    def _prepare(self, failures: list[BaseException]) -> None:
        """cheroot's `prepare`, run in a thread of its own; its error is added to `failures`."""
        try:
            self.http.prepare()
        except BaseException as error:  # re-raised by `__init__`, in its own thread
            failures.append(error)

    @property
    def url(self) -> str:
        host, port = self.http.bind_addr[:2]
        host = f"[{host}]" if ":" in str(host) else host  # an IPv6 address ("localhost" may bind ::1)
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.accounts.start()
        self.thread.start()

    def stop(self) -> None:
        self.http.stop()
        self.thread.join()
        self.accounts.stop()
