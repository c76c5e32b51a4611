"""Models for the data-plane tests: the emulator process imports these by name
("tests.emulator.responders:shout")."""

from __future__ import annotations

from sagemaker_hosting.emulator.invocation import Invocation, ModelFailure, Reply


def shout(invocation: Invocation) -> Reply:
    """Answers the request body in upper case, as text, naming the variant that answered."""
    return Reply(invocation.body.upper() + f" from {invocation.variant}".encode(), "text/plain")


def refuse(invocation: Invocation) -> bytes:
    """A container that rejects every request with HTTP 400."""
    raise ModelFailure(f"cannot score {invocation.body.decode()!r}", status=400)


def crash(invocation: Invocation) -> bytes:
    """A container whose code fails: a bug in the handler, not a deliberate error."""
    raise KeyError("features")
