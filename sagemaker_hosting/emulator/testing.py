"""Run the emulator from tests and scripts: `Emulator` starts `python -m sagemaker_hosting.emulator`
in a subprocess and speaks its admin API over HTTP; `environment` gives the variables that point
boto3 (and a Pulumi program) at it.

    with Emulator(create_seconds=0.5) as emulator:
        sagemaker = boto3.client("sagemaker", **client_options(emulator.url))
        ...
        emulator.settings(throttle_rate=0.5)
        assert emulator.calls()[-1]["action"] == "CreateEndpoint"

Invocations of a model are answered by an echo of the request, or by a callable of yours, named
"module:function" (importable by the emulator process) or given as a module-level function:

    with Emulator(responders={"churn-v2": "my_tests.models:churn"}) as emulator:
        emulator.responders(**{"churn-v3": my_module.score})

This interface is stable: the provider tests, the end-to-end tests, the benchmark and the demo use it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

REGION = "us-east-1"
DUMMY_CREDENTIAL = "testing"


ENVIRONMENT_NAMES = {
    "endpoint_url": "AWS_ENDPOINT_URL",
    "region_name": "AWS_DEFAULT_REGION",
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
}
"""The environment variable of each of `client_options`' keyword arguments."""


def environment(url: str, region: str = REGION) -> dict[str, str]:
    """Environment variables that send every boto3 client (and so a Pulumi program) to `url`: the
    same settings as `client_options`."""
    return {ENVIRONMENT_NAMES[key]: value for key, value in client_options(url, region).items()}


def client_options(url: str, region: str = REGION) -> dict[str, str]:
    """Keyword arguments for `boto3.client(service, **client_options(url))`."""
    return {
        "endpoint_url": url,
        "region_name": region,
        "aws_access_key_id": DUMMY_CREDENTIAL,
        "aws_secret_access_key": DUMMY_CREDENTIAL,
    }


class EmulatorError(RuntimeError):
    """The emulator did not start, or its admin API refused a request."""


ResponderSpec = str | Callable[..., Any]
"""A responder as "module:function", or a function defined at a module's top level."""


def responder_spec(responder: ResponderSpec) -> str:
    """The "module:function" name of a responder, by which the emulator process imports it."""
    if isinstance(responder, str):
        return responder
    module, name = getattr(responder, "__module__", None), getattr(responder, "__qualname__", "")
    if not module or module == "__main__" or "<" in name:
        raise EmulatorError(
            f"{responder!r} cannot be imported by the emulator process: give a function defined at the "
            "top level of an importable module, or its 'module:function'"
        )
    return f"{module}:{name}"


class Emulator:
    """An emulator process on a free port. Settings given here become command-line flags
    (`create_seconds=0.5` -> `--create-seconds 0.5`); see `settings()` for the names.
    `responders` maps model names to the callables that answer their invocations (see
    `responders()`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        startup_timeout: float = 30.0,
        responders: Mapping[str, ResponderSpec] | None = None,
        **settings: float,
    ) -> None:
        self.host = host
        self.startup_timeout = startup_timeout
        self.initial_settings = settings
        self.initial_responders = {model: responder_spec(r) for model, r in (responders or {}).items()}
        self.process: subprocess.Popen[str] | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:40123 (boto3's endpoint_url)."""
        if self._url is None:
            raise EmulatorError("the emulator is not running; use it as a context manager or call start()")
        return self._url

    def start(self) -> Emulator:
        command = [sys.executable, "-m", "sagemaker_hosting.emulator", "--host", self.host, "--port", "0"]
        for name, value in self.initial_settings.items():
            command += [f"--{name.replace('_', '-')}", str(value)]
        for model, spec in self.initial_responders.items():
            command += ["--responder", f"{model}={spec}"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        first_line: list[str] = []
        reader = threading.Thread(target=lambda: first_line.append(self._stdout().readline()), daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        line = first_line[0] if first_line else ""
        if "http://" not in line:
            self.stop()
            raise EmulatorError(f"the emulator did not print its URL within {self.startup_timeout} s: {line!r}")
        self._url = line[line.index("http://") :].split()[0]
        return self

    def _stdout(self) -> Any:
        assert self.process is not None and self.process.stdout is not None
        return self.process.stdout

    def stop(self) -> None:
        """End the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None
        self._url = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # --- admin API -------------------------------------------------------------------------------

    def settings(self, **values: float) -> dict[str, float]:
        """Change settings (none given: just read them); returns them all. Names: create_seconds,
        update_seconds, delete_seconds, stage_seconds, time_scale, throttle_rate, unavailable_rate,
        consistency_delay_seconds, instance_quota."""
        if values:
            return dict(self._admin("POST", "settings", values))
        return dict(self._admin("GET", "settings"))

    def responders(self, **models: ResponderSpec) -> dict[str, str]:
        """Answer invocations of each model named with a callable (none given: just read them): it
        gets a `invocation.Invocation`, returns bytes, str or a `invocation.Reply`, or raises
        `invocation.ModelFailure` (ModelError); "" restores the default echo. Returns them all."""
        if models:
            return dict(self._admin("POST", "responders", {m: responder_spec(r) for m, r in models.items()}))
        return dict(self._admin("GET", "responders"))

    def calls(self) -> list[dict[str, Any]]:
        """Every SageMaker call received, in order: action, time (epoch s), status (HTTP), name, error,
        user_agent; for InvokeEndpoint and the other data-plane calls also variant, fleet ("blue" or
        "green") and endpoint_config_name, with `shadow: true` on a shadow variant's copy."""
        return list(self._admin("GET", "calls"))

    def writes(self) -> list[dict[str, Any]]:
        """The calls in `calls()` that may change something: every action but the reads (Describe*,
        List*, Get*, of any service) and the data plane's invocations."""
        reads = ("Describe", "List", "Get", "Invoke")
        return [call for call in self.calls() if not call["action"].rpartition(":")[2].startswith(reads)]

    def events(self) -> list[dict[str, Any]]:
        """Every endpoint status change, in order: time, name, status, endpoint_config_name (and
        stage, for the steps of an update)."""
        return list(self._admin("GET", "events"))

    def clear_calls(self) -> None:
        """Forget the calls and events recorded so far."""
        self._admin("DELETE", "calls")

    def reset(self) -> None:
        """Wipe every resource (SageMaker, S3, CloudWatch, ...), the calls and the events; settings stay."""
        self._admin("POST", "reset")

    def _admin(self, method: str, route: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_emulator/{route}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise EmulatorError(f"{method} /_emulator/{route}: {json.load(error).get('message')}") from None
