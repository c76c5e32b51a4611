"""What a model answers: the request as a container receives it (`Invocation`), its `Reply`, the
`ModelFailure` it raises, and the responder of each model name (`Responders`, `echo` by default).
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sagemaker_hosting.emulator.resources import Route


@dataclass(frozen=True)
class Invocation:
    """One request as a model container receives it, and who serves it."""

    body: bytes
    content_type: str | None
    accept: str | None
    custom_attributes: str | None
    endpoint: str
    config: str
    """The endpoint config the serving fleet runs."""
    fleet: str
    """"blue" or "green"."""
    variant: str
    model: str | None
    shadow: bool = False


@dataclass(frozen=True)
class Reply:
    """A model's answer: the body and its content type."""

    body: bytes
    content_type: str = "application/json"


class ModelFailure(Exception):
    """Raised by a responder to answer as a container that returns an error: the caller gets
    ModelError (HTTP 424) with OriginalStatusCode `status` and OriginalMessage `message`."""

    def __init__(self, message: str = "", status: int = 500) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"a container error status is 4xx or 5xx, not {status}")
        super().__init__(message)
        self.message = message
        self.status = status


Responder = Callable[[Invocation], "bytes | str | Reply"]
"""A model: takes an `Invocation`, returns the response body (bytes, str or a `Reply` with its
content type), or raises `ModelFailure`."""


def echo(invocation: Invocation) -> Reply:
    """The default model: a JSON description of the request and of who served it."""
    description = {
        "endpoint": invocation.endpoint,
        "variant": invocation.variant,
        "model": invocation.model,
        "config": invocation.config,
        "fleet": invocation.fleet,
        "content_type": invocation.content_type,
        "accept": invocation.accept,
        "body": invocation.body.decode("utf-8", errors="replace"),
    }
    return Reply(json.dumps(description).encode())


def load_responder(spec: str) -> Responder:
    """The callable named by "module:function" (a dotted attribute path after the colon)."""
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(f"a responder is given as module:function, not {spec!r}")
    found: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        found = getattr(found, part)
    if not callable(found):
        raise ValueError(f"{spec} is not callable")
    responder: Responder = found
    return responder


def parse_responder_option(option: str) -> tuple[str, str]:
    """MODEL=module:function (the command line's --responder) as (model, spec)."""
    model, equals, spec = option.partition("=")
    if not equals or not model or not spec:
        raise ValueError(f"--responder takes MODEL=module:function, not {option!r}")
    return model, spec


class Responders:
    """The responder of each model name (shared by every account and region); `echo` for the rest."""

    def __init__(self, specs: Mapping[str, str] | None = None) -> None:
        self.lock = threading.Lock()
        self.specs: dict[str, str] = {}
        self.callables: dict[str, Responder] = {}
        for model, spec in (specs or {}).items():
            self.register(model, spec)

    def register(self, model: str, spec: str) -> None:
        """Answer requests to `model` with the callable "module:function" (ValueError, ImportError or
        AttributeError when it cannot be loaded); an empty spec restores `echo`."""
        responder = load_responder(spec) if spec else None
        with self.lock:
            if responder is None:
                self.specs.pop(model, None)
                self.callables.pop(model, None)
            else:
                self.specs[model] = spec
                self.callables[model] = responder

    def get(self, model: str | None) -> Responder:
        with self.lock:
            return self.callables.get(model or "", echo)

    def as_dict(self) -> dict[str, str]:
        with self.lock:
            return dict(self.specs)


def invocation_for(route: Route, name: str, members: Mapping[str, Any], body: bytes) -> Invocation:
    """The request to endpoint `name` as the model of `route` receives it."""
    return Invocation(
        body=body,
        content_type=members.get("ContentType"),
        accept=members.get("Accept"),
        custom_attributes=members.get("CustomAttributes"),
        endpoint=name,
        config=route.config_name,
        fleet=route.fleet,
        variant=route.variant,
        model=route.model,
        shadow=route.shadow,
    )


def call_model(responders: Responders, route: Route, invocation: Invocation) -> Reply:
    """The reply of the model of `route`; a responder that raises anything but ModelFailure is a
    container crashing (HTTP 500 from the container)."""
    try:
        answered = responders.get(route.model)(invocation)
    except ModelFailure:
        raise
    except Exception as error:
        raise ModelFailure(f"{type(error).__name__}: {error}", 500) from error
    if isinstance(answered, Reply):
        return answered
    if isinstance(answered, str):
        return Reply(answered.encode(), invocation.accept or "text/plain")
    return Reply(bytes(answered), invocation.accept or "application/octet-stream")
