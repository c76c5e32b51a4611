"""Configs that a killed `pulumi up` made and never recorded (part of the AWS layer): found by the
next run's diff of the config's entry (or the create of its replacement), deleted by that run's
update or create of it.

The engine records a create only when the provider returns from it. A run killed between
CreateEndpointConfig and that moment (a CI runner's hard timeout, an out-of-memory kill) leaves a
config that no state entry holds: the engine keeps the create only as a pending operation, which
`pulumi up` merely warns about, and a revert, or any later change, never names that config again.
Such a config carries the entry's owner tag with another instance (`ownership.left_behind`); it
was created at or after the entry's config (the killed run was replacing it); and no endpoint was
ever put on it (no record of users: an endpoint moves to a config only after the engine has recorded
it). That is what `find` looks for: a ListEndpointConfigs by the name prefix and creation time (at
a destroy, or an update's creates, shared by the searches of the entries that look at once:
`SharedListing`), and one ListTags per config it returns.

The delete of an entry of a resource that the run does not declare (`pulumi destroy`, or the
resource removed from the program) looks too, and deletes what it finds: every config of that
resource goes then. The delete of a replaced entry does not (`ThisRun.declares`): the entry that
replaced it is a config of the resource made after it, which no endpoint may use yet.

At `up`, the diff of an entry that it replaces (create before delete) leaves its search to the
create of the replacement (`ThisRun.defer`): the diff has decided the change already, and the
engine runs the creates together, so they share listings as a destroy's deletes do (issue 17: an
update of a fleet listed once per config, one diff at a time). That search passes over the config
the create just made, and lists only configs made before the first that this run made so far
(`ThisRun.first_creation`; not one it took over, which may be older than a config left behind):
every config a killed earlier run left is older, and the fleet's new ones would fill the page.

A config created by a killed *first* create is not found here: the next `up` that declares it
again takes it over under the same name (`EndpointConfigProvider.create`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sagemaker_hosting import aws, config_users, naming, ownership
from sagemaker_hosting.errors import is_not_found
from sagemaker_hosting.tag_keys import OWNER_TAG

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


class ThisRun:
    """What this process's diffs found, per resource (stack id and seed), for its update or create
    to delete, or left to its create to search for (diff and the write that follows it run in the
    same provider process); which resources this run declares (`Provider.check` notes each: a
    `pulumi up` checks every resource of the program before any delete of a replaced or removed one,
    and a `destroy` checks none); and when it first created a config."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.names: dict[tuple[str | None, str | None], list[str]] = {}
        self.declared: set[tuple[str | None, str | None]] = set()
        self.deferred: dict[tuple[str | None, str | None], dict[str, Any]] = {}
        """The outputs of the entries whose search the create of their replacement makes."""
        self.first_created: datetime | None = None

    def mark_declared(self, owner: ownership.Owner) -> None:
        with self.guard:
            self.declared.add((owner.stack_id, owner.seed))

    def declares(self, owner: ownership.Owner) -> bool:
        """Whether this run declares the resource: its delete is then that of a replaced entry (a config
        made after that entry's may be the entry that replaced it), never a `destroy`."""
        with self.guard:
            return (owner.stack_id, owner.seed) in self.declared

    def remember(self, owner: ownership.Owner, names: list[str]) -> None:
        with self.guard:
            self.names[(owner.stack_id, owner.seed)] = names

    def take(self, owner: ownership.Owner) -> list[str]:
        with self.guard:
            return self.names.pop((owner.stack_id, owner.seed), [])

    def defer(self, owner: ownership.Owner, replaced: Mapping[str, Any]) -> None:
        """Leave the search of a replaced entry (outputs `replaced`) to the create of its replacement."""
        with self.guard:
            self.deferred[(owner.stack_id, owner.seed)] = dict(replaced)

    def take_deferred(self, owner: ownership.Owner) -> dict[str, Any] | None:
        """The outputs of the entry of the resource whose search this create makes, if any (once)."""
        with self.guard:
            return self.deferred.pop((owner.stack_id, owner.seed), None)

    def record_created(self, created: datetime) -> None:
        """Note SageMaker's creation time of a config this run made (not one it took over)."""
        with self.guard:
            if self.first_created is None or created < self.first_created:
                self.first_created = created

    def first_creation(self) -> datetime | None:
        """SageMaker's creation time of the first config this run created, if any: every config a
        killed earlier run left was made before it."""
        with self.guard:
            return self.first_created


THIS_RUN = ThisRun()
"""What the provider process knows of its run."""


