"""Each provider operation against the emulator (a real HTTP server, real boto3), including every
failure path: failed create, rolled-back update (bad model and alarm), throttling, eventual
consistency, a lost create response, changes made outside Pulumi; and the record of the endpoints on a config
(`config_users`)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from sagemaker_hosting import (
    aws,
    config_users,
    consistency,
    endpoint_reads,
    leftovers,
    naming,
    ownership,
    polling,
    status_board,
    tag_keys,
    waiting,
)
from sagemaker_hosting.emulator.testing import Emulator, environment
from sagemaker_hosting.endpoint import EndpointProvider
from sagemaker_hosting.endpoint_config import EndpointConfigProvider
from sagemaker_hosting.errors import ProviderError
from sagemaker_hosting.testing import FAST, client, create_alarm, create_models, set_alarm
from tests.provider.test_wait import FakeTime


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture
def sagemaker(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    emulator.reset()
    emulator.settings(**FAST)
    for key, value in environment(emulator.url).items():
        monkeypatch.setenv(key, value)
    aws._clients.clear()  # clients are cached per process; this test's emulator has a new URL
    create_models(emulator, "good", "better", missing=("broken",))
    return client(emulator, "sagemaker")


def create_config(model: str, name_prefix: str = "cfg", **extra: Any) -> dict[str, Any]:
    provider = EndpointConfigProvider()
    news = {
        "name_prefix": name_prefix,
        naming.SEED_KEY: uuid.uuid4().hex,  # as each resource class instance of a program has its own
        "production_variants": [
            {
                "variant_name": "primary",
                "model_name": model,
                "instance_type": "ml.m5.large",
                "initial_instance_count": 1,
            }
        ],
        **extra,
    }
    checked = provider.check({}, news)
    assert [(f.property, f.reason) for f in checked.failures] == []
    outs = provider.create(checked.inputs).outs
    assert outs is not None
    return outs


def create_endpoint(config_name: str, **extra: Any) -> tuple[EndpointProvider, dict[str, Any]]:
    provider = EndpointProvider()
    news = {"name_prefix": "ep", naming.SEED_KEY: uuid.uuid4().hex, "endpoint_config_name": config_name, **extra}
    checked = provider.check({}, news)
    assert [(f.property, f.reason) for f in checked.failures] == []
    outs = provider.create(checked.inputs).outs
    assert outs is not None
    return provider, outs


def update_endpoint(provider: EndpointProvider, outs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    news = provider.check(outs, {**{k: v for k, v in outs.items() if k not in ("status",)}, **changes}).inputs
    updated = provider.update(outs["name"], outs, news).outs
    assert updated is not None
    return updated


def test_create_read_update_delete(sagemaker) -> None:
    config = create_config("good", tags={"team": "ml"})
    provider, endpoint = create_endpoint(config["name"], tags={"team": "ml"})
    assert endpoint["status"] == "InService" and endpoint["arn"].startswith("arn:aws:sagemaker:")
    assert endpoint["production_variants"][0]["variant_name"] == "primary"

    read = provider.read(endpoint["name"], endpoint)
    assert read.outs is not None
    assert read.id == endpoint["name"] and read.outs["endpoint_config_name"] == config["name"]
    assert read.outs["tags"] == {"team": "ml"}

    newer = create_config("better")
    moved = update_endpoint(provider, endpoint, endpoint_config_name=newer["name"], tags={"team": "ml", "tier": "1"})
    assert moved["endpoint_config_name"] == newer["name"] and moved["status"] == "InService"
    tags = aws.list_tags(sagemaker, endpoint["arn"])
    assert aws.user_tags(tags) == {"team": "ml", "tier": "1"}
    owner = ownership.parse(tags[tag_keys.OWNER_TAG])
    assert owner is not None and owner.seed == endpoint[naming.SEED_KEY]  # kept through the tag update

    provider.delete(endpoint["name"], moved)
    assert sagemaker.list_endpoints()["Endpoints"] == []
    provider.delete(endpoint["name"], moved)  # already gone: still a success
    EndpointConfigProvider().delete(config["name"], config)
    EndpointConfigProvider().delete(config["name"], config)


def test_failed_create_deletes_the_endpoint_and_reports_the_reason(sagemaker) -> None:
    config = create_config("broken")
    with pytest.raises(ProviderError, match=r"could not be created: .*Failed to download model data"):
        create_endpoint(config["name"])
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_update_rolled_back_for_missing_model_data(sagemaker) -> None:
    provider, endpoint = create_endpoint(create_config("good")["name"])
    broken = create_config("broken")
    with pytest.raises(ProviderError, match=r"rolled back .*Failed to download model data"):
        update_endpoint(provider, endpoint, endpoint_config_name=broken["name"])
    described = sagemaker.describe_endpoint(EndpointName=endpoint["name"])
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == endpoint["endpoint_config_name"]


def test_update_rolled_back_by_alarm_during_canary(sagemaker, emulator) -> None:
    create_alarm(emulator, "errors")
    deployment = {
        "blue_green_update_policy": {
            "traffic_routing_configuration": {
                "type": "CANARY",
                "canary_size": {"type": "CAPACITY_PERCENT", "value": 50},
                "wait_interval_in_seconds": 200,
            }
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]},
    }
    provider, endpoint = create_endpoint(create_config("good")["name"], deployment_config=deployment)
    set_alarm(emulator, "errors", "ALARM")
    with pytest.raises(ProviderError, match="rolled back"):
        update_endpoint(provider, endpoint, endpoint_config_name=create_config("better")["name"])
    assert (
        sagemaker.describe_endpoint(EndpointName=endpoint["name"])["EndpointConfigName"]
        == endpoint["endpoint_config_name"]
    )


def test_update_whose_rollback_fails_says_what_to_do(sagemaker, emulator) -> None:
    create_alarm(emulator, "errors")
    deployment = {
        "rolling_update_policy": {  # 1 instance of 1 would be refused: a batch is 5-50 % of the fleet
            "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 50},
            "wait_interval_in_seconds": 200,
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": "errors"}]},
    }
    provider, endpoint = create_endpoint(create_config("good")["name"], deployment_config=deployment)
    # The old config deleted behind the endpoint's back (as other tools do): a rolling rollback needs it.
    sagemaker.delete_endpoint_config(EndpointConfigName=endpoint["endpoint_config_name"])
    set_alarm(emulator, "errors", "ALARM")
    with pytest.raises(ProviderError) as failure:
        update_endpoint(provider, endpoint, endpoint_config_name=create_config("better")["name"])
    assert f'Endpoint "{endpoint["name"]}" is UpdateRollbackFailed' in str(failure.value)
    assert "run `pulumi up --replace <the Endpoint's URN>`" in str(failure.value)


def test_instance_quota_is_reported_with_advice_and_leaves_the_endpoint_as_it_was(sagemaker, emulator) -> None:
    emulator.settings(instance_quota=1)
    config = create_config("good")
    provider, endpoint = create_endpoint(config["name"])
    with pytest.raises(ProviderError) as failure:
        create_endpoint(config["name"])
    assert "CreateEndpoint failed for endpoint" in str(failure.value)
    assert "ResourceLimitExceeded: The account-level service limit 'ml.m5.large for endpoint usage'" in str(
        failure.value
    )
    assert "Request a quota increase for the instance type" in str(failure.value)
    assert len(sagemaker.list_endpoints()["Endpoints"]) == 1

    with pytest.raises(ProviderError, match=r"UpdateEndpoint failed .* ResourceLimitExceeded"):
        update_endpoint(provider, endpoint, endpoint_config_name=create_config("better")["name"])
    described = sagemaker.describe_endpoint(EndpointName=endpoint["name"])
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == config["name"]


def test_busy_endpoint_is_waited_out_before_update_and_delete(sagemaker) -> None:
    provider, endpoint = create_endpoint(create_config("good")["name"])

    def scale_out_of_band() -> None:
        sagemaker.update_endpoint_weights_and_capacities(
            EndpointName=endpoint["name"],
            DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 2}],
        )
        assert sagemaker.describe_endpoint(EndpointName=endpoint["name"])["EndpointStatus"] == "Updating"

    scale_out_of_band()
    newer = create_config("better")
    moved = update_endpoint(provider, endpoint, endpoint_config_name=newer["name"])
    assert moved["status"] == "InService" and moved["endpoint_config_name"] == newer["name"]

    scale_out_of_band()
    provider.delete(endpoint["name"], moved)
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_throttling_is_retried(sagemaker, emulator) -> None:
    emulator.settings(throttle_rate=0.3)
    # About eight calls a deployment: none is throttled 6 % of the time, so deploy until one was.
    for _ in range(5):
        emulator.clear_calls()
        config = create_config("good")
        _, endpoint = create_endpoint(config["name"])
        assert endpoint["status"] == "InService"
        if any(call["error"] == "ThrottlingException" for call in emulator.calls()):
            break
    emulator.settings(throttle_rate=0.0)
    assert any(call["error"] == "ThrottlingException" for call in emulator.calls())


@pytest.mark.parametrize(
    ("last", "calls"),
    [
        ({"a": status_board.MOVED_ON, "b": status_board.MOVED_ON}, []),  # its waiter's to describe
        ({"a": status_board.MOVED_ON, "b": "Creating", "c": "Creating"}, ["ListEndpoints"]),
        ({"a": status_board.MOVED_ON, "b": None}, ["DescribeEndpoint"]),  # negative control: not yet seen
        ({"a": "Creating"}, ["DescribeEndpoint"]),  # one: a Describe is no more calls than a list
    ],
)
def test_the_poller_leaves_an_endpoint_that_moved_on_to_its_waiter(
    sagemaker, emulator, last: dict[str, str | None], calls: list[str]
) -> None:
    """The shared poller's read (`polling.EndpointStatusReader`): an endpoint seen moving on is
    described by its waiter, so the poller makes no read for it (at scale, one per endpoint in the
    poller's lane of the read budget, and each tick held up by them) and hands back "moved on" (no
    news); what it lists or describes it reads as ever."""
    reader = polling.EndpointStatusReader(sagemaker)
    emulator.clear_calls()
    seen = reader(last)
    assert set(seen) == set(last)
    assert all(
        seen[name].status == status_board.MOVED_ON for name, status in last.items() if status == status_board.MOVED_ON
    )
    assert [call["action"] for call in emulator.calls()] == calls


LISTS = ["ListEndpoints", "ListEndpoints"]


@pytest.mark.parametrize(
    ("last", "page_size", "calls", "gone"),
    [
        ({"a": "Deleting", "b": "Deleting", "live": "Deleting"}, 100, LISTS, {"a", "b"}),
        # negative controls: one that left Deleting is its waiter's to describe; and a list of the
        # region's endpoints of several pages may skip a row, so it tells none gone
        ({"a": "Deleting", "b": "Creating", "c": "Creating"}, 100, LISTS, set()),
        ({"a": "Deleting", "b": "Deleting", "live": "Deleting"}, 1, LISTS, set()),  # its first page only
    ],
)
def test_the_poller_tells_a_fleet_that_left_deleting_gone_by_one_list(
    sagemaker, emulator, monkeypatch, last: dict[str, str], page_size: int, calls: list[str], gone: set[str]
) -> None:
    """Endpoints that left Deleting are told gone by one page of ListEndpoints unfiltered, not a
    DescribeEndpoint each (a fleet's destroy); one still listed (here a live one of that name) shows
    its status for its waiter to describe, and those gone are recorded so that a config's delete
    asks them nothing again."""
    config = create_config("good")
    for name in ("live", "live-2"):
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config["name"])
    monkeypatch.setattr(aws, "LIST_PAGE_SIZE", page_size)
    reader = polling.EndpointStatusReader(sagemaker)
    emulator.clear_calls()
    seen = reader(last)
    assert [call["action"] for call in emulator.calls()] == calls
    assert {name for name, found in seen.items() if found == status_board.GONE} == gone
    if "a" not in gone:
        assert seen["a"].status == status_board.MOVED_ON  # for its waiter to describe
    if "live" in last and page_size > 1:  # on a first page of several, it may be on the next
        assert seen["live"].status not in (None, status_board.MOVED_ON) and not seen["live"].described
    emulator.clear_calls()
    for name in gone:
        assert aws.find_endpoint(sagemaker, name, recent=endpoint_reads.RECENT_SECONDS) is None
    assert emulator.calls() == []  # the poller's record stood in
    reader(last)  # once a list of the region's endpoints took pages, the process lists them no more
    assert [call["action"] for call in emulator.calls()] == (LISTS if page_size > 1 else ["ListEndpoints"])


def test_an_endpoint_told_gone_is_not_read_again_while_its_waiter_leaves(sagemaker, emulator) -> None:
    """The waiters of endpoints told gone are woken, and leave; a read that comes before they have
    left (the board reads again at once when a watch came during its read) asks nothing of them,
    where it would describe each in the poller's lane, a second each at the default budget.
    Negative controls: one not found by a describe, never told gone, is described again (a create
    not yet visible); one told gone and then seen in a status (a create of that name) is read again."""
    reader = polling.EndpointStatusReader(sagemaker)
    emulator.clear_calls()
    assert reader({"a": "Deleting", "b": "Deleting", "c": "Deleting"}) == dict.fromkeys("abc", status_board.GONE)
    assert [call["action"] for call in emulator.calls()] == LISTS
    reads: list[tuple[dict[str, str | None], list[str]]] = [
        ({"a": None, "b": None, "d": None}, ["d"]),
        ({"a": "Creating", "b": None}, ["a"]),
        ({"a": None, "b": None}, ["a"]),
    ]
    for last, described in reads:
        emulator.clear_calls()
        seen = reader(last)
        assert [call["name"] for call in emulator.calls() if call["action"] == "DescribeEndpoint"] == described
        assert all(seen[name] == status_board.GONE for name, status in last.items() if status is None)


def test_eventual_consistency_is_waited_out(sagemaker, emulator) -> None:
    emulator.settings(consistency_delay_seconds=2.0)
    config = create_config("good")
    _, endpoint = create_endpoint(config["name"])
    assert endpoint["status"] == "InService"
    not_found = [c for c in emulator.calls() if c["action"] == "DescribeEndpointConfig" and c["status"] == 400]
    assert not_found  # the provider did meet the stale read, and retried


def test_lost_create_response_does_not_fail(sagemaker) -> None:
    """The first CreateEndpoint reaches SageMaker but its response is lost; botocore retries and
    gets "already existing", which is our own endpoint."""
    config = create_config("good")
    client_ = aws.sagemaker_client(aws.AwsSettings(region=aws.AwsSettings().default_region()))  # the provider's
    lost: list[bool] = []

    def lose_first_response(request: Any, **_: Any) -> None:
        if not lost:
            lost.append(True)
            import urllib.request

            forwarded = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers))
            urllib.request.urlopen(forwarded).read()
            raise ConnectionClosedError(endpoint_url=request.url)

    client_.meta.events.register("before-send.sagemaker.CreateEndpoint", lose_first_response)
    try:
        _, endpoint = create_endpoint(config["name"])
    finally:
        client_.meta.events.unregister("before-send.sagemaker.CreateEndpoint", lose_first_response)
    assert lost and endpoint["status"] == "InService"


def test_name_taken_outside_the_stack_is_reported_with_advice(sagemaker) -> None:
    config = create_config("good")
    sagemaker.create_endpoint(EndpointName="Taken", EndpointConfigName=config["name"])
    with pytest.raises(ProviderError) as failure:
        create_endpoint(config["name"], name="taken")  # endpoint names are unique case-insensitively
    message = str(failure.value)
    assert 'CreateEndpoint failed for endpoint "taken": ValidationException: Cannot create already existing' in message
    assert "give another `name`, or remove `name`" in message


def test_read_reports_changes_and_deletion_outside_pulumi(sagemaker) -> None:
    config = create_config("good")
    provider, endpoint = create_endpoint(config["name"], tags={"team": "ml"})
    other = create_config("better")
    sagemaker.update_endpoint(EndpointName=endpoint["name"], EndpointConfigName=other["name"])
    sagemaker.add_tags(ResourceArn=endpoint["arn"], Tags=[{"Key": "team", "Value": "ops"}])

    # While the deployment is in flight, the config that served before it is what the stack records.
    read = provider.read(endpoint["name"], endpoint)
    assert read.outs is not None and read.outs["status"] == "Updating"
    assert read.outs["endpoint_config_name"] == config["name"]
    assert read.inputs is not None and read.inputs["tags"] == {"team": "ops"}

    waiting.Waiter().wait(
        "endpoint",
        lambda: aws.find_endpoint(sagemaker, endpoint["name"]),
        "EndpointStatus",
        {"Updating"},
        {"InService"},
        60,
    )
    read = provider.read(endpoint["name"], endpoint)
    assert read.outs is not None and read.outs["status"] == "InService"
    assert read.outs["endpoint_config_name"] == other["name"]

    config_read = EndpointConfigProvider().read(config["name"], config)
    assert config_read.id == config["name"]

    sagemaker.delete_endpoint(EndpointName=endpoint["name"])
    sagemaker.delete_endpoint_config(EndpointConfigName=config["name"])
    waiting.Waiter().wait(
        "endpoint", lambda: aws.find_endpoint(sagemaker, endpoint["name"]), "EndpointStatus", {"Deleting"}, {None}, 60
    )
    assert provider.read(endpoint["name"], endpoint).id is None
    assert EndpointConfigProvider().read(config["name"], config).id is None


def test_missing_model_fails_after_the_grace_period_saying_so(sagemaker) -> None:
    fake, said = FakeTime(), list[str]()
    provider = EndpointConfigProvider()
    provider.waiter = waiting.Waiter(clock=fake.clock, sleep=fake.sleep, progress=said.append)
    news = {
        "name_prefix": "cfg",
        naming.SEED_KEY: uuid.uuid4().hex,
        "production_variants": [
            {"variant_name": "v", "model_name": "misspelt", "instance_type": "ml.m5.large", "initial_instance_count": 1}
        ],
    }
    with pytest.raises(ProviderError) as failure:
        provider.create(provider.check({}, news).inputs)
    assert 'SageMaker could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/misspelt"' in str(
        failure.value
    )
    assert consistency.CONSISTENCY_SECONDS <= fake.now < consistency.CONSISTENCY_SECONDS + 5
    assert said == [
        'CreateEndpointConfig for endpoint config "' + provider.check({}, news).inputs["name"] + '": model '
        '"arn:aws:sagemaker:us-east-1:123456789012:model/misspelt" is not visible yet; retrying for up to 15s'
    ]
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []


def test_outage_during_the_create_wait_tells_the_truth_and_the_next_create_continues(
    sagemaker, emulator, monkeypatch
) -> None:
    """An API outage that outlasts botocore's retries while the endpoint is Creating: the endpoint
    cannot be deleted and is not; the message says so, and the next create takes it over."""
    monkeypatch.setattr(aws, "MAX_ATTEMPTS", 2)  # the outage outlasts retries sooner
    aws._clients.clear()
    emulator.settings(create_seconds=3.0)
    config = create_config("good")
    provider = EndpointProvider()
    news = provider.check({}, {"name_prefix": "ep", naming.SEED_KEY: "seed-1", "endpoint_config_name": config["name"]})
    polls: list[str] = []

    def outage_after_create(message: str) -> None:
        polls.append(message)
        emulator.settings(unavailable_rate=1.0)

    provider.waiter = waiting.Waiter(progress=outage_after_create)
    with pytest.raises(ProviderError) as failure:
        provider.create(news.inputs)
    message = str(failure.value)
    name = news.inputs["name"]
    assert f'Endpoint "{name}" is not InService: Endpoint "{name}" could not be read: ServiceUnavailable' in message
    assert "It was not deleted" in message and "the next `pulumi up` continues with it" in message
    emulator.settings(unavailable_rate=0.0, create_seconds=1.0)
    assert sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"] in ("Creating", "InService")

    outs = EndpointProvider().create(news.inputs).outs  # the retry takes it over
    assert outs is not None and outs["status"] == "InService"
    assert [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]] == [name]


def test_an_endpoint_of_the_same_name_not_owned_is_never_taken_over(sagemaker) -> None:
    config = create_config("good")
    provider = EndpointProvider()
    ours = provider.check({}, {"name_prefix": "ep", naming.SEED_KEY: "ours", "endpoint_config_name": config["name"]})
    sagemaker.create_endpoint(
        EndpointName=ours.inputs["name"],
        EndpointConfigName=config["name"],
        Tags=[{"Key": tag_keys.OWNER_TAG, "Value": "someone-else"}],
    )
    with pytest.raises(ProviderError, match="It exists outside this stack"):
        provider.create(ours.inputs)


def test_delete_in_every_status(sagemaker, emulator) -> None:
    """Deleting is joined, Failed is deleted, gone is success."""
    config = create_config("good")
    broken = create_config("broken")
    provider, endpoint = create_endpoint(config["name"])
    emulator.settings(delete_seconds=2.0)
    sagemaker.delete_endpoint(EndpointName=endpoint["name"])
    provider.delete(endpoint["name"], endpoint)  # joins the delete under way
    provider.delete(endpoint["name"], endpoint)  # gone: nothing to do
    sagemaker.create_endpoint(EndpointName="failing", EndpointConfigName=broken["name"])
    waiting.Waiter().wait(
        "failing", lambda: aws.find_endpoint(sagemaker, "failing"), "EndpointStatus", {"Creating"}, {"Failed"}, 60
    )
    provider.delete("failing", {"region": "us-east-1"})
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_a_settled_endpoint_is_deleted_after_one_read(sagemaker, emulator) -> None:
    """Whose it is comes from the tags of its recorded ARN, and its status from DeleteEndpoint's own
    answer: a fleet's destroy reads once per endpoint before deleting it (issue 17). One with an
    operation in progress is described only because SageMaker refused the delete (the busy test)."""
    provider, endpoint = create_endpoint(create_config("good")["name"])
    emulator.clear_calls()
    provider.delete(endpoint["name"], endpoint)
    actions = [call["action"] for call in emulator.calls()]
    assert actions[: actions.index("DeleteEndpoint") + 1] == ["ListTags", "DeleteEndpoint"]
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_tags_change_on_an_endpoint_deleted_outside_pulumi_says_to_refresh(sagemaker) -> None:
    provider, endpoint = create_endpoint(create_config("good")["name"], tags={"team": "ml"})
    sagemaker.delete_endpoint(EndpointName=endpoint["name"])
    waiting.Waiter().wait(
        "endpoint", lambda: aws.find_endpoint(sagemaker, endpoint["name"]), "EndpointStatus", {"Deleting"}, {None}, 60
    )
    with pytest.raises(
        ProviderError, match=r"was deleted outside Pulumi, so its tags cannot be changed: run `pulumi refresh`"
    ):
        update_endpoint(provider, endpoint, tags={"team": "ops"})


def test_a_config_left_by_an_interrupted_create_is_taken_over_only_if_it_is_the_same(sagemaker) -> None:
    provider = EndpointConfigProvider()
    variant = {"variant_name": "v", "model_name": "good", "instance_type": "ml.m5.large", "initial_instance_count": 1}
    news: dict[str, Any] = {
        "name": "interrupted",
        naming.SEED_KEY: "seed-c",
        "production_variants": [variant],
    }
    first = provider.create(provider.check({}, news).inputs).outs  # as if its response never arrived
    assert first is not None
    again = provider.create(provider.check({}, news).inputs).outs
    assert again is not None and again["arn"] == first["arn"]
    provider.delete("interrupted", first)

    different = {**news, "production_variants": [{**variant, "model_name": "better"}]}
    provider.create(provider.check({}, news).inputs)
    with pytest.raises(ProviderError, match="It exists outside this stack"):
        provider.create(provider.check({}, different).inputs)  # same name and owner, other content
    other_owner = {**news, naming.SEED_KEY: "seed-other"}
    with pytest.raises(ProviderError, match="It exists outside this stack"):
        provider.create(provider.check({}, other_owner).inputs)


# --- the record of the endpoints on a config (`config_users`) ---------------------------------------


@pytest.fixture
def configs(sagemaker: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Configs c1 and c2 in a provider process of its own (no names recorded yet)."""
    monkeypatch.setattr(config_users, "RECORDS", config_users.Records())
    for name in ("c1", "c2"):
        sagemaker.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {"VariantName": "v", "ModelName": "good", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
            ],
        )
    return sagemaker


