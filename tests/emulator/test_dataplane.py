"""The data plane (sagemaker-runtime) through real boto3 clients and the emulator's HTTP server:
which endpoints answer, how traffic is split between variants and between the fleets of a
deployment, shadow copies, asynchronous inference and user-registered models."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import Shape

from sagemaker_hosting.emulator.__main__ import main as emulator_main
from sagemaker_hosting.emulator.async_output import BOTH_INPUTS
from sagemaker_hosting.emulator.probe import Probe
from sagemaker_hosting.emulator.runtime_wire import operation
from sagemaker_hosting.emulator.testing import Emulator, client_options
from tests.emulator import responders
from tests.emulator.helpers import Aws, create_config, in_service, variant, wait_while

SIGMAS = 5.0
"""Statistical checks allow five standard deviations: a false failure about once in 1.7 million runs."""


def runtime(url: str, region: str = "us-east-1", validate: bool = True, **credentials: str) -> Any:
    """A sagemaker-runtime client for the emulator, without retries (errors come back at once);
    `validate=False` skips botocore's own parameter validation, so values reach the emulator's."""
    options = {**client_options(url, region), **credentials}
    config = botocore.config.Config(retries={"total_max_attempts": 1}, parameter_validation=validate)
    return boto3.client("sagemaker-runtime", config=config, **options)  # type: ignore[call-overload]


def invoke(client: Any, name: str = "ep", body: bytes = b'{"x": 1}', **extra: Any) -> tuple[str, dict[str, Any]]:
    """InvokeEndpoint; the variant that answered and the echo's JSON body."""
    answer = client.invoke_endpoint(EndpointName=name, Body=body, ContentType="application/json", **extra)
    return answer["InvokedProductionVariant"], json.loads(answer["Body"].read())


def error_of(call: Any) -> dict[str, Any]:
    """The parsed error response of a call that must fail."""
    with pytest.raises(ClientError) as raised:
        call()
    return dict(raised.value.response)


def serve(aws: Aws, config: str, name: str = "ep") -> None:
    """An endpoint on an existing config, waited for until InService."""
    aws.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)
    assert wait_while(aws.sagemaker, name, {"Creating"})["EndpointStatus"] == "InService"


def within_sigmas(hits: int, trials: int, p: float) -> bool:
    return abs(hits - trials * p) <= SIGMAS * math.sqrt(trials * p * (1 - p))


@pytest.fixture
def client(aws: Aws) -> Any:
    return runtime(aws.url)


@pytest.fixture
def registered(emulator: Emulator) -> Iterator[Emulator]:
    """The emulator, with every responder a test registers removed afterwards (it outlives the test)."""
    yield emulator
    emulator.responders(**dict.fromkeys(emulator.responders(), ""))


# --- which endpoints answer ----------------------------------------------------------------------