def unrecorded(tags: Mapping[str, str], ours: ownership.Owner) -> bool:
    """Whether a config with `tags` is one the entry `ours` left behind, and no endpoint was put on."""
    on_it = bool(config_users.recorded_names(tags))
    return not on_it and ownership.left_behind(ownership.parse(tags.get(OWNER_TAG)), ours)


@dataclass
class _Search:
    """One entry's search: the head of its configs' names, its own config's creation time and the
    time by which every config it looks for was made (if known); what a shared listing found for it,
    its error, or that it lists alone."""

    head: str
    since: datetime
    until: datetime | None = None
    found: list[dict[str, Any]] | None = None
    error: Exception | None = None
    alone: bool = False

    def wants(self, config: Mapping[str, Any]) -> bool:
        """Whether a listed config is one the search looks for."""
        created = config["CreationTime"]
        in_time = created >= self.since and (self.until is None or created < self.until)
        return in_time and self.head in str(config["EndpointConfigName"])

    def answered(self) -> bool:
        """Whether the listing that took the search up has answered it."""
        return self.found is not None or self.error is not None or self.alone


GATHER_SECONDS = 0.1
"""The least time between two listings of one client's: the searches of a destroy's deletes (or an
update's creates) come over half a second or so as the engine gets to each (not in one burst), and
those made within it share the next listing (measured, a destroy of 100: 5 listings, 68 without it;
an update of 100: 11-13). A search with no listing this recent lists at once."""