def put_on(sagemaker: Any, endpoint: str, config: str, update: bool = False) -> None:
    call = sagemaker.update_endpoint if update else sagemaker.create_endpoint
    call(EndpointName=endpoint, EndpointConfigName=config)
    sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=endpoint, WaiterConfig={"Delay": 0.1})


def record_of(sagemaker: Any, config: str) -> str:
    arn = sagemaker.describe_endpoint_config(EndpointConfigName=config)["EndpointConfigArn"]
    return aws.list_tags(sagemaker, arn)[config_users.users_key("s")]


def test_an_endpoint_that_moved_off_is_dropped_when_another_is_recorded(configs: Any) -> None:
    sagemaker = configs
    c1 = sagemaker.describe_endpoint_config(EndpointConfigName="c1")
    config_users.record(sagemaker, c1, "e1", "s")
    put_on(sagemaker, "e1", "c1")
    assert record_of(sagemaker, "c1") == "e1"
    put_on(sagemaker, "e1", "c2", update=True)
    config_users.RECORDS = config_users.Records()  # a later `pulumi up`
    config_users.record(sagemaker, c1, "e2", "s")
    assert record_of(sagemaker, "c1") == "e2"
    assert (
        config_users.config_users(sagemaker, "c1", aws.list_tags(sagemaker, c1["EndpointConfigArn"])) == []
    )  # e2 is not there yet