def test_unknown_endpoint_account_or_region_is_refused_with_validation_error(aws, emulator, client) -> None:
    refused = error_of(lambda: invoke(client, "nope"))
    assert refused["Error"] == {
        "Code": "ValidationError",
        "Message": "Endpoint nope of account 123456789012 not found.",
    }
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 400
    bad_name = error_of(lambda: invoke(client, "bad_name"))["Error"]["Message"]
    assert bad_name.startswith("1 validation error detected: Value 'bad_name' at 'endpointName'")

    in_service(aws)
    assert invoke(client)[0] == "primary"
    ireland = runtime(aws.url, region="eu-west-1")
    assert "Endpoint ep of account 123456789012 not found." in error_of(lambda: invoke(ireland))["Error"]["Message"]
    sts = boto3.client("sts", **client_options(aws.url))  # type: ignore[call-overload]
    keys = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/caller", RoleSessionName="test")["Credentials"]
    other = runtime(
        aws.url,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    assert error_of(lambda: invoke(other))["Error"]["Message"] == "Endpoint ep of account 111111111111 not found."
    calls = [c for c in emulator.calls() if c["action"] == "InvokeEndpoint"]
    assert [(c["name"], c["status"], c["error"]) for c in calls] == [
        ("nope", 400, "ValidationError"),
        ("bad_name", 400, "ValidationError"),
        ("ep", 200, None),
        ("ep", 400, "ValidationError"),
        ("ep", 400, "ValidationError"),
    ]


def test_creating_failed_deleting_and_deleted_endpoints_do_not_serve(aws, emulator, client) -> None:
    emulator.settings(create_seconds=1.5, delete_seconds=1.5)
    create_config(aws.sagemaker, "broken", model="broken")
    aws.sagemaker.create_endpoint(EndpointName="failing", EndpointConfigName="broken")
    in_service(aws, "ep", "blue")
    create_config(aws.sagemaker, "slow")
    aws.sagemaker.create_endpoint(EndpointName="slow", EndpointConfigName="slow")
    assert aws.sagemaker.describe_endpoint(EndpointName="slow")["EndpointStatus"] == "Creating"
    assert error_of(lambda: invoke(client, "slow"))["Error"]["Code"] == "ValidationError"
    assert wait_while(aws.sagemaker, "failing", {"Creating"})["EndpointStatus"] == "Failed"
    assert error_of(lambda: invoke(client, "failing"))["Error"]["Code"] == "ValidationError"

    assert invoke(client, "ep")[0] == "primary"
    aws.sagemaker.delete_endpoint(EndpointName="ep")
    refused = error_of(lambda: invoke(client, "ep"))
    assert aws.sagemaker.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Deleting"
    assert refused["Error"] == {"Code": "ValidationError", "Message": "Endpoint ep of account 123456789012 not found."}
    aws.sagemaker.get_waiter("endpoint_deleted").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    assert error_of(lambda: invoke(client, "ep"))["ResponseMetadata"]["HTTPStatusCode"] == 400
    served = [c for c in emulator.calls() if c["action"] == "InvokeEndpoint" and c["status"] == 200]
    assert [(c["name"], c["variant"]) for c in served] == [("ep", "primary")]


# --- how traffic is split ------------------------------------------------------------------------


def test_traffic_follows_the_variants_current_weights(aws, client) -> None:
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="ab",
        ProductionVariants=[
            variant("good", "a", InitialVariantWeight=3.0),
            variant("better", "b", InitialVariantWeight=1.0),
        ],
    )
    serve(aws, "ab")
    trials = 400
    answers = [invoke(client) for _ in range(trials)]
    assert all(
        echo["variant"] == name and echo["model"] == {"a": "good", "b": "better"}[name] for name, echo in answers
    )
    hits = sum(name == "a" for name, _ in answers)
    assert within_sigmas(hits, trials, 0.75), f"{hits} of {trials} on a, expected {0.75 * trials:.0f}"

    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="ep",
        DesiredWeightsAndCapacities=[{"VariantName": "a", "DesiredWeight": 0.0}],
    )
    assert wait_while(aws.sagemaker, "ep", {"Updating"})["EndpointStatus"] == "InService"
    assert {invoke(client)[0] for _ in range(50)} == {"b"}


def test_target_variant_overrides_the_weights(aws, client) -> None:
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="ab",
        ProductionVariants=[
            variant("good", "a", InitialVariantWeight=1.0),
            variant("better", "b", InitialVariantWeight=0.0),
        ],
    )
    serve(aws, "ab")
    assert {invoke(client)[0] for _ in range(30)} == {"a"}
    assert {invoke(client, TargetVariant="b")[0] for _ in range(30)} == {"b"}
    refused = error_of(lambda: invoke(client, TargetVariant="c"))
    assert refused["Error"]["Code"] == "ValidationError"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_shadow_variants_get_copies_that_never_reach_the_caller(aws, emulator, registered, client) -> None:
    aws.sagemaker.create_endpoint_config(
        EndpointConfigName="shadowed",
        ProductionVariants=[variant("good", "primary")],
        ShadowProductionVariants=[variant("better", "shadow")],
    )
    serve(aws, "shadowed")
    emulator.clear_calls()
    answers = [invoke(client) for _ in range(10)]
    assert {(name, echo["model"]) for name, echo in answers} == {("primary", "good")}
    registered.responders(better=responders.refuse)  # a failing shadow does not fail the request
    answers += [invoke(client) for _ in range(10)]
    assert {(name, echo["model"]) for name, echo in answers} == {("primary", "good")}
    calls = [c for c in emulator.calls() if c["action"] == "InvokeEndpoint"]
    served = [c for c in calls if not c.get("shadow")]
    copies = [c for c in calls if c.get("shadow")]
    assert [(c["variant"], c["status"]) for c in served] == [("primary", 200)] * 20
    assert [(c["variant"], c["status"], c["error"]) for c in copies] == [("shadow", 200, None)] * 10 + [
        ("shadow", 424, "ModelError")
    ] * 10


