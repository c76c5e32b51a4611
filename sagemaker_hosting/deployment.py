"""How an endpoint moves to a config: the deployment path of `EndpointProvider` (`Deployer`, one of
its two bases). A deployment already in flight is waited out; an endpoint SageMaker will not update is
refused before any write, with the way out; autoscaling is set aside around an instance-type change
(`scaling_aside`); UpdateEndpoint; the wait; and the verdict: the move succeeds only when the
endpoint is InService **on the requested config**, so a deployment SageMaker rolled back fails
`pulumi up` and the state keeps the old config (which the engine then does not delete).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import (
    aws,
    config_users,
    consistency,
    deadlines,
    known_facts,
    naming,
    normalize,
    polling,
    scaling_aside,
    schema,
    waiting,
)
from sagemaker_hosting.canonical import owner_of, request
from sagemaker_hosting.errors import ProviderError, error_text

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


class Deployer:
    """The deployment path and the waits it shares with the endpoint's create and delete; a base of
    `EndpointProvider`, beside `provider.Provider`, which gives it its `waiter`."""

    waiter: waiting.Waiter

    def deploy(
        self,
        client: SageMakerClient,
        name: str,
        inputs: Mapping[str, Any],
        listed: bool = True,
        tags: Mapping[str, str] | None = None,
        olds: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        """UpdateEndpoint to the new config, wait, and verify the endpoint now runs it. A deployment
        already in flight (an interrupted `pulumi up`, AWS maintenance) is waited out first; if it
        already brought the endpoint to the new config, no new one is started. Variants registered
        with Application Auto Scaling whose instance type changes are set aside for the deployment
        and registered again after it, whatever its outcome (module `autoscaling`). `listed`: whether
        the stack lists the endpoint already (an update), or not yet (a create that takes one over).
        `tags`: the endpoint's tags when the caller has just read them (an update's owner check);
        `olds`: the stack's outputs of the endpoint (an update), which may tell the running config's
        instance types (`known_facts.recorded_instance_types`)."""
        config_name = inputs["endpoint_config_name"]
        config = self.referenced_config(client, inputs)
        current: Mapping[str, Any] | None = aws.find_endpoint(client, name)
        if current is None:
            raise ProviderError(
                f'Endpoint "{name}" was deleted outside Pulumi; run `pulumi refresh`, then `pulumi up` to recreate it.'
            )
        if current["EndpointStatus"] in aws.DELETING:
            raise ProviderError(
                f'Endpoint "{name}" is being deleted (outside Pulumi, or by a run that did not see it end), so it '
                f'cannot be moved to config "{config_name}". Nothing was changed. Run `pulumi up --refresh`: the '
                "refresh drops the endpoint from the stack, and the `up` creates it again once the delete ends."
            )
        if current["EndpointStatus"] in aws.IN_PROGRESS:
            settled = self.settle(client, name, inputs, aws.UPDATABLE, current["EndpointStatus"])
            assert settled is not None  # gone is no target here
            current = settled
        if current["EndpointStatus"] not in aws.SERVING:
            raise ProviderError(not_updatable(current, config_name))
        live = known_facts.recorded_instance_types(olds, current) if olds is not None else None
        aside = scaling_aside.set_aside(client, current, config, tags, live)
        try:
            described = self.update_and_wait(client, name, inputs, current, config, listed)
        except Exception as error:  # whatever failed, the targets go back on the fleet that serves
            restored = scaling_aside.put_back(client, name, aside, failed=True)
            if isinstance(error, BotoCoreError | ClientError):  # AWS stopped answering mid-deployment
                error = ProviderError(
                    f'Deployment of config "{config_name}" to endpoint "{name}" stopped: {error_text(error)}. The '
                    f"deployment may go on in SageMaker; {next_up(listed)}"
                )
            if restored and isinstance(error, ProviderError):
                raise ProviderError(f"{error}. {restored}.") from error
            raise error
        scaling_aside.put_back(client, name, aside, failed=False)
        return described

    def update_and_wait(
        self,
        client: SageMakerClient,
        name: str,
        inputs: Mapping[str, Any],
        current: Mapping[str, Any],
        config: Mapping[str, Any],
        listed: bool,
    ) -> Mapping[str, Any]:
        """UpdateEndpoint (unless the endpoint already runs the config), wait, and verify."""
        config_name = inputs["endpoint_config_name"]
        timeout = self.timeout(inputs, "update", self.update_limit(inputs, current, config))
        seen = current["EndpointStatus"]
        if current.get("EndpointConfigName") != config_name:
            config_users.record(client, config, name, owner_of(inputs).stack_id)
            body = request("UpdateEndpoint", inputs, EndpointName=name)
            consistency.call_while_not_found(
                self.waiter, client, "UpdateEndpoint", f'endpoint "{name}"', lambda: client.update_endpoint(**body)
            )
            seen = "Updating"
        try:
            described = polling.wait_endpoint(self.waiter, client, name, aws.DEPLOYED, timeout, seen=seen)
        except waiting.WaitError as error:
            advice = ""
            if (error.last or {}).get("EndpointStatus") == "UpdateRollbackFailed":
                advice = (
                    ". SageMaker could not roll back either, so the endpoint may serve a mix of configs, and it "
                    f"updates only an InService endpoint: {WAY_OUT.format(name=name)}"
                )
            elif error.last is None or error.last.get("EndpointStatus") in aws.UPDATING:
                advice = f". The deployment goes on in SageMaker; {next_up(listed)}"
            raise ProviderError(
                f'Deployment of config "{config_name}" to endpoint "{name}" failed: {error}{advice}'
            ) from error
        assert described is not None
        if described.get("EndpointConfigName") != config_name:
            reason = str(described.get("FailureReason") or "no reason given").rstrip(".")
            raise ProviderError(
                f'SageMaker rolled back the deployment of config "{config_name}" to endpoint "{name}": {reason}. '
                f'The endpoint still serves config "{described.get("EndpointConfigName")}", which is kept.'
            )
        return described

    @staticmethod
    def update_limit(inputs: Mapping[str, Any], current: Mapping[str, Any], config: Mapping[str, Any]) -> int:
        """The derived update limit: from the endpoint's last deployment config when
        `retain_deployment_config` reuses it, else from `deployment_config`."""
        deployment_config = inputs.get("deployment_config")
        if inputs.get("retain_deployment_config") and current.get("LastDeploymentConfig"):
            last = normalize.from_api(schema.output_shape("DescribeEndpoint"), current)
            deployment_config = last.get("last_deployment_config")
        return deadlines.update_seconds(deployment_config, config.get("ProductionVariants", []))

    def referenced_config(self, client: SageMakerClient, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The config an endpoint is put on, once reads see it (SageMaker's advice before
        CreateEndpoint), waited for a short while only: a config that does not exist fails in seconds,
        naming the account and region it was looked for in."""
        config_name = inputs["endpoint_config_name"]
        try:
            return consistency.await_config(self.waiter, client, config_name, consistency.CONSISTENCY_SECONDS)
        except waiting.WaitError as error:
            place = f"account {inputs.get(naming.ACCOUNT_KEY) or '(unknown)'}, region {client.meta.region_name}"
            raise ProviderError(
                f'Endpoint config "{config_name}" does not exist in {place}, where the endpoint is: {error}. '
                "Check `endpoint_config_name`, and that the config has the endpoint's `region` and account."
            ) from error

    def settle(
        self, client: SageMakerClient, name: str, inputs: Mapping[str, Any], transition: aws.Transition, seen: str
    ) -> Mapping[str, Any] | None:
        """Wait for an operation already in progress (another deployment, AWS maintenance; `seen`:
        the status it was seen in) to end."""
        timeout = self.timeout(inputs, "update", deadlines.update_seconds(None, []))
        try:
            return polling.wait_endpoint(self.waiter, client, name, transition, timeout, seen=seen)
        except waiting.WaitError as error:
            raise ProviderError(f'Endpoint "{name}" is busy: {error}') from error

    @staticmethod
    def timeout(inputs: Mapping[str, Any], operation: str, derived: int) -> float:
        """The user's `timeouts[operation]` in seconds, else the derived limit."""
        return float((inputs.get("timeouts") or {}).get(operation) or derived)


