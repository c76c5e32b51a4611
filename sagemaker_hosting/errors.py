"""Errors: the AWS errors the provider recognises (by code and SageMaker's documented wording), and
the ones it raises, whose message (`ProviderError`) is what `pulumi up` shows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

Call = TypeVar("Call", bound=Callable[..., Any])


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def is_not_found(error: ClientError) -> bool:
    """SageMaker reports a missing resource as ValidationException "Could not find ..."."""
    return error_code(error) == "ValidationException" and error_message(error).startswith("Could not find")


def is_already_existing(error: ClientError) -> bool:
    """SageMaker reports a duplicate as ValidationException "Cannot create already existing ..."."""
    return error_code(error) == "ValidationException" and error_message(error).startswith(
        "Cannot create already existing"
    )


def is_in_progress(error: ClientError) -> bool:
    """SageMaker refuses to update or delete an endpoint with an operation in progress:
    ValidationException "Cannot update in-progress endpoint ..." (or "delete")."""
    return error_code(error) == "ValidationException" and "in-progress" in error_message(error)


class ProviderError(Exception):
    """An operation failed; the message is what `pulumi up` shows."""


def api_failure(action: str, what: str, error: ClientError) -> ProviderError:
    """A message naming the call, the resource and SageMaker's own error."""
    code, message = error_code(error), error_message(error)
    hint = {
        "ResourceLimitExceeded": " Request a quota increase for the instance type, or use fewer or smaller instances.",
        "AccessDeniedException": " Grant the IAM action listed in README's IAM section to the deploying role.",
        "ThrottlingException": " The API stayed throttled through every retry; deploy fewer endpoints at once.",
    }.get(code, "")
    if is_already_existing(error):
        hint = (
            " It exists outside this stack (names are unique per account and region, endpoint names"
            " case-insensitively): give another `name`, or remove `name` to let one be generated."
        )
    return ProviderError(f"{action} failed for {what}: {code}: {message}{hint}")


def error_text(error: BotoCoreError | ClientError) -> str:
    """An AWS error in words: "Code: message" for a service's answer, botocore's own text otherwise
    (a connection refused, credentials that expired or cannot be found)."""
    if isinstance(error, ClientError):
        return f"{error_code(error)}: {error_message(error)}"
    return str(error)


def reported(operation: str) -> Callable[[Call], Call]:
    """For a provider's create, update or delete: an AWS error that escapes it (an outage, throttling
    or an expired credential that outlasted botocore's retries, at any step) becomes a
    `ProviderError` that says what happened, what is live and what to run, instead of botocore's
    bare exception. The resource's name is the call's first string argument or `props["name"]`."""

    def wrap(method: Call) -> Call:
        @functools.wraps(method)
        def call(provider: Any, *args: Any) -> Any:
            try:
                return method(provider, *args)
            except (BotoCoreError, ClientError) as error:
                name = next((a for a in args if isinstance(a, str)), None) or (args[0] or {}).get("name")
                raise ProviderError(
                    f'{provider.kind} "{name}": the {operation} stopped, as AWS did not answer as expected: '
                    f"{error_text(error)}. What SageMaker had already started goes on; the stack keeps what it "
                    "recorded before this command. Once AWS answers again, run `pulumi refresh` to see what is "
                    "live, then the command again."
                ) from error

        return call  # type: ignore[return-value]

    return wrap
