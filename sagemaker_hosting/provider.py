"""What the two dynamic providers share: `check` and `diff`, AWS settings from the stack config,
the resource's client, the owner checks, and the instance id that `check` settles.

Provider classes live in this package, so dill pickles them by reference: the `__provider` stored
in state is a short, stable reference, and no client is ever stored on a provider.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pulumi.dynamic as dynamic
from botocore.exceptions import BotoCoreError, ClientError

from sagemaker_hosting import (
    aws,
    leftovers,
    messages,
    naming,
    normalize,
    ownership,
    plan,
    process,
    read_budget,
    waiting,
)
from sagemaker_hosting.canonical import owner_of
from sagemaker_hosting.tag_keys import OWNER_TAG

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


PREVIEW_CHECKS = "sagemaker-hosting:previewChecks"
"""The stack config that turns preview's optional checks and their reads off ("false")."""
READS_PER_SECOND = "sagemaker-hosting:readsPerSecond"
"""The stack config that sets the read budget's rate (`read_budget`; at least `read_budget.MINIMUM_RATE`)."""


class Provider(dynamic.ResourceProvider):
    """Base of the resource providers: stack config, inputs, API requests."""

    serialize_as_secret_always = False
    """The pickled provider holds no secret (no client, no credentials), so stacks need no passphrase."""

    settings = aws.AwsSettings()
    waiter = waiting.Waiter()
    preview_checks = True
    """Whether preview makes the reads of its optional checks (`preflight`)."""
    config_problem: str | None = None
    """What is wrong with the stack config the provider reads, if anything (`check` refuses with it)."""

    check_inputs: Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[dict[str, Any], list[normalize.InputError]]]
    """The resource's validation (module `validate`): canonical inputs and the problems with them."""
    plan_change: Callable[[Mapping[str, Any], Mapping[str, Any]], plan.Plan]
    """The resource's diff (module `plan`): replace, update in place, or nothing."""
    kind: str
    """What the resource is called in messages ("Endpoint", "Endpoint config")."""

    finder: Callable[[SageMakerClient, str], dict[str, Any] | None]
    """The resource's finder (module `aws`): its Describe*, or None when it does not exist."""
    arn_key: str
    """The member of the finder's answer that holds the resource's ARN."""

    def find_arn(self, client: SageMakerClient, name: str) -> str | None:
        """The ARN of the resource of this kind named `name`, if it exists."""
        found = self.finder(client, name)
        return None if found is None else str(found[self.arn_key])

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> dynamic.CheckResult:
        """Validate and normalise the inputs, with the region, profile and account settled; for a
        create at preview, refuse a resource of the name owned elsewhere (`owned_elsewhere`; at `up`,
        the create itself refuses it before any write, so `up`'s check reads nothing of it). It runs
        at preview, so it writes nothing: it reads STS GetCallerIdentity (once per process) and, for
        a create at preview, the resource under the name and its tags."""
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
        if self.config_problem:
            failures.insert(0, dynamic.CheckFailure("", self.config_problem))
        if not olds and not failures and news.get(naming.PREVIEW_KEY) is not False:
            failures = [dynamic.CheckFailure("", reason) for reason in self.owned_elsewhere(inputs)]
        if not olds and not failures:
            self.preview(olds, inputs, True)
        leftovers.THIS_RUN.mark_declared(owner_of(inputs))
        return dynamic.CheckResult(with_checked_instance(inputs, olds), failures)

    def owned_elsewhere(self, inputs: Mapping[str, Any]) -> list[str]:
        """Before a create, at preview (a name known only at `up` is left to the create): a resource of
        this kind that already exists under the name and carries another owner's tag (another stack,
        another resource of this one, a tag that cannot tell stacks apart) is refused, naming that
        owner (`ownership`). One Describe and one ListTags, and only when the name, region and
        account are known; if they cannot be read, the create itself checks again before any write."""
        name, region = inputs.get("name"), inputs.get("region")
        if not isinstance(name, str) or not isinstance(region, str) or normalize.is_unknown([name, region]):
            return []
        if inputs.get(naming.ACCOUNT_KEY) is None:  # no credentials: nothing can be read
            return []
        client = self.client(inputs)
        try:
            arn = self.find_arn(client, name)
            found = aws.owner(client, arn) if arn is not None else None
        except (BotoCoreError, ClientError) as error:
            print(
                f'warning: whether {self.kind.lower()} "{name}" exists could not be read ({error}); '
                "`pulumi up` checks again before it creates anything",
                flush=True,
            )
            return []
        return self.refusals(name, found, inputs) if arn is not None else []

    def still_ours(self, client: SageMakerClient, arn: str, props: Mapping[str, Any]) -> bool:
        """Whether the resource at `arn`, which the state says is this resource, is still this state
        entry's (`holds`, from its owner tag); one that is gone is."""
        return self.own_tags(client, arn, props) is not None

    def own_tags(self, client: SageMakerClient, arn: str, props: Mapping[str, Any]) -> dict[str, str] | None:
        """The tags of the resource at `arn` when it is still this state entry's (`still_ours`, from
        the same one read, for a caller that needs the tags too); None when it is not. One that is
        gone has none."""
        tags = aws.find_tags(client, arn)
        if tags is None:
            return {}
        return tags if self.holds(arn, tags, props) else None

    def holds(self, arn: str, tags: Mapping[str, str], props: Mapping[str, Any]) -> bool:
        """Whether the resource at `arn`, with tags `tags`, is still this state entry's
        (`ownership.still_ours`, by its owner tag): if another stack made one of the name since, or a
        replacement of this resource took it over (a revert), it is not touched, and says so."""
        found, ours = ownership.parse(tags.get(OWNER_TAG)), owner_of(props)
        if ownership.still_ours(found, ours):
            return True
        assert found is not None
        name = arn.rpartition("/")[2]
        if found.stack_id == ours.stack_id:
            print(
                f'{self.kind} "{name}" is now held by another entry of this stack (a replacement that has its '
                "name again, as a revert does); this entry lets go of it without deleting it.",
                flush=True,
            )
        else:
            label = f" ({found.label})" if found.label else ""
            print(
                f'{self.kind} "{name}" of this stack is gone: one of the same name now belongs to another '
                f"stack{label}, which is left alone.",
                flush=True,
            )
        return False

    def refusals(self, name: str, found: ownership.Owner | None, inputs: Mapping[str, Any]) -> list[str]:
        """Why an existing resource named `name` whose owner tag names `found` may not be created over."""
        seen = ownership.verdict(found, owner_of(inputs))
        if seen in (ownership.Verdict.OURS, ownership.Verdict.NONE):  # taken over; or the create names it
            return []
        place = f"account {inputs.get(naming.ACCOUNT_KEY)}, {inputs.get('region')}"
        return [ownership.refusal(self.kind, name, found, seen, place)]

    def diff(self, id_: str, old_outputs: dict[str, Any], news: dict[str, Any]) -> dynamic.DiffResult:
        """What `pulumi up` will do, from the old outputs and the new inputs; no AWS call but
        `left_behind`'s."""
        news = normalize.with_wire_unknowns(news)
        decision = self.plan_change(old_outputs, news)
        replaced_at_up = (
            bool(decision.replaces) and not decision.delete_before_replace and news.get(naming.PREVIEW_KEY) is False
        )
        left_behind = self.left_behind(id_, old_outputs, replaced_at_up)
        if decision.note:  # a change the engine's diff cannot show: say what it is
            print(f'{self.kind} "{id_}": {decision.note}.', flush=True)
        self.preview(old_outputs, news, bool(decision.replaces))
        return dynamic.DiffResult(
            changes=decision.changes or left_behind,
            replaces=decision.replaces,
            delete_before_replace=decision.delete_before_replace,
        )

    def preview(self, olds: Mapping[str, Any], news: Mapping[str, Any], creates: bool) -> None:
        """Say what a create (`creates`) or change of the resource will do, as the CLI's diagnostics
        (so `pulumi preview --json` has them); nothing by default."""

    def left_behind(self, id_: str, old_outputs: dict[str, Any], replaced_at_up: bool) -> bool:
        """Whether a run killed before the engine recorded its create left something of this entry
        behind, which its update or create then deletes (the resource says so); none by default.
        `replaced_at_up`: the diff, at `up` (not preview), already replaces the entry, and creates its
        replacement before deleting it."""
        return False

    def configure(self, req: dynamic.ConfigureRequest) -> None:
        """Take `aws:region` and `aws:profile` from the stack config when set, whether preview
        makes its optional checks (`sagemaker-hosting:previewChecks`, true unless "false"), and the
        read budget's rate (`sagemaker-hosting:readsPerSecond`, `read_budget.READS_PER_SECOND` unless set)."""
        self.settings = aws.AwsSettings(region=req.config.get("aws:region"), profile=req.config.get("aws:profile"))
        self.preview_checks = str(req.config.get(PREVIEW_CHECKS)).lower() != "false"
        try:
            aws.set_read_rate(read_budget.rate_of(req.config.get(READS_PER_SECOND), READS_PER_SECOND))
        except ValueError as error:  # `check` refuses every resource with it (no traceback, at preview)
            self.config_problem = str(error)

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

    @staticmethod
    def inputs(props: Mapping[str, Any]) -> dict[str, Any]:
        """The resource's canonical inputs (as returned by check), without the pickled provider."""
        return {key: value for key, value in props.items() if key != naming.PROVIDER_KEY}


