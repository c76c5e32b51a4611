"""The emulator as a process and a server: startup and shutdown, command-line flags, the admin API,
fault injection (throttling, eventual consistency), the neighbouring services at the same URL,
32 concurrent clients, and HTTP as AWS speaks it (connections kept alive, chunked bodies, raw paths)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError, WaiterError

from sagemaker_hosting.emulator.testing import EmulatorError, client_options, environment
from tests.emulator.helpers import connect, create_config, signed_headers, variant, wait_while


def start(*flags: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_hosting.emulator", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_flags_and_clean_stop(stop_signal) -> None:
    process, line = start("--create-seconds", "0.7", "--throttle-rate", "0.25")
    try:
        url = line[line.index("http://") :].split()[0]
        with urllib.request.urlopen(f"{url}/_emulator/settings") as response:  # serving as soon as the line is out
            settings = json.load(response)
        assert settings["create_seconds"] == 0.7 and settings["throttle_rate"] == 0.25
        assert settings["update_seconds"] == 3.0  # the default
    finally:
        process.send_signal(stop_signal)
        assert process.wait(10) == 0


def test_bad_flag_value_is_refused() -> None:
    process, line = start("--throttle-rate", "2")
    assert process.wait(10) != 0 and line == ""
    assert process.stderr is not None and "throttle_rate must be between 0 and 1" in process.stderr.read()


def test_admin_api(aws, emulator) -> None:
    assert emulator.settings(delete_seconds=0.2)["delete_seconds"] == 0.2
    bad_settings: list[tuple[dict[str, Any], str]] = [
        ({"nope": 1}, "unknown setting"),
        ({"time_scale": "x"}, "must be a number"),
    ]
    for bad, message in bad_settings:
        with pytest.raises(EmulatorError, match=message):
            emulator.settings(**bad)
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{emulator.url}/_emulator/nothing")
    assert missing.value.code == 404

    emulator.clear_calls()
    with pytest.raises(ClientError):
        aws.sagemaker.describe_endpoint(EndpointName="absent")
    create_config(aws.sagemaker, "cfg")
    calls = emulator.calls()
    assert [(c["action"], c["status"], c["name"], c["error"]) for c in calls] == [
        ("DescribeEndpoint", 400, "absent", "ValidationException"),
        ("CreateEndpointConfig", 200, "cfg", None),
    ]
    assert calls[0]["time"] <= calls[1]["time"]
    assert all(call["user_agent"].startswith("Boto3/") for call in calls)

    aws.s3.put_object(Bucket="models", Key="extra", Body=b"x")
    emulator.reset()
    assert emulator.calls() == [] and emulator.events() == []
    assert aws.sagemaker.list_models()["Models"] == [] and aws.s3.list_buckets()["Buckets"] == []


def test_events_are_recorded_without_anyone_asking(aws, emulator) -> None:
    """The background driver moves the endpoint and records the change at its scheduled time."""
    create_config(aws.sagemaker, "cfg")
    emulator.clear_calls()
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    while len(emulator.events()) < 2:
        time.sleep(0.05)
    creating, ready = emulator.events()
    assert (creating["status"], ready["status"], ready["endpoint_config_name"]) == ("Creating", "InService", "cfg")
    assert ready["time"] - creating["time"] == pytest.approx(emulator.settings()["create_seconds"])
    assert [c["action"] for c in emulator.calls()] == ["CreateEndpoint"]


def test_throttling(aws, emulator) -> None:
    emulator.settings(throttle_rate=1.0)
    with pytest.raises(ClientError) as throttled:
        aws.raw.list_endpoints()
    assert throttled.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    retrying = boto3.client(  # type: ignore[call-overload]
        "sagemaker",
        config=botocore.config.Config(retries={"mode": "standard", "max_attempts": 3}),
        **client_options(emulator.url),
    )
    with pytest.raises(ClientError) as exhausted:
        retrying.list_endpoints()
    retries = exhausted.value.response["ResponseMetadata"]["RetryAttempts"]
    assert retries > 0  # botocore took it for throttling and retried
    emulator.settings(throttle_rate=0.0)
    assert retrying.list_endpoints()["Endpoints"] == []
    errors = [c["error"] for c in emulator.calls() if c["action"] == "ListEndpoints"]
    assert errors == ["ThrottlingException"] * (2 + retries) + [None]


def test_consistency_delay(aws, emulator) -> None:
    """Right after a create, reads do not see the new resource (and boto3's waiter gives up, as
    against AWS); once the delay has passed they do."""
    create_config(aws.sagemaker, "cfg")
    emulator.settings(consistency_delay_seconds=5.0)
    with pytest.raises(ClientError, match="Could not find endpoint configuration"):
        aws.sagemaker.describe_endpoint_config(EndpointConfigName="cfg")
    with pytest.raises(ClientError, match="Could not find endpoint configuration"):
        aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    emulator.settings(consistency_delay_seconds=0.0)
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    emulator.settings(consistency_delay_seconds=60.0)
    with pytest.raises(
        WaiterError, match="terminal failure state: Matched expected service error code: ValidationException"
    ):
        aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})
    emulator.settings(consistency_delay_seconds=0.0)
    aws.sagemaker.get_waiter("endpoint_in_service").wait(EndpointName="ep", WaiterConfig={"Delay": 0.1})


def test_neighbouring_services_and_other_sagemaker_actions(aws, emulator) -> None:
    sts = boto3.client("sts", **client_options(emulator.url))  # type: ignore[call-overload]
    assert sts.get_caller_identity()["Account"] == "123456789012"
    iam = boto3.client("iam", **client_options(emulator.url))  # type: ignore[call-overload]
    role = iam.create_role(RoleName="sagemaker", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    assert role == "arn:aws:iam::123456789012:role/sagemaker"
    # SageMaker actions outside hosting are moto's, at the same URL
    assert aws.sagemaker.list_training_jobs()["TrainingJobSummaries"] == []
    assert [c["action"] for c in emulator.calls()][-1] == "ListTrainingJobs"


def test_region_comes_from_the_request_signature(aws, emulator) -> None:
    ireland = boto3.client("sagemaker", **client_options(emulator.url, region="eu-west-1"))  # type: ignore[call-overload]
    ireland.create_model(ModelName="m", PrimaryContainer={"Image": "serve:1"})
    assert ireland.describe_model(ModelName="m")["ModelArn"] == "arn:aws:sagemaker:eu-west-1:123456789012:model/m"
    assert "m" not in [m["ModelName"] for m in aws.sagemaker.list_models()["Models"]]


def test_each_account_has_its_own_hosting_state(aws, emulator) -> None:
    """Keys from an STS AssumeRole into another account act there, as moto assigns accounts: the same
    names live apart, ARNs carry each account, settings and events span both."""
    sts = boto3.client("sts", **client_options(emulator.url))  # type: ignore[call-overload]
    keys = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/deployer", RoleSessionName="test")["Credentials"]
    other = boto3.client(
        "sagemaker",
        **{
            **client_options(emulator.url),
            "aws_access_key_id": keys["AccessKeyId"],
            "aws_secret_access_key": keys["SecretAccessKey"],
            "aws_session_token": keys["SessionToken"],
        },
    )
    other.create_model(ModelName="good", PrimaryContainer={"Image": "serve:1"})
    for sagemaker in (aws.sagemaker, other):
        create_config(sagemaker, "same")
        sagemaker.create_endpoint(EndpointName="same", EndpointConfigName="same")
    arns = [s.describe_endpoint(EndpointName="same")["EndpointArn"] for s in (aws.sagemaker, other)]
    assert arns == [
        "arn:aws:sagemaker:us-east-1:123456789012:endpoint/same",
        "arn:aws:sagemaker:us-east-1:111111111111:endpoint/same",
    ]
    for sagemaker in (aws.sagemaker, other):
        assert wait_while(sagemaker, "same", {"Creating"})["EndpointStatus"] == "InService"
    assert [e["status"] for e in emulator.events() if e["name"] == "same"].count("InService") == 2
    other.delete_endpoint(EndpointName="same")
    assert aws.sagemaker.describe_endpoint(EndpointName="same")["EndpointStatus"] == "InService"
    emulator.reset()
    assert other.list_endpoints()["Endpoints"] == []


def test_environment_reaches_the_emulator(emulator, monkeypatch) -> None:
    for key, value in environment(emulator.url).items():
        monkeypatch.setenv(key, value)
    assert boto3.client("sagemaker").list_endpoints()["Endpoints"] == []


def test_32_concurrent_clients(aws) -> None:
    """Each client creates a config and an endpoint, waits with boto3's waiter and deletes it."""

    def lifecycle(number: int) -> dict[str, Any]:
        sagemaker = boto3.client("sagemaker", **client_options(aws.url))  # type: ignore[call-overload]
        name = f"ep-{number}"
        sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant()])
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
        sagemaker.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 0.1})
        described: dict[str, Any] = sagemaker.describe_endpoint(EndpointName=name)
        sagemaker.delete_endpoint(EndpointName=name)
        sagemaker.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 0.1})
        return described

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lifecycle, range(32)))
    assert sorted(r["EndpointName"] for r in results) == sorted(f"ep-{n}" for n in range(32))
    assert {r["EndpointStatus"] for r in results} == {"InService"}
    assert aws.sagemaker.list_endpoints()["Endpoints"] == []
    assert len(aws.sagemaker.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]) == 32