# --- deployments ---------------------------------------------------------------------------------


def served_configs(emulator: Emulator, start: float, end: float, margin: float = 0.1) -> list[str]:
    """The endpoint config of every request to "ep" received between `start` and `end` (each moved
    in by `margin`, so that no request straddles a step of the deployment)."""
    return [
        c["endpoint_config_name"]
        for c in emulator.calls()
        if c["action"] == "InvokeEndpoint" and c["name"] == "ep" and start + margin < c["time"] < end - margin
    ]


def stage_times(emulator: Emulator, stage: str) -> list[float]:
    return [e["time"] for e in emulator.events() if e["name"] == "ep" and e.get("stage") == stage]


def canary_update(aws: Aws, config: str, canary_percent: int, wait: int, termination: int = 0) -> None:
    aws.sagemaker.update_endpoint(
        EndpointName="ep",
        EndpointConfigName=config,
        DeploymentConfig={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {
                    "Type": "CANARY",
                    "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": canary_percent},
                    "WaitIntervalInSeconds": wait,
                },
                "TerminationWaitInSeconds": termination,
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
        },
    )


def test_canary_deployment_moves_traffic_from_blue_to_green(aws, emulator) -> None:
    """Blue only while green is provisioned, the canary share on green while it bakes, then green
    only; the call log's fleet and config agree with the answers."""
    emulator.settings(update_seconds=1.0, time_scale=0.005)  # 600 s bake: 3 s; 200 s termination wait: 1 s
    create_config(aws.sagemaker, "blue", model="good", instances=4)
    serve(aws, "blue")
    create_config(aws.sagemaker, "green", model="better", instances=4)
    with Probe(aws.url, "ep", threads=1, seconds=120) as probe:
        time.sleep(0.3)
        started = time.time()
        canary_update(aws, "green", canary_percent=25, wait=600, termination=200)
        assert wait_while(aws.sagemaker, "ep", {"Updating"})["EndpointStatus"] == "InService"
        finished = time.time()
        time.sleep(0.3)
    assert probe.report().failed == 0
    canary, full = stage_times(emulator, "ActivatingTraffic")
    before = served_configs(emulator, started, canary)
    baking = served_configs(emulator, canary, full)
    after = served_configs(emulator, full, finished + 1.0)
    assert len(before) >= 20 and set(before) == {"blue"}
    assert len(baking) >= 100, f"only {len(baking)} requests during the canary bake"
    green = baking.count("green")
    assert within_sigmas(green, len(baking), 0.25), f"{green} of {len(baking)} on green during the canary bake"
    assert len(after) >= 20 and set(after) == {"green"}
    fleets = {(c["fleet"], c["endpoint_config_name"]) for c in emulator.calls() if c["action"] == "InvokeEndpoint"}
    assert fleets == {("blue", "blue"), ("green", "green"), ("blue", "green")}  # green is blue once it is live


def test_rollback_sends_all_traffic_back_to_blue(aws, emulator) -> None:
    emulator.settings(update_seconds=0.5, time_scale=0.005)
    create_config(aws.sagemaker, "blue", model="good", instances=2)
    serve(aws, "blue")
    create_config(aws.sagemaker, "green", model="better", instances=2)
    with Probe(aws.url, "ep", threads=1, seconds=120) as probe:
        canary_update(aws, "green", canary_percent=50, wait=3600)  # an 18 s bake, cut short by the alarm
        deadline = time.monotonic() + 30
        while not stage_times(emulator, "Baking") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        aws.cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="5XX errors")
        described = wait_while(aws.sagemaker, "ep", {"Updating", "RollingBack"})
        time.sleep(0.5)
    assert probe.report().failed == 0
    assert described["EndpointStatus"] == "InService" and described["EndpointConfigName"] == "blue"
    assert "CloudWatch alarm" in described["FailureReason"]
    (baking,) = stage_times(emulator, "Baking")
    rolled_back = next(e["time"] for e in emulator.events() if e.get("stage") == "RollingBack")
    during = served_configs(emulator, baking, rolled_back)
    after = served_configs(emulator, rolled_back, time.time())
    assert "green" in during and "blue" in during
    assert len(after) >= 20 and set(after) == {"blue"}


