"""The errors the providers raise: a `ProviderError`'s message is what `pulumi up` shows."""

from __future__ import annotations

from botocore.exceptions import ClientError

from sagemaker_hosting import aws


class ProviderError(Exception):
    """An operation failed; the message is what `pulumi up` shows."""


def api_failure(action: str, what: str, error: ClientError) -> ProviderError:
    """A message naming the call, the resource and SageMaker's own error."""
    code, message = aws.error_code(error), aws.error_message(error)
    hint = {
        "ResourceLimitExceeded": " Request a quota increase for the instance type, or use fewer or smaller instances.",
        "AccessDeniedException": " Grant the IAM action listed in README's IAM section to the deploying role.",
        "ThrottlingException": " The API stayed throttled through every retry; deploy fewer endpoints at once.",
    }.get(code, "")
    if aws.is_already_existing(error):
        hint = (
            " It exists outside this stack (names are unique per account and region, endpoint names"
            " case-insensitively): give another `name`, or remove `name` to let one be generated."
        )
    return ProviderError(f"{action} failed for {what}: {code}: {message}{hint}")