def next_up(listed: bool) -> str:
    """What the stack records of an endpoint whose deployment it did not see end, and what the next
    `pulumi up` does with it."""
    if listed:
        return (
            "the stack still records the config that served before it, and the next `pulumi up` waits for it "
            "and finishes or repeats it"
        )
    return (
        "the stack does not list the endpoint yet (this create did not finish), and the next `pulumi up` takes "
        "it over again (it carries this stack's owner tag), waits for the deployment and finishes or repeats it"
    )


WAY_OUT = (
    "run `pulumi up --replace <the Endpoint's URN>` (`pulumi stack --show-urns` lists it), which deletes "
    'endpoint "{name}" and creates it again on the declared config (it serves nothing in between), or '
    "`pulumi destroy`"
)
"""The way out for an endpoint SageMaker will not update (Failed, OutOfService, UpdateRollbackFailed)."""


def not_updatable(current: Mapping[str, Any], config_name: str) -> str:
    """Why an endpoint that is not InService cannot be moved to `config_name`, and what to run."""
    name, status = current["EndpointName"], current["EndpointStatus"]
    reason = str(current.get("FailureReason") or "").rstrip(".")
    return (
        f'Endpoint "{name}" is {status}' + (f" ({reason})" if reason else "") + f", so it cannot be moved to config "
        f'"{config_name}": SageMaker updates only an InService endpoint. Nothing was changed. '
        + WAY_OUT.format(name=name)
        + "."
    )