def test_a_lagging_read_never_drops_a_name_this_process_recorded(configs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sagemaker = configs
    c1 = sagemaker.describe_endpoint_config(EndpointConfigName="c1")
    config_users.record(sagemaker, c1, "e1", "s")
    with monkeypatch.context() as lagging:
        lagging.setattr(aws, "list_tags", lambda client, arn: {})  # ListTags still shows no record
        config_users.record(sagemaker, c1, "e2", "s")
    assert record_of(sagemaker, "c1") == "e1 e2"
    put_on(sagemaker, "e1", "c1")
    users = config_users.config_users(sagemaker, "c1", aws.list_tags(sagemaker, c1["EndpointConfigArn"]))
    assert [user.name for user in users] == ["e1"]


@pytest.mark.parametrize("recent", [endpoint_reads.RECENT_SECONDS, 0.0])
def test_a_config_deleted_right_after_its_endpoint_asks_it_nothing_again(
    sagemaker, emulator, monkeypatch: pytest.MonkeyPatch, recent: float
) -> None:
    """A destroy deletes the endpoint, whose wait ends on a read that finds it gone, then its
    config, whose delete asks each endpoint it records whether it runs on it: that read of a moment
    ago answers (issue 17: a hundred DescribeEndpoint calls fewer in a destroy of a hundred). The
    negative control trusts no earlier read, and the config's delete describes the endpoint."""
    monkeypatch.setattr(endpoint_reads, "RECENT_SECONDS", recent)
    config = create_config("good")
    provider, endpoint = create_endpoint(config["name"])
    provider.delete(endpoint["name"], endpoint)
    emulator.clear_calls()
    EndpointConfigProvider().delete(config["name"], config)
    actions = [call["action"] for call in emulator.calls()]
    assert ("DescribeEndpoint" in actions) is (recent == 0.0)
    assert "DeleteEndpointConfig" in actions
    assert sagemaker.list_endpoint_configs()["EndpointConfigs"] == []


@pytest.mark.parametrize("written", [True, False])
def test_a_write_of_this_process_voids_what_it_read_before(sagemaker, emulator, written: bool) -> None:
    """The provider's client reports its own writes to an endpoint (through botocore's events), and
    a read made before one never stands in for a new read; without the write, it does."""
    _, endpoint = create_endpoint(create_config("good")["name"])
    ours = aws.sagemaker_client(aws.AwsSettings())
    assert aws.find_endpoint(ours, endpoint["name"]) is not None
    if written:
        ours.update_endpoint(EndpointName=endpoint["name"], EndpointConfigName=create_config("better")["name"])
    emulator.clear_calls()
    described = aws.find_endpoint(ours, endpoint["name"], recent=60.0)
    assert [call["action"] for call in emulator.calls()] == (["DescribeEndpoint"] if written else [])
    assert described is not None and described["EndpointStatus"] == ("Updating" if written else "InService")


def shared_searches(
    sagemaker: Any,
    searches: list[tuple[Any, ...]],
    listing: leftovers.SharedListing | None = None,
    failure: Exception | None = None,
) -> list[list[str] | Exception]:
    """Run `searches` (head, since[, until]) on a `leftovers.SharedListing` at once: the first lists alone,
    held until the others wait for it (as a fleet's come), then each one's config names, sorted, or
    its error; with `failure`, the second listing fails with it."""
    listing = listing or leftovers.SharedListing()
    first_listed, waiting, pages, listings = threading.Event(), threading.Event(), aws.endpoint_config_pages, [0]

    def held(*args: Any) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        listings[0] += 1
        if listings[0] == 1:
            first_listed.set()
            assert waiting.wait(30)
        if listings[0] == 2 and failure is not None:
            raise failure
        yield from pages(*args)

    def names(future: Any) -> list[str] | Exception:
        try:
            return sorted(str(config["EndpointConfigName"]) for config in future.result())
        except Exception as error:
            return error

    with patch.object(aws, "endpoint_config_pages", held), ThreadPoolExecutor(len(searches)) as pool:
        first = pool.submit(listing.configs, sagemaker, *searches[0])
        assert first_listed.wait(30)
        rest = [pool.submit(listing.configs, sagemaker, *search) for search in searches[1:]]
        deadline = time.monotonic() + 30
        while listing.queued(sagemaker) < len(rest) and time.monotonic() < deadline:
            time.sleep(0.01)
        waiting.set()
        return [names(future) for future in (first, *rest)]


def own_listing(sagemaker: Any, head: str, since: Any) -> list[str]:
    """The sorted config names that a search's own listing finds."""
    pages = aws.endpoint_config_pages(sagemaker, head, since)
    return sorted(str(config["EndpointConfigName"]) for page, _ in pages for config in page)


@pytest.mark.parametrize("others", [0, 110])
def test_a_fleet_searches_for_configs_left_behind_with_one_listing(sagemaker, emulator, others: int) -> None:
    """The searches of configs left behind that come together share a ListEndpointConfigs, by the
    head their names share and the earliest creation time, and each finds what its own listing
    would. Negative control: with more than a page of configs under the shared head (none: "fleet-"
    and "other-"), each lists on its own."""
    variants = [{"VariantName": "v", "ModelName": "good", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]
    heads = ["fleet-a", "fleet-b", "fleet-c", "other-d"] if others else ["fleet-a", "fleet-b", "fleet-c", "fleet-d"]
    times = {}
    for round_ in range(2):  # each head's entry config, then one it left behind
        for head in heads:
            name = f"{head}-{round_}"
            sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=variants)
            times[name] = sagemaker.describe_endpoint_config(EndpointConfigName=name)["CreationTime"]
    for number in range(others):
        sagemaker.create_endpoint_config(EndpointConfigName=f"x{number}", ProductionVariants=variants)
    searches = [(head, times[f"{head}-0"]) for head in heads]
    emulator.clear_calls()
    found = shared_searches(sagemaker, searches)
    listings = [call for call in emulator.calls() if call["action"] == "ListEndpointConfigs"]
    assert len(listings) == (1 + 1 + 3 if others else 2)  # alone; then a page of more dropped for 3 own listings
    assert found == [own_listing(sagemaker, head, since) for head, since in searches]
    assert found[0] == ["fleet-a-0", "fleet-a-1"]  # its own config too: CreationTimeAfter is "or equal"


def test_a_search_with_a_bound_leaves_out_the_configs_made_since(sagemaker, emulator) -> None:
    """An update's creates search for configs made before the run's first (`until`): a config made at
    or after it is left out, in a search's own listing and in a shared one, and one made before is
    found. Negative control: without the bound, the later config is found."""
    variants = [{"VariantName": "v", "ModelName": "good", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]
    times = {}
    for name in ("fleet-a-0", "fleet-a-1", "fleet-b-0", "fleet-a-2", "fleet-b-1"):
        sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=variants)
        times[name] = sagemaker.describe_endpoint_config(EndpointConfigName=name)["CreationTime"]
    until = times["fleet-a-2"]

    def names(configs: list[dict[str, Any]]) -> list[str]:
        return sorted(str(config["EndpointConfigName"]) for config in configs)

    since = times["fleet-a-0"]
    assert names(leftovers.SharedListing.own(sagemaker, "fleet-a", since, until)) == ["fleet-a-0", "fleet-a-1"]
    assert names(leftovers.SharedListing.own(sagemaker, "fleet-a", since)) == ["fleet-a-0", "fleet-a-1", "fleet-a-2"]
    emulator.clear_calls()
    found = shared_searches(sagemaker, [("fleet-a", since, until), ("fleet-b", since, until), ("fleet-b", since)])
    assert found == [["fleet-a-0", "fleet-a-1"], ["fleet-b-0"], ["fleet-b-0", "fleet-b-1"]]
    assert [call["action"] for call in emulator.calls()] == ["ListEndpointConfigs"] * 2  # alone, then shared


def entry_with_leftover(sagemaker) -> tuple[dict[str, Any], str, str]:
    """A config entry of prefix "fleet" (its outputs, seed and owner), and config "fleet-left" that a
    killed run of the same resource left behind (its owner tag, another instance)."""
    seed = uuid.uuid4().hex
    owner = f"{uuid.uuid4().hex} organization/project/stack"
    entry = create_config("good", name_prefix="fleet", **{naming.SEED_KEY: seed, naming.OWNER_KEY: owner})
    left_by = ownership.of_inputs(entry[naming.OWNER_KEY], seed, "killed0run00")
    variants = [{"VariantName": "v", "ModelName": "good", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}]
    tags = [{"Key": tag_keys.OWNER_TAG, "Value": left_by.tag_value()}]
    sagemaker.create_endpoint_config(EndpointConfigName="fleet-left", ProductionVariants=variants, Tags=tags)
    return entry, seed, owner


@pytest.mark.parametrize("fails", [None, "ListEndpointConfigs", "DeleteEndpointConfig"])
def test_the_create_of_a_replacement_makes_the_search_its_diff_left(
    sagemaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fails: str | None
) -> None:
    """At `up`, the diff of a config it replaces leaves the search for configs a killed run left to
    the create of the replacement, which deletes what it finds and keeps its own config. A failed
    listing, or a failed delete of what it found, is a warning that says what may remain, and the
    create still returns its config."""
    entry, seed, owner = entry_with_leftover(sagemaker)
    monkeypatch.setattr(leftovers, "THIS_RUN", leftovers.ThisRun())  # the next run's provider process
    provider = EndpointConfigProvider()
    variant = {**entry["production_variants"][0], "model_name": "better"}
    news = {"name_prefix": "fleet", "production_variants": [variant], naming.PREVIEW_KEY: False}
    checked = provider.check({}, {**news, naming.SEED_KEY: seed, naming.OWNER_KEY: owner})
    assert provider.diff(entry["name"], entry, checked.inputs).replaces
    assert leftovers.THIS_RUN.take(ownership.of_inputs(entry[naming.OWNER_KEY], seed)) == []  # nothing searched
    failure = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Slow down"}}, str(fails))
    failing = {"ListEndpointConfigs": "endpoint_config_pages", "DeleteEndpointConfig": "delete_endpoint_config"}
    with patch.object(aws, failing[fails], side_effect=failure) if fails else nullcontext():
        created = provider.create(checked.inputs).outs
    configs = {c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]}
    assert created is not None and created["name"] in configs and entry["name"] in configs
    assert ("fleet-left" in configs) is (fails is not None)
    said = capsys.readouterr().out
    assert ("could not be looked for" in said and '"fleet-..."' in said) is (fails == "ListEndpointConfigs"), said
    assert ('"fleet-left"' in said and "could not be deleted" in said) is (fails == "DeleteEndpointConfig"), said


