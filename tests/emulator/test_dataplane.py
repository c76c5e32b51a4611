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
from botocore.exceptions import ClientError

from sagemaker_hosting.emulator.__main__ import main as emulator_main
from sagemaker_hosting.emulator.probe import Probe
from sagemaker_hosting.emulator.testing import Emulator, client_options
from tests.emulator import responders
from tests.emulator.helpers import Aws, create_config, in_service, variant, wait_while

SIGMAS = 5.0
"""Statistical checks allow five standard deviations: a false failure about once in 1.7 million runs."""


def runtime(url: str, region: str = "us-east-1", **credentials: str) -> Any:
    """A sagemaker-runtime client for the emulator, without retries (errors come back at once)."""
    options = {**client_options(url, region), **credentials}
    config = botocore.config.Config(retries={"total_max_attempts": 1})
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