def test_a_fleet_whose_model_data_is_missing_never_serves(aws, emulator, client) -> None:
    in_service(aws, "ep", "blue")
    create_config(aws.sagemaker, "bad", model="broken")
    with Probe(aws.url, "ep", threads=1, seconds=120) as probe:
        aws.sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="bad")
        described = wait_while(aws.sagemaker, "ep", {"Updating", "RollingBack"})
    assert described["EndpointConfigName"] == "blue" and "Failed to download model data" in described["FailureReason"]
    served = served_configs(emulator, 0, time.time() + 1, margin=0)
    assert probe.report().failed == 0 and len(served) >= 10 and set(served) == {"blue"}
    create_config(aws.sagemaker, "bad-start", model="broken")
    aws.sagemaker.create_endpoint(EndpointName="never", EndpointConfigName="bad-start")
    assert wait_while(aws.sagemaker, "never", {"Creating"})["EndpointStatus"] == "Failed"
    assert error_of(lambda: invoke(client, "never"))["Error"]["Code"] == "ValidationError"


# --- what a request may carry --------------------------------------------------------------------
# Every member in the URI and headers is checked against its shape in botocore's sagemaker-runtime
# model before the request is routed, and AWS's ValidationError (HTTP 400) names the member broken.
# Each row cites the shape its rule comes from (and checks the installed model still gives the
# member that shape); a row without a rule is a value the model allows, which must reach routing
# (endpoint "nope" is then not found). The model lists no enum for any request member of the three
# operations. Patterns are Java's: `\p{Print}` and `\S` are US-ASCII classes (java.util.regex.Pattern).


def longest(limit: int) -> str:
    return f"Member must have length less than or equal to {limit}"


def pattern(model_pattern: str) -> str:
    return f"Member must satisfy regular expression pattern: {model_pattern}"


def value_at_least(limit: int) -> str:
    return f"Member must have value greater than or equal to {limit}"


def value_at_most(limit: int) -> str:
    return f"Member must have value less than or equal to {limit}"


PRINTABLE = pattern(r"\A\S[\p{Print}]*\z")
NAME = pattern("^[a-zA-Z0-9](-*[a-zA-Z0-9])*")
INTEGER = "Member must be of type integer"
SYNC, ASYNC, STREAM = "InvokeEndpoint", "InvokeEndpointAsync", "InvokeEndpointWithResponseStream"