@pytest.mark.parametrize("listing_fails", [False, True])
def test_a_destroy_whose_search_fails_deletes_its_config_and_says_what_may_remain(
    sagemaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, listing_fails: bool
) -> None:
    """The delete of an entry the run does not declare (`pulumi destroy`) deletes its config and the
    configs a killed run left of it; a failed search for those is a warning naming what stays (no
    later run looks: no entry is left to) and where. Control: a search that succeeds deletes the
    leftover and warns of nothing."""
    entry, _, _ = entry_with_leftover(sagemaker)
    monkeypatch.setattr(leftovers, "THIS_RUN", leftovers.ThisRun())  # a destroy's provider process
    failure = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Slow down"}}, "ListEndpointConfigs")
    with patch.object(aws, "endpoint_config_pages", side_effect=failure) if listing_fails else nullcontext():
        EndpointConfigProvider().delete(entry["name"], entry)
    configs = {c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]}
    assert entry["name"] not in configs
    assert ("fleet-left" in configs) is listing_fails
    said = capsys.readouterr().out
    warned = f'Endpoint config "{entry["name"]}" was deleted, but' in said and "stays in SageMaker" in said
    assert warned is listing_fails and ('"fleet-..."' in said) is listing_fails, said
    assert ("--region us-east-1" in said) is listing_fails and "looks again" not in said, said


