"""`Endpoint`: a SageMaker endpoint as a Pulumi dynamic resource.

Laid out as the SDK's own `pulumi/dynamic/dynamic.py`: the provider, then the resource class.
A new `endpoint_config_name` is an in-place blue/green UpdateEndpoint, made by the deployment path
one of the provider's two bases (`deployment.Deployer`; the other is `provider.Provider`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

import pulumi
import pulumi.dynamic as dynamic
from botocore.exceptions import ClientError

from sagemaker_hosting import (
    autoscaling,
    aws,
    config_users,
    consistency,
    deadlines,
    naming,
    normalize,
    plan,
    polling,
    preflight,
    rollout,
    schema,
    tag_keys,
    validate,
    variants,
    waiting,
)
from sagemaker_hosting.canonical import is_retained, owner_of, owner_tag, request, tag_list
from sagemaker_hosting.deployment import Deployer
from sagemaker_hosting.errors import (
    ProviderError,
    api_failure,
    is_already_existing,
    is_in_progress,
    is_not_found,
    reported,
)
from sagemaker_hosting.properties import resource_props, with_secret_inputs
from sagemaker_hosting.provider import Provider, jsonable, new_instance, with_instance

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

    from sagemaker_hosting.args import EndpointArgs

OUTPUT_KEYS = ("arn", "status", "creation_time", "last_modified_time", "failure_reason", "production_variants")
"""Outputs that are not inputs: the endpoint's live state."""