def with_checked_instance(inputs: Mapping[str, Any], olds: Mapping[str, Any]) -> dict[str, Any]:
    """`inputs` with the instance id (`naming.INSTANCE_KEY`) that `check` settles: the old inputs' one,
    or a new one for a new resource (no old inputs: a create, or a replacement). State written before
    check drew it has none in its old inputs: the update keeps the old outputs' (`with_instance`)."""
    if olds.get(naming.INSTANCE_KEY):
        return {**inputs, naming.INSTANCE_KEY: olds[naming.INSTANCE_KEY]}
    return dict(inputs) if olds else new_instance(inputs)


def new_instance(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """`inputs` with their instance id (`naming.INSTANCE_KEY`), drawn now if `check` did not: from
    the engine's random seed for this operation when there is one (so a saved plan holds it), else
    at random."""
    seed = process.engine_random_seed()
    drawn = hashlib.sha256(seed).hexdigest()[:12] if seed else uuid.uuid4().hex[:12]
    return {**inputs, naming.INSTANCE_KEY: inputs.get(naming.INSTANCE_KEY) or drawn}


def with_instance(inputs: Mapping[str, Any], old_outputs: Mapping[str, Any]) -> dict[str, Any]:
    """`inputs` with the instance id of the resource's `old_outputs` (an update keeps it)."""
    instance = old_outputs.get(naming.INSTANCE_KEY)
    return {**inputs, naming.INSTANCE_KEY: instance} if instance else dict(inputs)


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