def test_a_diff_whose_search_fails_leaves_it_to_a_replacement_the_engine_forces(
    sagemaker, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diff at `up` that changes only tags (in place) and whose search fails says the next run
    looks again; should the engine replace the entry anyway (`pulumi up --replace`,
    `replaceOnChanges`), the replacement's create makes the search and deletes the leftover (later
    runs search only from the replacement's creation time, so none would find it)."""
    entry, seed, owner = entry_with_leftover(sagemaker)
    monkeypatch.setattr(leftovers, "THIS_RUN", leftovers.ThisRun())  # the next run's provider process
    provider = EndpointConfigProvider()
    news = {"name_prefix": "fleet", "production_variants": entry["production_variants"], "tags": {"team": "a"}}
    checked = provider.check({}, {**news, naming.PREVIEW_KEY: False, naming.SEED_KEY: seed, naming.OWNER_KEY: owner})
    failure = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Slow down"}}, "ListEndpointConfigs")
    with patch.object(aws, "endpoint_config_pages", side_effect=failure):
        assert not provider.diff(entry["name"], entry, checked.inputs).replaces
    assert "looks again" in capsys.readouterr().out
    created = provider.create(checked.inputs).outs  # the replacement the engine forces
    configs = {c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]}
    assert created is not None and created["name"] in configs and "fleet-left" not in configs