class SharedListing:
    """ListEndpointConfigs shared by the searches that come together (issue 17: a fleet's destroy
    looks for every config entry, as does an update's creates for the entries they replace, and a
    listing each would be a hundred reads where one page holds them). A search made when its client
    has listed in none of the last `GATHER_SECONDS` lists at once, alone; those made while a listing
    is under way or due wait for it, and the next serves them all, by the longest head their names
    share (every name, if none), the earliest creation time and the latest bound (none if one has
    none), each then keeping its own. A shared listing is kept only if it
    is one page: one of several would cost more than the searches' own when their names share
    little, and may skip a row that a delete between its pages moved up (pages go by offset); each
    of its searches then lists alone, at once, in its own thread. A search is never served by a
    listing begun before it. Written by hand: botocore batches no reads."""

    def __init__(
        self,
        gather: float = GATHER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._gather, self._clock, self._sleep = gather, clock, sleep
        self._changed = threading.Condition()
        self._queued: dict[SageMakerClient, list[_Search]] = {}
        self._listing: set[SageMakerClient] = set()
        """Clients whose listing is under way or due: their searches wait for it."""
        self._last: dict[SageMakerClient, float] = {}
        """When each client's last listing began."""

    def queued(self, client: SageMakerClient) -> int:
        """How many searches wait for `client`'s next listing."""
        with self._changed:
            return len(self._queued.get(client, []))

    def configs(
        self, client: SageMakerClient, head: str, since: datetime, until: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The configs whose name contains `head`, created at or after `since` (and before `until`)."""
        search = _Search(head, since, until)
        with self._changed:
            self._queued.setdefault(client, []).append(search)
            while not search.answered() and client in self._listing:
                self._changed.wait()
            leads = not search.answered()
            if leads:
                self._listing.add(client)
        if leads:
            self._lead(client, search)
        if search.error is not None:
            raise search.error
        if search.found is None:  # alone: a shared listing took more than a page
            return self.own(client, head, since, until)
        return search.found

    def _lead(self, client: SageMakerClient, search: _Search) -> None:
        """Wait until `GATHER_SECONDS` have passed since the client's last listing, take every search
        queued by then (`search` among them), list for them (`_serve`), and let the next listing
        begin. Interrupted, it leaves the queue as it was, less its own search."""
        batch: list[_Search] = []
        try:
            wait = self._last.get(client, float("-inf")) + self._gather - self._clock()
            if wait > 0:
                self._sleep(wait)
            with self._changed:
                batch, self._last[client] = self._queued.pop(client), self._clock()
            self._serve(client, batch)
        finally:
            with self._changed:
                if not batch:  # interrupted asleep: its own search goes, the others wait on
                    self._queued[client].remove(search)
                others = [s for s in batch if s is not search and not s.answered()]  # if interrupted
                self._queued.setdefault(client, []).extend(others)
                self._listing.discard(client)
                self._changed.notify_all()

    def _serve(self, client: SageMakerClient, batch: list[_Search]) -> None:
        """List for `batch`: for one search, its own listing; for several, once for all if that is
        one page, else mark each to list alone. A listing's error is its searches'."""
        try:
            if len(batch) == 1:
                batch[0].found = self.own(client, batch[0].head, batch[0].since, batch[0].until)
                return
            # character by character, as meant: what every name contains, if any
            shared_head = os.path.commonprefix([search.head for search in batch])  # noqa: RUF071
            untils = [search.until for search in batch]
            until = None if None in untils else max(until for until in untils if until is not None)
            pages = aws.endpoint_config_pages(client, shared_head, min(search.since for search in batch), until)
            listed, more = next(pages, ([], False))
            if more:
                for search in batch:
                    search.alone = True
                return
            for search in batch:
                search.found = [config for config in listed if search.wants(config)]
        except Exception as error:
            for search in batch:
                search.error = error

    @staticmethod
    def own(client: SageMakerClient, head: str, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
        """A search's own listing: every page of it."""
        return [config for page, _ in aws.endpoint_config_pages(client, head, since, until) for config in page]


SEARCHES = SharedListing()
"""The provider process's searches for configs left behind."""


def find(
    client: SageMakerClient,
    props: Mapping[str, Any],
    ours: ownership.Owner,
    shared: bool = False,
    besides: str | None = None,
    until: datetime | None = None,
) -> list[str]:
    """The configs that the entry whose outputs are `props` left behind (module docstring); none for
    an entry whose name was not generated from a prefix (an explicit `name` is taken over instead).
    `shared`: by `SEARCHES`, for the searches that come at once (a destroy's deletes and an update's
    creates, which the engine runs together); a diff's search lists alone (the engine diffs one
    resource at a time: waiting to share would only add up). `besides`: a config not to look at
    (not even its tags); `until`: a time by which every config looked for was made (the listing
    leaves out those made since)."""
    name, prefix, created = props.get("name"), props.get("name_prefix"), props.get("creation_time")
    head = naming.sanitize_prefix(prefix) if isinstance(prefix, str) else ""
    if not head or not isinstance(name, str) or not name.startswith(f"{head}-") or not isinstance(created, str):
        return []
    found = []
    since = datetime.fromisoformat(created)
    if since.tzinfo is None:  # as botocore takes a time without a zone
        since = since.replace(tzinfo=UTC)
    configs = SEARCHES.configs(client, head, since, until) if shared else SharedListing.own(client, head, since, until)
    for config in configs:
        other = str(config["EndpointConfigName"])
        if other in (name, besides) or not other.startswith(f"{head}-"):
            continue
        try:
            tags = aws.list_tags(client, str(config["EndpointConfigArn"]))
        except ClientError as error:
            if is_not_found(error):
                continue
            raise
        if unrecorded(tags, ours):
            found.append(other)
    return found


def not_looked_for(error: Exception, props: Mapping[str, Any], region: str | None, looked_for_again: bool) -> str:
    """What a warning says when the search in `region` for configs that the entry `props` left
    behind failed with `error`: what may remain in SageMaker and how to delete it, or
    (`looked_for_again`: the entry stays in the state, and the next run's diff searches from its
    creation time) that the next run looks again."""
    said = f"configs of this resource that a killed `pulumi up` left could not be looked for: {error}."
    if looked_for_again:
        return f"{said} The next `pulumi preview` or `pulumi up` looks again."
    prefix = props.get("name_prefix")
    head = naming.sanitize_prefix(prefix) if isinstance(prefix, str) else prefix
    return (
        f'{said} Any such config stays in SageMaker: one named "{head}-..." made after '
        f"{props.get('creation_time')}, tagged with this stack's id, that no endpoint runs on; delete it with "
        f"`{delete_command(region)}`."
    )


def delete_command(region: str | None, name: str = "<name>") -> str:
    """The AWS CLI command that deletes the config `name` in `region`."""
    where = f" --region {region}" if region else ""
    return f"aws sagemaker delete-endpoint-config{where} --endpoint-config-name {name}"


def delete(client: SageMakerClient, names: list[str], ours: ownership.Owner) -> list[str]:
    """Delete those of `names` that are still configs the entry `ours` left behind, with no endpoint
    put on them (read again: the create that takes one over under its name makes it `ours`); the
    names deleted."""
    deleted = []
    for name in names:
        described = aws.find_endpoint_config(client, name)
        if described is None or not unrecorded(aws.list_tags(client, described["EndpointConfigArn"]), ours):
            continue
        aws.delete_endpoint_config(client, name)
        deleted.append(name)
    return deleted
