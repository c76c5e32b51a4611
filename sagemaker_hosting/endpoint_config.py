"""`EndpointConfig`: a SageMaker endpoint configuration as a Pulumi dynamic resource.

Laid out as the SDK's own `pulumi/dynamic/dynamic.py`: the provider, then the resource class.
Configs are immutable in SageMaker, so any change but tags replaces the resource: the engine
creates the new config (under a freshly generated name) first, moves dependent endpoints to it,
and deletes the old one last.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

import pulumi
import pulumi.dynamic as dynamic
from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import (
    aws,
    config_users,
    consistency,
    leftovers,
    naming,
    normalize,
    ownership,
    plan,
    schema,
    tag_keys,
    validate,
    variants,
    waiting,
)
from sagemaker_hosting.canonical import owner_of, owner_tag, request, tag_list
from sagemaker_hosting.errors import ProviderError, api_failure, is_already_existing, reported
from sagemaker_hosting.properties import resource_props, with_secret_inputs
from sagemaker_hosting.provider import Provider, jsonable, new_instance, with_instance

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

    from sagemaker_hosting.args import EndpointConfigArgs

OUTPUT_KEYS = ("arn", "creation_time")
"""Outputs that are not inputs."""


class EndpointConfigProvider(Provider):
    """CRUD for one endpoint configuration (CreateEndpointConfig / Describe / Delete, tags in place)."""

    check_inputs = staticmethod(validate.check_endpoint_config)
    plan_change = staticmethod(plan.plan_endpoint_config)
    kind = "Endpoint config"
    finder = staticmethod(aws.find_endpoint_config)
    arn_key = "EndpointConfigArn"

    @reported("create")
    def create(self, props: dict[str, Any]) -> dynamic.CreateResult:
        inputs = new_instance(self.inputs(props))
        name = inputs["name"]
        client = self.client(inputs)
        body = request("CreateEndpointConfig", inputs, EndpointConfigName=name)

        made_now = False  # the create made it (rather than taking over an earlier one)

        def create_config() -> str:
            nonlocal made_now
            try:
                arn = str(client.create_endpoint_config(**body)["EndpointConfigArn"])
            except ClientError as error:
                existing = aws.find_endpoint_config(client, name) if is_already_existing(error) else None
                if existing is None:
                    raise
                refused = self.refusals(name, aws.owner(client, existing["EndpointConfigArn"]), inputs)
                if refused:
                    raise ProviderError(refused[0]) from error
                if not self.is_own_earlier_create(client, existing, inputs):
                    raise
                print(
                    f'Endpoint config "{name}" was made by an earlier create of this resource (interrupted, or '
                    "replaced and now declared again); using it."
                )
                arn = str(existing["EndpointConfigArn"])
                client.add_tags(ResourceArn=arn, Tags=tag_list(owner_tag(inputs)))  # this entry's from now on
                return arn
            config_users.created(client, arn)
            made_now = True
            return arn

        arn = consistency.call_while_not_found(
            self.waiter, client, "CreateEndpointConfig", f'endpoint config "{name}"', create_config
        )
        visible = self.await_visible(client, name)
        if made_now:
            leftovers.THIS_RUN.record_created(visible["CreationTime"])
        outputs = {**inputs, **self.live_outputs(arn, visible)}
        self.delete_left_behind(client, leftovers.THIS_RUN.take(owner_of(inputs)), inputs)
        replaced = leftovers.THIS_RUN.take_deferred(owner_of(inputs))
        if replaced is not None:  # where the replaced entry is (its region may not be this one's)
            where = self.client(replaced)
            self.delete_left_behind(where, self.left_behind_by(where, replaced, name), inputs)
        return dynamic.CreateResult(name, outputs)

    def left_behind_by(self, client: SageMakerClient, replaced: dict[str, Any], replacement: str) -> list[str]:
        """The search that the diff of the entry this create replaces (outputs `replaced`) left to it:
        shared with the creates of the fleet's other replacements, passing over the config just made
        (`replacement`) and listing only configs made before the first that this run made so far (if
        any). A failure to look is a warning that says what may remain: no later run looks before the
        replacement's creation time."""
        try:
            return leftovers.find(
                client,
                replaced,
                owner_of(replaced),
                shared=True,
                besides=replacement,
                until=leftovers.THIS_RUN.first_creation(),
            )
        except (BotoCoreError, ClientError) as error:
            print(
                f'warning: {self.kind} "{replacement}" was created, but '
                f"{leftovers.not_looked_for(error, replaced, client.meta.region_name, looked_for_again=False)}",
                flush=True,
            )
            return []

    def left_behind(self, id_: str, old_outputs: dict[str, Any], replaced_at_up: bool) -> bool:
        """Configs a run killed before the engine recorded them left of this entry (`leftovers`),
        remembered for this run's update or create of it to delete; a failure to look is a warning.
        An entry `replaced_at_up` leaves the search to the create of its replacement
        (`leftovers.ThisRun.defer`, `left_behind_by`): the change is decided, and the creates of a
        fleet's replacements share their listings."""
        ours = owner_of(old_outputs)
        if replaced_at_up:
            leftovers.THIS_RUN.defer(ours, old_outputs)
            return False
        try:
            found = leftovers.find(self.client(old_outputs), old_outputs, ours)
        except (BotoCoreError, ClientError) as error:
            # Should the engine replace the entry all the same (`replaceOnChanges`), its
            # replacement's create searches: later runs search only from the replacement's creation.
            leftovers.THIS_RUN.defer(ours, old_outputs)
            said = leftovers.not_looked_for(error, old_outputs, None, looked_for_again=True)
            print(f'warning: {self.kind} "{id_}": {said}', flush=True)
            return False
        leftovers.THIS_RUN.remember(ours, found)
        if found:
            listed = ", ".join(f'"{name}"' for name in found)
            print(
                f'{self.kind} "{id_}": config(s) {listed} of this resource were made by an earlier `pulumi up` '
                "and never used by an endpoint, and this entry does not hold them (a run killed before the engine "
                "recorded them left them); `pulumi up` deletes it.",
                flush=True,
            )
        return bool(found)

    @staticmethod
    def delete_left_behind(client: SageMakerClient, names: list[str], props: dict[str, Any]) -> None:
        """Delete those of `names` that are still left behind by the entry `props` (`leftovers`), and say
        so. A failure is a warning naming the config that stays: this clean-up does not fail the
        create, update or delete it follows, whose own work is done."""
        for name in names:
            try:
                deleted = leftovers.delete(client, [name], owner_of(props))
            except (BotoCoreError, ClientError) as error:
                print(
                    f'warning: Endpoint config "{name}", made for this resource by a `pulumi up` killed before it '
                    f"recorded it, could not be deleted: {error}. It stays in SageMaker; delete it with "
                    f"`{leftovers.delete_command(client.meta.region_name, name)}`.",
                    flush=True,
                )
                continue
            if deleted:
                print(
                    f'Endpoint config "{name}", made for this resource by a `pulumi up` killed before it recorded '
                    "it, was deleted.",
                    flush=True,
                )

    def await_visible(self, client: SageMakerClient, name: str) -> dict[str, Any]:
        """The config just created, once reads see it (so an endpoint can be created on it, and its
        creation time is known)."""
        try:
            found = consistency.await_config(self.waiter, client, name, consistency.VISIBILITY_SECONDS)
        except waiting.WaitError as error:
            raise ProviderError(f'Endpoint config "{name}" was created but never became visible: {error}') from error
        aws.remember_created_config(client, found)
        return found

    @staticmethod
    def is_own_earlier_create(client: SageMakerClient, existing: dict[str, Any], inputs: dict[str, Any]) -> bool:
        """Whether a config found under the name was created by this resource (its owner tag) with
        these very inputs (a create interrupted, or a lost response that botocore retried)."""
        same = not plan.changed_inputs("EndpointConfig", live_inputs(inputs, existing), inputs)
        found = aws.owner(client, existing["EndpointConfigArn"])
        return same and ownership.verdict(found, owner_of(inputs)) is ownership.Verdict.OURS

    def read(self, id_: str, props: dict[str, Any]) -> dynamic.ReadResult:
        """Refresh: the config as SageMaker stores it. A config not found is gone, once it is
        older than an eventually consistent read may lag."""
        client = self.client(props)
        described = consistency.find_created(
            self.waiter, lambda: aws.find_endpoint_config(client, id_), props.get("creation_time")
        )
        if described is None:
            return dynamic.ReadResult(None, {})
        tags = aws.list_tags(client, described["EndpointConfigArn"])
        if not self.holds(described["EndpointConfigArn"], tags, props):
            return dynamic.ReadResult(None, {})
        inputs = live_inputs(self.inputs(props), described)
        inputs["tags"] = aws.managed_tags(tags, props.get("tags"))
        outs = {**inputs, **self.live_outputs(described["EndpointConfigArn"], described)}
        return dynamic.ReadResult(id_, outs, inputs)

    @reported("update")
    def update(self, name: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.UpdateResult:
        """Only tags change in place (everything else replaces); and what a killed run left behind
        is deleted (`left_behind`)."""
        inputs = with_instance(self.inputs(news), old_outputs)
        client = self.client(old_outputs)
        if not self.still_ours(client, old_outputs["arn"], old_outputs):
            raise ProviderError(
                f'Endpoint config "{name}" is not changed: it is no longer this resource\'s (see above). Run '
                "`pulumi refresh` to drop it from this stack."
            )
        try:
            aws.update_tags(client, old_outputs["arn"], old_outputs.get("tags") or {}, inputs.get("tags") or {})
        except ClientError as error:
            raise api_failure("AddTags/DeleteTags", f'endpoint config "{name}"', error) from error
        self.delete_left_behind(client, leftovers.THIS_RUN.take(owner_of(inputs)), inputs)
        return dynamic.UpdateResult({**inputs, **{key: old_outputs.get(key) for key in OUTPUT_KEYS}})

    @reported("delete")
    def delete(self, name: str, props: dict[str, Any]) -> None:
        """Delete the config (`delete_config`); for a resource this run does not declare (`pulumi
        destroy`, a resource removed from the program), also the configs of it that a killed run left
        behind (`leftovers`)."""
        client = self.client(props)
        self.delete_config(client, name, props)
        ours = owner_of(props)
        if leftovers.THIS_RUN.declares(ours):
            return
        try:
            found = leftovers.find(client, props, ours, shared=True)
        except (BotoCoreError, ClientError) as error:
            print(
                f'warning: Endpoint config "{name}" was deleted, but '
                f"{leftovers.not_looked_for(error, props, client.meta.region_name, looked_for_again=False)}",
                flush=True,
            )
            return
        self.delete_left_behind(client, found, props)

    def delete_config(self, client: SageMakerClient, name: str, props: dict[str, Any]) -> None:
        """Delete the config unless an endpoint runs on it or is moving to or from it: SageMaker
        would delete it, and that endpoint's next update or rollback would then fail. One of the
        name that another stack made since (this one's was deleted outside Pulumi) is left alone."""
        users: list[config_users.ConfigUser] = []
        if props.get("arn"):  # one read of its tags: whose it is, and the endpoints it records
            try:
                tags = aws.find_tags(client, props["arn"])
            except ClientError as error:
                raise api_failure("ListTags", f'endpoint config "{name}"', error) from error
            if tags is None or not self.holds(props["arn"], tags, props):  # gone, or not ours: nothing to delete
                return
            users = config_users.config_users(client, name, tags)
        owner = owner_of(props)
        retained = [user for user in users if self.retained_by(user, owner.stack_id)]
        # `destroy` with `retain_on_delete` on the endpoint (and any run that drops the config and
        # endpoint). A run that declares the config replaces it (`up --target` of the config alone):
        # the endpoint is still the stack's, and moves off the config first.
        if users and len(retained) == len(users) and not leftovers.THIS_RUN.declares(owner):
            print(
                f'Endpoint config "{name}" stays in SageMaker and leaves the stack, not deleted: endpoint(s) '
                f"{', '.join(str(user) for user in retained)}, which this stack retains (`retain_on_delete`), "
                "run on it and need it for their next update or rollback. Both keep running (and costing); "
                "delete the endpoint, then the config, when they are no longer needed.",
                flush=True,
            )
            return
        if users:
            listed = ", ".join(str(user) for user in users)
            own = [str(user) for user in users if self.of_stack(user, owner.stack_id) and user.status == "InService"]
            lost_track = (
                f" Endpoint {', '.join(own)} is this stack's: if an earlier `pulumi up` did not see its deployment "
                "end (a timeout, a kill, an outage), it now serves this config while the stack records another; "
                "`pulumi refresh` records it, and the next `pulumi up` moves it to the declared config and deletes "
                "this one."
                if own
                else ""
            )
            raise ProviderError(
                f'Endpoint config "{name}" was not deleted: endpoint {listed} runs on it or is moving to '
                "or from it, and would lose its rollback. It is kept. Move the endpoint first: run `pulumi up` "
                "without --target or --exclude (or wait for the deployment in flight to finish), run `pulumi "
                "refresh` if the endpoint was changed outside Pulumi, and remove `delete_before_replace` from the "
                "config's resource options if it is set (the engine then deletes the old config before any "
                f"endpoint can move off it); then run the command again.{lost_track}"
            )
        try:
            aws.delete_endpoint_config(client, name)
        except ClientError as error:
            raise api_failure("DeleteEndpointConfig", f'endpoint config "{name}"', error) from error

    @staticmethod
    def of_stack(user: config_users.ConfigUser, stack_id: str | None) -> bool:
        """Whether `user` is an endpoint of the stack `stack_id` (its owner tag)."""
        owner = ownership.parse(user.tags.get(tag_keys.OWNER_TAG))
        return owner is not None and stack_id is not None and owner.stack_id == stack_id

    @classmethod
    def retained_by(cls, user: config_users.ConfigUser, stack_id: str | None) -> bool:
        """Whether `user` is an endpoint of the stack `stack_id` that it keeps on `destroy`."""
        return cls.of_stack(user, stack_id) and user.tags.get(tag_keys.RETAINED_TAG) == "true"

    @staticmethod
    def live_outputs(arn: str, described: dict[str, Any]) -> dict[str, Any]:
        created = described.get("CreationTime")
        return {"arn": arn, "creation_time": jsonable(created) if isinstance(created, datetime) else None}


def live_inputs(inputs: dict[str, Any], described: dict[str, Any]) -> dict[str, Any]:
    """`inputs` with every member SageMaker stores (every CreateEndpointConfig member but the name
    and tags) as DescribeEndpointConfig returns it."""
    live = normalize.from_api(schema.output_shape("DescribeEndpointConfig"), described)
    merged = dict(inputs)
    for member in schema.input_shape("CreateEndpointConfig").members:
        key = schema.snake(member)
        if member in ("EndpointConfigName", "Tags"):
            continue
        if key in live:
            merged[key] = live[key]
        else:
            merged.pop(key, None)
    return merged


class EndpointConfig(dynamic.Resource, module="sagemaker", name="EndpointConfig"):
    """A SageMaker endpoint configuration (CreateEndpointConfig).

    Every member of CreateEndpointConfig is a keyword argument, in snake_case
    (`production_variants`, `data_capture_config`, `async_inference_config`, ...); nested keys may be
    snake_case or the API's PascalCase. `tags` is a dict. Without `name`, a name is generated from
    the resource name plus a suffix derived from the stack, the resource and the config's content,
    so every replacement gets a new one; `region` defaults to the stack's.
    """

    name: pulumi.Output[str]
    """The endpoint configuration's name: a `variants.ConfigName`, which carries the config's variant
    facts to an `Endpoint` put on it."""
    arn: pulumi.Output[str]
    """The endpoint configuration's ARN."""
    creation_time: pulumi.Output[str]
    """When SageMaker created the configuration (ISO 8601)."""
    tags: pulumi.Output[dict[str, str]]
    """The configuration's tags."""
    region: pulumi.Output[str]
    """The AWS region the configuration lives in."""

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        **args: Unpack[EndpointConfigArgs],
    ) -> None:
        props = resource_props(
            "sagemaker:EndpointConfig", resource_name, args, (*OUTPUT_KEYS, naming.INSTANCE_KEY), opts
        )
        super().__init__(EndpointConfigProvider(), resource_name, with_secret_inputs(props), opts)
        instance: pulumi.Output[str] = getattr(self, naming.INSTANCE_KEY)
        self.name = variants.ConfigName.of(self.name, variants.config_facts(self.name, args, self.region), instance)