def test_moto_harness_reset_clears_the_hosting_state_too(aws, emulator) -> None:
    """`POST /moto-api/reset`, which moto's own test harness calls between tests, wipes models,
    configs and endpoints as it wipes moto's services."""
    create_config(aws.sagemaker, "blue")
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="blue")
    request = urllib.request.Request(f"{emulator.url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    assert aws.sagemaker.list_endpoints()["Endpoints"] == []
    assert aws.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert aws.sagemaker.list_models()["Models"] == []
    assert aws.s3.list_buckets()["Buckets"] == []  # moto's own reset still happened


SIGNED = signed_headers(target="SageMaker.ListEndpoints")


def test_connections_are_kept_alive(aws, emulator) -> None:
    """As AWS keeps them, and botocore expects (it holds a pool of them): a dozen connections open at
    once (more than cheroot keeps by default) each answer several requests, none `Connection: close`."""
    connections = [connect(emulator.url) for _ in range(12)]
    try:
        for _ in range(3):
            for connection in connections:
                connection.request("POST", "/", body=b"{}", headers=SIGNED)
                response = connection.getresponse()
                assert (response.status, response.getheader("Connection")) == (200, None), response.getheaders()
                assert "Endpoints" in json.loads(response.read())
    finally:
        for connection in connections:
            connection.close()


def test_a_chunked_body_is_read_whole_and_the_connection_goes_on(aws, emulator) -> None:
    """botocore sends a body of unknown length chunked: it is the request's whole body, and the next
    request on the connection is read as one."""
    connection = connect(emulator.url)
    try:
        body = json.dumps({"NameContains": "nothing-has-this"}).encode()
        connection.request("POST", "/", body=iter([body[:7], body[7:]]), headers=SIGNED, encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read())["Endpoints"] == []
        assert emulator.calls()[-1]["action"] == "ListEndpoints"
        connection.request("POST", "/", body=b"{}", headers=SIGNED)
        assert connection.getresponse().status == 200
    finally:
        connection.close()


def test_an_s3_key_is_taken_as_sent(aws, emulator) -> None:
    """moto reads the undecoded path (RAW_URI): a key with an escape in it is stored as that key."""
    s3 = boto3.client("s3", **client_options(emulator.url))  # type: ignore[call-overload]
    s3.create_bucket(Bucket="keys")
    s3.put_object(Bucket="keys", Key="model%41.tar.gz", Body=b"x")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="keys")["Contents"]] == ["model%41.tar.gz"]


def test_a_process_that_never_stops_the_server_still_exits() -> None:
    """A program that starts an emulator in-process and ends without `stop` (an error on its way,
    say) exits: no thread of the server keeps it alive."""
    program = (
        "from sagemaker_hosting.emulator.server import EmulatorServer\n"
        "server = EmulatorServer()\n"
        "server.start()\n"
        "print(server.url)\n"
    )
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0 and finished.stdout.startswith("http://127.0.0.1:"), finished