HEADER_CASES: list[tuple[str, str, str, object, str | None]] = [
    # (operation, member, shape in the model, value, the rule broken or None)
    (SYNC, "EndpointName", "EndpointName", "e" * 64, longest(63)),
    (SYNC, "EndpointName", "EndpointName", "e" * 63, None),
    (SYNC, "TargetVariant", "TargetVariantHeader", "v" * 64, longest(63)),
    (SYNC, "TargetVariant", "TargetVariantHeader", "v" * 63, None),
    (SYNC, "TargetVariant", "TargetVariantHeader", "bad_name", NAME),
    (SYNC, "ContentType", "Header", "text/\u00e9", pattern(r"\p{ASCII}*")),
    (SYNC, "Accept", "Header", "a" * 1025, longest(1024)),
    (SYNC, "Accept", "Header", "a" * 1024, None),
    (SYNC, "CustomAttributes", "CustomAttributesHeader", "c" * 1025, longest(1024)),
    (SYNC, "CustomAttributes", "CustomAttributesHeader", "c" * 1024, None),
    (SYNC, "InferenceId", "InferenceId", "i" * 65, longest(64)),
    (SYNC, "InferenceId", "InferenceId", "i" * 64, None),
    (SYNC, "InferenceId", "InferenceId", "id-\u00e9", PRINTABLE),
    (SYNC, "TargetModel", "TargetModelHeader", "model\x7f.tar.gz", PRINTABLE),
    (SYNC, "TargetModel", "TargetModelHeader", "dir/model one.tar.gz", None),
    (SYNC, "TargetContainerHostname", "TargetContainerHostnameHeader", "-host", NAME),
    (SYNC, "EnableExplanations", "EnableExplanationsHeader", "`true`" * 11, longest(64)),
    (
        SYNC,
        "InferenceComponentName",
        "InferenceComponentHeader",
        "end-",
        pattern("^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$"),
    ),
    (SYNC, "SessionId", "SessionIdOrNewSessionConstantHeader", "NEW_SESSION", None),
    (SYNC, "SessionId", "SessionIdOrNewSessionConstantHeader", "s" * 257, longest(256)),
    (SYNC, "PrefixAwareId", "PrefixAwareIdHeader", "p" * 65, longest(64)),
    (STREAM, "SessionId", "SessionIdHeader", "NEW_SESSION", pattern("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")),
    (ASYNC, "RequestTTLSeconds", "RequestTTLSecondsHeader", 59, value_at_least(60)),
    (ASYNC, "RequestTTLSeconds", "RequestTTLSecondsHeader", 21601, value_at_most(21600)),
    (ASYNC, "RequestTTLSeconds", "RequestTTLSecondsHeader", 21600, None),
    (ASYNC, "RequestTTLSeconds", "RequestTTLSecondsHeader", "6h", INTEGER),
    (ASYNC, "RequestTTLSeconds", "RequestTTLSecondsHeader", "+60", None),  # Java's Integer.parseInt reads a sign
    (ASYNC, "InvocationTimeoutSeconds", "InvocationTimeoutSecondsHeader", 0, value_at_least(1)),
    (ASYNC, "InvocationTimeoutSeconds", "InvocationTimeoutSecondsHeader", 3601, value_at_most(3600)),
    (ASYNC, "InvocationTimeoutSeconds", "InvocationTimeoutSecondsHeader", 3600, None),
    (ASYNC, "InvocationTimeoutSeconds", "InvocationTimeoutSecondsHeader", "--5", INTEGER),  # was a 500
    (ASYNC, "InputLocation", "InputLocationHeader", "ftp://b/k", pattern("^(https|s3)://([^/]+)/?(.*)$")),
    (ASYNC, "Filename", "FilenameHeader", "a.b.c", pattern(r"^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9-_\.]*$")),
    (ASYNC, "Filename", "FilenameHeader", "f" * 33, longest(32)),
    (ASYNC, "Filename", "FilenameHeader", "f" * 32, None),
    (
        ASYNC,
        "S3OutputPathExtension",
        "S3OutputPathExtensionHeader",
        "s3:/x",
        pattern("^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$"),
    ),
]


def member_shape(action: str, member: str) -> Shape:
    shape = operation(action).input_shape
    assert shape is not None
    return shape.members[member]


def call(client: Any, action: str, **members: Any) -> Any:
    """`action` of sagemaker-runtime on endpoint "nope" unless named, with a body where one is required."""
    members.setdefault("EndpointName", "nope")
    if action != ASYNC:
        members.setdefault("Body", b"{}")
    return getattr(client, xform_name(action))(**members)


@pytest.mark.parametrize(("action", "member", "shape", "value", "rule"), HEADER_CASES)
def test_each_member_is_checked_against_its_shape(aws, action, member, shape, value, rule) -> None:
    given = member_shape(action, member)
    assert given.name == shape, f"the model now gives {member} the shape {given.name}"
    refused = error_of(lambda: call(runtime(aws.url, validate=False), action, **{member: value}))
    assert (refused["ResponseMetadata"]["HTTPStatusCode"], refused["Error"]["Code"]) == (400, "ValidationError")
    if rule is None:
        assert (
            refused["Error"]["Message"]
            == f"Endpoint {'e' * 63 if member == 'EndpointName' else 'nope'} of account 123456789012 not found."
        )
        return
    # AWS leaves a sensitive member's value out ("Value at 'x' failed ..."); CustomAttributes is one.
    # botocore sends a header as UTF-8 and the emulator reads its bytes as ISO-8859-1 (HTTP's own).
    shown = "" if given.metadata.get("sensitive") else f"'{str(value).encode().decode('latin-1')}' "
    at = member[:1].lower() + member[1:]
    assert (
        refused["Error"]["Message"]
        == f"1 validation error detected: Value {shown}at '{at}' failed to satisfy constraint: {rule}"
    )