def test_a_shared_listing_that_fails_fails_each_of_its_searches_and_holds_up_none(sagemaker) -> None:
    """The shared listing's error is each of its searches' (a warning at each config's delete); none is
    left waiting, and the next search lists."""
    listing = leftovers.SharedListing()
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Slow down"}}, "ListEndpointConfigs")
    since = datetime.now(UTC)
    found = shared_searches(sagemaker, [("fleet-a", since), ("fleet-b", since), ("fleet-c", since)], listing, throttled)
    assert found == [[], throttled, throttled]
    assert listing.configs(sagemaker, "fleet-b", since) == [] and listing.queued(sagemaker) == 0


@pytest.mark.parametrize(("gather", "listings"), [(30.0, 2), (0.0, 3)])
def test_searches_that_come_one_after_another_share_a_listing(sagemaker, emulator, gather, listings) -> None:
    """As a destroy's deletes come, over half a second or so: a search with no listing in the last
    `gather` seconds lists at once; those made within it wait and share the next. Negative control:
    with no time to gather, each lists."""
    released = threading.Event()

    def sleep(seconds: float) -> None:  # the wait to gather ends when the test says
        if seconds > 0:
            assert released.wait(30)

    listing, since = leftovers.SharedListing(gather=gather, sleep=sleep), datetime.now(UTC)
    emulator.clear_calls()
    assert listing.configs(sagemaker, "fleet-a", since) == []
    with ThreadPoolExecutor(2) as pool:
        second = pool.submit(listing.configs, sagemaker, "fleet-b", since)
        if not gather:
            assert second.result() == []
        third = pool.submit(listing.configs, sagemaker, "fleet-c", since)
        deadline = time.monotonic() + 30
        while gather and listing.queued(sagemaker) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # both wait for the next listing
        released.set()
        assert second.result() == third.result() == []
    assert [call["action"] for call in emulator.calls()] == ["ListEndpointConfigs"] * listings