class EndpointProvider(Provider, Deployer):
    """CreateEndpoint / UpdateEndpoint / DeleteEndpoint with waits, rollback detection and tags.
    The statuses it waits on are `aws`'s state model (CREATING, UPDATING, DELETING, ...)."""

    check_inputs = staticmethod(validate.check_endpoint)
    plan_change = staticmethod(plan.plan_endpoint)
    kind = "Endpoint"
    finder = staticmethod(aws.find_endpoint)
    arn_key = "EndpointArn"

    def preview(self, olds: Mapping[str, Any], news: Mapping[str, Any], creates: bool) -> None:
        """The rollout plan of a create or a move to another config (`rollout`), then `preflight`'s
        warnings: rollback alarms that do not exist, a quota the deployment would exceed. At preview
        only (`naming.PREVIEW_KEY`): `up` checks and diffs again, and would print it twice."""
        planned = rollout.planned(olds, news, creates) if normalize.is_unknown(news.get(naming.PREVIEW_KEY)) else None
        if planned is None:
            return
        print("\n".join(rollout.preview_lines(olds, news, planned)), flush=True)
        if not self.preview_checks or news.get(naming.ACCOUNT_KEY) is None or normalize.is_unknown(news.get("region")):
            return
        place = f"account {news.get(naming.ACCOUNT_KEY)}, region {news.get('region')}"
        alarms = rollout.alarm_names(news.get("deployment_config"))
        for line in preflight.warnings(self.client(news), news.get("name"), planned, alarms, place):
            print(line, flush=True)

    @reported("create")
    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = new_instance(self.inputs(props))
        name, config_name = inputs["name"], inputs["endpoint_config_name"]
        client = self.client(inputs)
        config = self.referenced_config(client, inputs)
        if inputs.get("adopt_existing"):
            return dynamic.CreateResult(name, {**inputs, **live_outputs(self.adopt(client, name, inputs, config))})
        config_users.record(client, config, name, owner_of(inputs).stack_id)
        body = request("CreateEndpoint", inputs, EndpointName=name)
        consistency.call_while_not_found(
            self.waiter,
            client,
            "CreateEndpoint",
            f'endpoint "{name}"',
            lambda: self.create_or_adopt(client, body, inputs),
        )
        timeout = self.timeout(inputs, "create", deadlines.create_seconds(config.get("ProductionVariants", [])))
        try:
            described = polling.wait_endpoint(
                self.waiter, client, name, aws.CREATED, timeout, consistency.VISIBILITY_SECONDS, seen="Creating"
            )
        except waiting.WaitError as error:
            raise ProviderError(self.failed_create(name, error, inputs)) from error
        assert described is not None
        if described.get("EndpointConfigName") != config_name:  # taken over on another config
            described = self.deploy(client, name, inputs, listed=False)
        return dynamic.CreateResult(name, {**inputs, **live_outputs(described)})

    def create_or_adopt(self, client: SageMakerClient, body: dict[str, Any], inputs: dict[str, Any]) -> None:
        """CreateEndpoint; an endpoint already under the name that carries this resource's owner tag
        was started by an earlier create of it (interrupted, or a lost response that botocore
        retried, or the old entry of a `pulumi up --replace`): it is waited for instead; one that
        SageMaker no longer updates (`aws.STUCK`) or that is Deleting is deleted and created again.
        One with another owner's tag is refused, naming the owner (`ownership`)."""
        name = body["EndpointName"]
        try:
            client.create_endpoint(**body)
            return
        except ClientError as error:
            existing = aws.find_endpoint(client, name) if is_already_existing(error) else None
            if existing is None and is_already_existing(error):  # the one in the way was deleted meanwhile
                client.create_endpoint(**body)
                return
            found = aws.owner(client, existing["EndpointArn"]) if existing is not None else None
            refused = self.refusals(name, found, inputs)
            if refused:
                raise ProviderError(refused[0]) from error
            if existing is None or found is None:  # no owner: made outside any stack of ours
                raise
        status = existing["EndpointStatus"]
        if status in aws.STUCK | aws.DELETING:  # what SageMaker no longer updates goes, then is made again
            print(f'Endpoint "{name}" of this resource is {status}: it is deleted and created again.', flush=True)
            self.delete(name, {**inputs, naming.INSTANCE_KEY: found.instance})
            client.create_endpoint(**body)
            return
        print(
            f'Endpoint "{name}" was started by an earlier create of this resource (interrupted, or replaced by '
            "`pulumi up --replace`); continuing with it.",
            flush=True,
        )
        client.add_tags(ResourceArn=existing["EndpointArn"], Tags=tag_list(owner_tag(inputs)))  # this entry's now

    def adopt(
        self, client: SageMakerClient, name: str, inputs: dict[str, Any], config: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        """Take over the existing endpoint `name` (`adopt_existing`) without CreateEndpoint: a busy one
        is waited for; one that is not InService, or that another resource of ours owns, is refused;
        it gets this resource's owner tag and the inputs' tags, and moves blue/green to the config if
        it runs another (which, not being the stack's, is never deleted by it)."""
        current: Mapping[str, Any] | None = aws.find_endpoint(client, name)
        if current is None:
            raise ProviderError(
                f'Endpoint "{name}" does not exist, so it cannot be adopted: check `name` and `region` (and the '
                "account of the stack's credentials), or remove `adopt_existing` to create it."
            )
        if current["EndpointStatus"] in aws.CREATING | aws.UPDATING:
            current = self.settle(client, name, inputs, aws.UPDATABLE, current["EndpointStatus"])
            assert current is not None  # gone is no target here
        if current["EndpointStatus"] not in aws.SERVING:
            raise ProviderError(
                f'Endpoint "{name}" is {current["EndpointStatus"]}, so it cannot be adopted: only an InService '
                "endpoint is taken over without downtime. Bring it back to InService (or delete it and remove "
                "`adopt_existing` to create it), then run `pulumi up` again."
            )
        arn = current["EndpointArn"]
        refused = self.refusals(name, aws.owner(client, arn), inputs)
        if refused:
            raise ProviderError(f'Endpoint "{name}" is not adopted: {refused[0]}')
        client.add_tags(ResourceArn=arn, Tags=tag_list(owner_tag(inputs) | retained_tag(inputs)))
        aws.update_tags(client, arn, {}, inputs.get("tags") or {})  # tags it already has are left as they are
        print(f'Endpoint "{name}" ({current["EndpointConfigName"]}) adopted; no endpoint was created.')
        if current["EndpointConfigName"] != inputs["endpoint_config_name"]:
            return self.deploy(client, name, inputs, listed=False)  # records the endpoint on the config first
        config_users.record(client, config, name, owner_of(inputs).stack_id)
        return current

    def failed_create(self, name: str, error: waiting.WaitError, inputs: dict[str, Any]) -> str:
        """What happened to an endpoint whose create did not end InService, for the error message:
        one SageMaker no longer updates (`aws.STUCK`: Failed, ...) is deleted (and the message says
        whether that worked); one still Creating, or whose state could not be read, is left to
        SageMaker and to the next `pulumi up`."""
        status = (error.last or {}).get("EndpointStatus")
        if status in aws.STUCK:
            try:
                self.delete(name, inputs)
            except (ProviderError, ClientError) as delete_error:
                return (
                    f'Endpoint "{name}" could not be created: {error}. It could not be deleted either '
                    f"({delete_error}); delete it, then run `pulumi up` again."
                )
            return (
                f'Endpoint "{name}" could not be created: {error}. The {status} endpoint was deleted, so nothing '
                "is left outside the stack; fix the cause and run `pulumi up` again."
            )
        why = "its state could not be read" if status is None else f"SageMaker deletes no endpoint while it is {status}"
        return (
            f'Endpoint "{name}" is not InService: {error}. It was not deleted ({why}). It carries this '
            "resource's owner tag: the next `pulumi up` continues with it, and "
            f"if you no longer want it, delete it once it is InService or Failed (`aws sagemaker delete-endpoint "
            f"--endpoint-name {name}`)."
        )

    @reported("update")
    def update(self, name: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        inputs = with_instance(self.inputs(news), old_outputs)
        client = self.client(old_outputs)
        tags = self.own_tags(client, old_outputs["arn"], old_outputs)  # read once: whose, and what it records
        if tags is None:
            raise ProviderError(
                f'Endpoint "{name}" is not changed: it is no longer this resource\'s (see above). Run `pulumi '
                "refresh` to drop it from this stack."
            )
        described: Mapping[str, Any] | None = None
        if plan.moves_endpoint(old_outputs, inputs):  # `deploy` finds out what runs, and moves it if need be
            described = self.deploy(client, name, inputs, tags=tags, olds=old_outputs)
        try:
            aws.update_tags(
                client,
                old_outputs["arn"],
                retained_tag(old_outputs) | (old_outputs.get("tags") or {}),
                retained_tag(inputs) | (inputs.get("tags") or {}),
            )
        except ClientError as error:
            if is_not_found(error):
                raise ProviderError(
                    f'Endpoint "{name}" was deleted outside Pulumi, so its tags cannot be changed: run '
                    "`pulumi refresh`, then `pulumi up` to recreate it."
                ) from error
            raise api_failure("AddTags/DeleteTags", f'endpoint "{name}"', error) from error
        described = described or aws.find_endpoint(client, name)
        if described is None:
            raise ProviderError(f'Endpoint "{name}" no longer exists; run `pulumi refresh` to update the stack.')
        return dynamic.UpdateResult({**inputs, **live_outputs(described)})

    @reported("delete")
    def delete(self, name: str, props: dict[str, Any]) -> None:
        """Delete in any status: a running operation is waited out, a delete already under way is
        joined, a Failed endpoint is deleted, one already gone (or replaced by another stack's of the
        same name, which is left alone) is success. Whose it is comes from the tags of its recorded
        ARN; it is described first only when SageMaker refuses the delete (an operation in progress),
        so that a fleet's destroy makes one read per endpoint before its DeleteEndpoint."""
        client = self.client(props)
        arn = props.get("arn")
        if not arn:  # never recorded (a create that did not finish): found by its name
            found = aws.find_endpoint(client, name)
            if found is None:
                return
            arn = found["EndpointArn"]
        tags = aws.find_tags(client, arn)
        if tags is None or not self.holds(arn, tags, props):  # gone, or not ours: nothing to delete
            return
        if not self.start_delete(client, name):  # an operation in progress: wait it out, then delete
            current: Mapping[str, Any] | None = aws.find_endpoint(client, name)
            if current is not None and current["EndpointStatus"] in aws.CREATING | aws.UPDATING:
                current = self.settle(client, name, props, aws.DELETABLE, current["EndpointStatus"])
            if current is not None and current["EndpointStatus"] not in aws.DELETING:
                self.start_delete(client, name)
        timeout = self.timeout(props, "delete", deadlines.delete_seconds())
        try:
            polling.wait_endpoint(self.waiter, client, name, aws.DELETED, timeout, seen="Deleting")
        except waiting.WaitError as error:
            if error.last is None or error.last.get("EndpointStatus") in aws.DELETING:
                raise ProviderError(
                    f'Endpoint "{name}" is being deleted, but was not seen gone: {error}. The stack still lists it; '
                    "run `pulumi destroy` again (it joins the delete under way), or `pulumi refresh` once it is gone."
                ) from error
            raise ProviderError(f'Endpoint "{name}" was not deleted: {error}') from error

    @staticmethod
    def start_delete(client: SageMakerClient, name: str) -> bool:
        """DeleteEndpoint; False when SageMaker refuses it for an operation in progress (the endpoint
        being created, updated or deleted). One already gone is deleted."""
        try:
            client.delete_endpoint(EndpointName=name)
        except ClientError as error:
            if is_in_progress(error):
                return False
            if not is_not_found(error):
                raise api_failure("DeleteEndpoint", f'endpoint "{name}"', error) from error
        return True

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """Refresh: the live config name, tags and state. While a deployment is in flight (or rolling
        back) the stack keeps the config it recorded, the one that served before: the new one is
        recorded only once the endpoint is InService on it. Autoscaling that an earlier run set aside
        and did not register again is recorded as unfinished (`naming.PENDING_KEY`), so a refresh
        never makes it look done. An endpoint being deleted is gone, and
        so is one not found, once it is older than an eventually consistent read may lag."""
        client = self.client(props)
        described = consistency.find_created(
            self.waiter, lambda: aws.find_endpoint(client, id_), props.get("creation_time")
        )
        if described is None or described["EndpointStatus"] in aws.DELETING:  # nothing stops a delete
            return dynamic.ReadResult(None, {})
        tags = aws.list_tags(client, described["EndpointArn"])
        if not self.holds(described["EndpointArn"], tags, props):
            return dynamic.ReadResult(None, {})
        inputs = self.inputs(props)
        for key in (*OUTPUT_KEYS, naming.PENDING_KEY):
            inputs.pop(key, None)
        deploying = described["EndpointStatus"] in aws.IN_PROGRESS and props.get("endpoint_config_name")
        inputs["endpoint_config_name"] = props["endpoint_config_name"] if deploying else described["EndpointConfigName"]
        inputs["tags"] = aws.managed_tags(tags, props.get("tags"))
        outputs = {**inputs, **live_outputs(described)}
        aside = autoscaling.read_record(tags)
        if aside:  # never hidden by the refresh: the next diff shows it, the next `up` registers them
            variants = ", ".join(item.resource_id.rpartition("/")[2] for item in aside)
            outputs[naming.PENDING_KEY] = (
                "the Application Auto Scaling targets, policies and scheduled actions of variant(s) "
                f"{variants} were set aside by an earlier run (recorded on the endpoint) and are not registered "
                "again yet"
            )
        return dynamic.ReadResult(id_, outputs, inputs)

    # --- helpers ---------------------------------------------------------------------------------


def retained_tag(props: Mapping[str, Any]) -> dict[str, str]:
    """The mark of an endpoint the stack keeps on `destroy`, if it is one (`tag_keys.RETAINED_TAG`)."""
    return {tag_keys.RETAINED_TAG: "true"} if is_retained(props) else {}


def live_outputs(described: Mapping[str, Any] | None) -> dict[str, Any]:
    """The endpoint's live state from DescribeEndpoint, as outputs."""
    described = described or {}
    live = normalize.from_api(schema.output_shape("DescribeEndpoint"), described)
    return {
        "arn": described.get("EndpointArn"),
        "status": described.get("EndpointStatus"),
        "creation_time": jsonable(described.get("CreationTime")),
        "last_modified_time": jsonable(described.get("LastModifiedTime")),
        "failure_reason": described.get("FailureReason"),
        "production_variants": jsonable(live.get("production_variants", [])),
    }


class Endpoint(dynamic.Resource, module="sagemaker", name="Endpoint"):
    """A SageMaker endpoint (CreateEndpoint, UpdateEndpoint).

    Every member of CreateEndpoint and UpdateEndpoint is a keyword argument, in snake_case
    (`endpoint_config_name`, `deployment_config`, `retain_all_variant_properties`, ...). A change of
    `endpoint_config_name` deploys blue/green per `deployment_config`; `timeouts` ({"create",
    "update", "delete"}: seconds or "90m") overrides the limits derived from it. Put on an
    `EndpointConfig`'s `name`, it carries that config's variant facts (a hidden input), so that a
    move SageMaker cannot make by UpdateEndpoint, or a config SageMaker would refuse to put it on,
    fails `pulumi preview` (`in_place`).
    """

    name: pulumi.Output[str]
    """The endpoint's name."""
    arn: pulumi.Output[str]
    """The endpoint's ARN."""
    endpoint_config_name: pulumi.Output[str]
    """The config the endpoint runs."""
    status: pulumi.Output[str]
    """EndpointStatus when last read (InService after a successful `pulumi up`)."""
    creation_time: pulumi.Output[str]
    """When SageMaker created the endpoint (ISO 8601)."""
    last_modified_time: pulumi.Output[str]
    """When SageMaker last changed the endpoint (ISO 8601)."""
    failure_reason: pulumi.Output[str | None]
    """SageMaker's FailureReason, if any."""
    production_variants: pulumi.Output[list[dict[str, Any]]]
    """Live state of each production variant: weights, instance counts, deployed images."""
    tags: pulumi.Output[dict[str, str]]
    """The endpoint's tags."""
    region: pulumi.Output[str]
    """The AWS region the endpoint lives in."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        **args: Unpack[EndpointArgs],
    ) -> None:
        props = resource_props("sagemaker:Endpoint", resource_name, args, OUTPUT_KEYS, opts)
        facts = variants.facts_of(args.get("endpoint_config_name"))
        if facts is not None:  # what `check` needs to refuse a move SageMaker cannot make in place
            props[naming.CONFIG_VARIANTS_KEY] = facts
            props[naming.CONFIG_INSTANCE_KEY] = variants.instance_of(args.get("endpoint_config_name"))
        super().__init__(EndpointProvider(), resource_name, with_secret_inputs(props), opts)