def test_allowed_edge_values_are_served(aws, client) -> None:
    """The longest values the model allows reach the model and come back answered."""
    in_service(aws)
    answered = client.invoke_endpoint(
        EndpointName="ep",
        Body=b"edge",
        ContentType="c" * 1024,
        Accept="a" * 1024,
        CustomAttributes="x" * 1024,
        InferenceId="i" * 64,
        TargetVariant="primary",
    )
    assert answered["InvokedProductionVariant"] == "primary"
    echoed = json.loads(answered["Body"].read())
    assert (echoed["body"], echoed["content_type"], echoed["accept"]) == ("edge", "c" * 1024, "a" * 1024)


def test_a_payload_over_the_front_ends_limit_is_refused_with_413(aws, client) -> None:
    """The runtime's front end answered HTTP 413 "HTTP content length exceeded N bytes." for a body
    past InvokeEndpoint's limit (observed with the 5 MiB limit of 2018: N was 5 MiB + 4 KiB, see
    runtime_wire.FRONT_END_SLACK); the model's BodyBlob maximum is now 6 MiB."""
    limit = member_shape(SYNC, "Body").metadata["max"] + 4096
    assert limit == 6 * 1024 * 1024 + 4096
    in_service(aws)
    for action in (SYNC, STREAM):
        refused = error_of(lambda action=action: call(client, action, EndpointName="ep", Body=b"x" * (limit + 1)))
        assert (refused["ResponseMetadata"]["HTTPStatusCode"], refused["Error"]["Code"]) == (413, "413")
        assert refused["Error"]["Message"] == f"HTTP content length exceeded {limit} bytes."
    assert invoke(client, body=b"x" * limit)[0] == "primary"  # at the limit: served


# --- asynchronous inference ----------------------------------------------------------------------


def test_async_inference_reads_input_from_s3_and_writes_output_there(aws, client) -> None:
    aws.s3.create_bucket(Bucket="inference-io")
    aws.s3.put_object(Bucket="inference-io", Key="requests/1.json", Body=b'{"rows": [1, 2]}')
    create_config(
        aws.sagemaker,
        "async",
        AsyncInferenceConfig={
            "OutputConfig": {"S3OutputPath": "s3://inference-io/results/", "S3FailurePath": "s3://inference-io/failed"}
        },
    )
    serve(aws, "async")
    accepted = client.invoke_endpoint_async(
        EndpointName="ep", InputLocation="s3://inference-io/requests/1.json", ContentType="application/json"
    )
    assert accepted["ResponseMetadata"]["HTTPStatusCode"] == 202
    inference_id = accepted["InferenceId"]
    assert accepted["OutputLocation"] == f"s3://inference-io/results/{inference_id}.out"
    assert accepted["FailureLocation"] == f"s3://inference-io/failed/{inference_id}-error.out"
    output = json.loads(aws.s3.get_object(Bucket="inference-io", Key=f"results/{inference_id}.out")["Body"].read())
    assert (output["body"], output["model"], output["variant"]) == ('{"rows": [1, 2]}', "good", "primary")

    missing = client.invoke_endpoint_async(
        EndpointName="ep", InputLocation="s3://inference-io/requests/2.json", InferenceId="two"
    )
    assert missing["InferenceId"] == "two"
    failure = aws.s3.get_object(Bucket="inference-io", Key="failed/two-error.out")["Body"].read().decode()
    assert "s3://inference-io/requests/2.json" in failure
    assert "results/two.out" not in [o["Key"] for o in aws.s3.list_objects_v2(Bucket="inference-io")["Contents"]]

    in_service(aws, "realtime", "plain")
    refused = error_of(
        lambda: client.invoke_endpoint_async(EndpointName="realtime", InputLocation="s3://inference-io/x")
    )
    assert refused["Error"]["Code"] == "ValidationError"


