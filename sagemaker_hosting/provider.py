"""What the two dynamic providers share: `check` and `diff`, AWS settings from the stack config,
the resource's client, request building, and waits for eventually consistent reads.

Provider classes live in this package, so dill pickles them by reference: the `__provider` stored
in state is a short, stable reference, and no client is ever stored on a provider.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi.dynamic as dynamic
from botocore.exceptions import ClientError

from sagemaker_hosting import aws, messages, naming, normalize, plan, process, schema
from sagemaker_hosting.errors import ProviderError, api_failure

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

T = TypeVar("T")

VISIBILITY_SECONDS = 120.0
"""How long a resource that certainly exists (this provider created it, or DescribeModel finds it) may
stay invisible to another call's eventually consistent read."""

CONSISTENCY_SECONDS = 15.0
"""How long a resource created moments earlier may stay invisible to reads before it is taken not to
exist: a model or config a create refers to (by this program or a pipeline), or a resource that a
refresh reads right after its create. Short, so that a misspelt name fails in seconds."""


class Provider(dynamic.ResourceProvider):
    """Base of the resource providers: stack config, inputs, API requests."""

    serialize_as_secret_always = False
    """The pickled provider holds no secret (no client, no credentials), so stacks need no passphrase."""

    settings = aws.AwsSettings()
    waiter = aws.Waiter()

    check_inputs: Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[dict[str, Any], list[normalize.InputError]]]
    """The resource's validation (module `validate`): canonical inputs and the problems with them."""
    plan_change: Callable[[Mapping[str, Any], Mapping[str, Any]], plan.Plan]
    """The resource's diff (module `plan`): replace, update in place, or nothing."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        """Validate and normalise the inputs, with the region, profile and account settled. It runs at
        preview, so it makes no SageMaker call: only STS GetCallerIdentity, once per process."""
        news = normalize.with_wire_unknowns(news)
        if news.get("region") is None:
            news["region"] = self.settings.default_region()
        news[naming.PROFILE_KEY] = self.settings.profile
        news[naming.ACCOUNT_KEY] = aws.caller_account(self.settings)
        inputs, problems = self.check_inputs(normalize.with_wire_unknowns(olds), news)
        secrets = [news[key] for key in news.get(naming.SECRET_INPUTS_KEY) or [] if key in news]
        for warning in (p for p in problems if p.warning):
            print(f"warning: {messages.conceal(warning.reason, secrets)}", flush=True)  # the CLI's diagnostics
        # No property named: the engine would print its value (secrets too) before the reason, which
        # names the field itself.
        failures = [dynamic.CheckFailure("", messages.conceal(p.reason, secrets)) for p in problems if not p.warning]
        return dynamic.CheckResult(inputs, failures)

    def diff(self, id_: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        """What `pulumi up` will do, from the old outputs and the new inputs; no AWS call."""
        decision = self.plan_change(old_outputs, normalize.with_wire_unknowns(news))
        return dynamic.DiffResult(
            changes=decision.changes,
            replaces=decision.replaces,
            delete_before_replace=decision.delete_before_replace,
        )

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        """Take `aws:region` and `aws:profile` from the stack config when set."""
        self.settings = aws.AwsSettings(region=req.config.get("aws:region"), profile=req.config.get("aws:profile"))

    def client(self, props: Mapping[str, Any]) -> SageMakerClient:
        """A SageMaker client in the resource's region (for state from before resources had a
        `region`, the one in its ARN) and with the profile it was created with, so a resource left
        behind by a change of region or account is deleted where it is; the stack's AWS settings
        otherwise (and when that profile is no longer configured)."""
        region = plan.old_region(props) or self.settings.region
        profile = props.get(naming.PROFILE_KEY, self.settings.profile)
        if not aws.available(profile):
            profile = self.settings.profile
        return aws.sagemaker_client(aws.AwsSettings(region=region, profile=profile))

    def await_config(self, client: SageMakerClient, name: str, limit: float) -> dict[str, Any]:
        """DescribeEndpointConfig until reads see the config; WaitError after `limit` seconds."""
        found: dict[str, Any] = {}

        def fetch() -> Mapping[str, Any]:
            found.update(aws.find_endpoint_config(client, name) or {})
            return {"Visibility": "visible" if found else "not yet visible"}

        self.waiter.wait(f'Endpoint config "{name}"', fetch, "Visibility", {"not yet visible"}, {"visible"}, limit)
        return found

    def find_created(self, find: Callable[[], T | None], props: Mapping[str, Any]) -> T | None:
        """`find()` for a refresh; while it finds nothing and the resource is younger than
        `CONSISTENCY_SECONDS` (by its `creation_time`), it may not be visible yet: look again."""
        while True:
            found = find()
            created = props.get("creation_time")
            if found is not None or not isinstance(created, str):
                return found
            try:
                age = (datetime.now(UTC) - datetime.fromisoformat(created)).total_seconds()
            except ValueError:
                return None
            if age >= CONSISTENCY_SECONDS:
                return None
            self.waiter.sleep(min(self.waiter.delay(age), CONSISTENCY_SECONDS - age))

    @staticmethod
    def inputs(props: Mapping[str, Any]) -> dict[str, Any]:
        """The resource's canonical inputs (as returned by check), without the pickled provider."""
        return {key: value for key, value in props.items() if key != naming.PROVIDER_KEY}

    @staticmethod
    def request(operation: str, inputs: Mapping[str, Any], **explicit: Any) -> dict[str, Any]:
        """The boto3 request for `operation`: every canonical input that is a member of its input
        shape (snake_case -> PascalCase), tags as a list, plus `explicit` members."""
        shape = schema.input_shape(operation)
        members = {schema.snake(member) for member in shape.members} - {"tags"}
        body = normalize.to_api(shape, {k: v for k, v in inputs.items() if k in members and v is not None})
        if "Tags" in shape.members:
            seed = inputs.get(naming.SEED_KEY)
            owner = {aws.OWNER_TAG: seed} if isinstance(seed, str) else {}
            tags = {**(inputs.get("tags") or {}), **owner}
            if tags:
                body["Tags"] = normalize.tags_to_api(tags)
        body.update(explicit)
        return body

    def call_while_not_found(self, client: SageMakerClient, action: str, what: str, call: Callable[[], T]) -> T:
        """Make a create/update call, retrying while SageMaker's eventually consistent read of a
        resource it refers to still answers "Could not find ..." (the API reference advises
        retrying): for `CONSISTENCY_SECONDS`, or up to `VISIBILITY_SECONDS` for a model that
        DescribeModel finds, saying what it waits for."""
        start = self.waiter.clock()
        announced = False
        while True:
            try:
                return call()
            except ClientError as error:
                elapsed = self.waiter.clock() - start
                if not aws.is_not_found(error):
                    raise api_failure(action, what, error) from error
                missing = aws.error_message(error).removeprefix("Could not find ").rstrip(".")
                limit = VISIBILITY_SECONDS if self.model_exists(client, missing) else CONSISTENCY_SECONDS
                if elapsed >= limit:
                    raise ProviderError(
                        f"{action} failed for {what}: SageMaker could not find {missing}, which does not exist "
                        f"(or was not visible after {elapsed:.0f}s): create it first, or fix the name."
                    ) from error
                if not announced:
                    self.waiter.progress(
                        f"{action} for {what}: {missing} is not visible yet; retrying for up to {limit:.0f}s"
                    )
                    announced = True
                self.waiter.sleep(self.waiter.delay(elapsed))

    @staticmethod
    def model_exists(client: SageMakerClient, missing: str) -> bool:
        """Whether `missing` (as SageMaker's "Could not find" names it) is a model DescribeModel finds."""
        if not missing.startswith("model "):
            return False
        name = missing.removeprefix("model ").strip('"').rpartition("/")[2]
        return aws.find_model(client, name) is not None


def jsonable(value: Any) -> Any:
    """Describe* values as Pulumi can store them: datetimes as ISO 8601 strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value


# The dynamic-provider process imports this module when it first unpickles one of our providers:
# adjust that process (`install` does nothing in the Pulumi program or anywhere else).
process.install()