def test_async_inference_takes_its_input_inline(aws, client) -> None:
    """InvokeEndpointAsync's Body (AsyncBodyBlob, 128,000 bytes at most) is the input when given;
    AWS refuses a larger one, or one with InputLocation too, with ValidationError (its announcement
    of inline payloads for asynchronous inference)."""
    aws.s3.create_bucket(Bucket="inference-io")
    output = {"OutputConfig": {"S3OutputPath": "s3://inference-io/results"}}
    create_config(aws.sagemaker, "async", AsyncInferenceConfig=output)
    serve(aws, "async")
    accepted = client.invoke_endpoint_async(
        EndpointName="ep", Body=b"i" * 128_000, RequestTTLSeconds=21_600, InvocationTimeoutSeconds=3_600
    )
    written = aws.s3.get_object(Bucket="inference-io", Key=f"results/{accepted['InferenceId']}.out")["Body"].read()
    assert json.loads(written)["body"] == "i" * 128_000

    too_long = error_of(lambda: client.invoke_endpoint_async(EndpointName="ep", Body=b"i" * 128_001))
    assert too_long["Error"] == {
        "Code": "ValidationError",
        "Message": "1 validation error detected: Value at 'body' failed to satisfy constraint: "
        "Member must have length less than or equal to 128000",
    }
    both = error_of(lambda: client.invoke_endpoint_async(EndpointName="ep", Body=b"{}", InputLocation="s3://b/k"))
    assert both["Error"] == {"Code": "ValidationError", "Message": BOTH_INPUTS}


def test_response_stream_carries_the_models_answer(aws, client) -> None:
    in_service(aws)
    answer = client.invoke_endpoint_with_response_stream(EndpointName="ep", Body=b"streamed")
    assert answer["InvokedProductionVariant"] == "primary"
    parts = b"".join(event["PayloadPart"]["Bytes"] for event in answer["Body"])
    assert json.loads(parts)["body"] == "streamed"


# --- user models ---------------------------------------------------------------------------------


def test_registered_responders_answer_and_fail_as_models_do(aws, emulator, registered, client) -> None:
    in_service(aws)
    registered.responders(good=responders.shout)
    answer = client.invoke_endpoint(EndpointName="ep", Body=b"hello", ContentType="text/plain")
    assert (answer["Body"].read(), answer["ContentType"]) == (b"HELLO from primary", "text/plain")

    registered.responders(good="tests.emulator.responders:refuse")
    refused = error_of(lambda: client.invoke_endpoint(EndpointName="ep", Body=b"row"))
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert refused["Error"]["Code"] == "ModelError"
    assert refused["OriginalStatusCode"] == 400
    assert refused["OriginalMessage"] == "cannot score 'row'"
    assert refused["LogStreamArn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/ep"
    assert refused["Error"]["Message"].startswith("Received client error (400) from primary with message")

    registered.responders(good=responders.crash)
    crashed = error_of(lambda: client.invoke_endpoint(EndpointName="ep", Body=b"row"))
    assert (crashed["Error"]["Code"], crashed["OriginalStatusCode"]) == ("ModelError", 500)

    registered.responders(good="")
    assert json.loads(client.invoke_endpoint(EndpointName="ep", Body=b"back")["Body"].read())["body"] == "back"
    statuses = [(c["status"], c["error"]) for c in emulator.calls() if c["action"] == "InvokeEndpoint"]
    assert statuses == [(200, None), (424, "ModelError"), (424, "ModelError"), (200, None)]


def test_responders_from_the_command_line() -> None:
    with Emulator(responders={"good": "tests.emulator.responders:shout"}, create_seconds=0.2) as started:
        clients = Aws.at(started.url)
        clients.s3.create_bucket(Bucket="models")
        clients.s3.put_object(Bucket="models", Key="good/model.tar.gz", Body=b"weights")
        container = {"Image": "serve:1", "ModelDataUrl": "s3://models/good/model.tar.gz"}
        clients.sagemaker.create_model(ModelName="good", PrimaryContainer=container)
        in_service(clients)
        assert started.responders() == {"good": "tests.emulator.responders:shout"}
        assert (
            runtime(started.url).invoke_endpoint(EndpointName="ep", Body=b"cli")["Body"].read() == b"CLI from primary"
        )
    for bad in ("no-equals-sign", "good=no_such_module_here:f", "good=tests.emulator.responders:nothing"):
        with pytest.raises(SystemExit, match="--responder"):
            emulator_main(["--responder", bad])
