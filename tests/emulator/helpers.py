"""Helpers of the emulator's tests: boto3 clients for the emulator, raw HTTP as botocore sends it,
seeding, and waiting."""

from __future__ import annotations

import http.client
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.config

from sagemaker_hosting.emulator.testing import client_options
from sagemaker_hosting.testing import put_alarm

FAST: dict[str, float] = {
    "create_seconds": 0.3,
    "update_seconds": 0.3,
    "delete_seconds": 0.1,
    "stage_seconds": 0.05,
    "time_scale": 0.001,
}
"""Short timings: fleets in 0.3 s, traffic shifts in 0.05 s, DeploymentConfig waits at 1/1000 (a 600 s
wait takes 0.6 s)."""


def signed_headers(service: str = "sagemaker", target: str | None = None) -> dict[str, str]:
    """The headers of a JSON call of `service` as botocore signs it (the emulator checks the
    signature's form and scope, not its value); with `X-Amz-Target` when given."""
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261124/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0",
        "X-Amz-Date": "20261124T000000Z",
    }
    return headers if target is None else {**headers, "X-Amz-Target": target}


def connect(url: str) -> http.client.HTTPConnection:
    """An HTTP connection to the emulator at `url`."""
    parsed = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=30)


ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1"


@dataclass
class Aws:
    """boto3 clients for the emulator; `raw` skips botocore's client-side parameter validation (and
    retries) so that requests reach the server's own validation."""

    url: str
    sagemaker: Any
    raw: Any
    s3: Any
    cloudwatch: Any

    @staticmethod
    def at(url: str) -> Aws:
        def client(service: str, **config: Any) -> Any:
            return boto3.client(  # type: ignore[call-overload]
                service, config=botocore.config.Config(**config), **client_options(url)
            )

        return Aws(
            url,
            sagemaker=client("sagemaker"),
            raw=client("sagemaker", parameter_validation=False, retries={"total_max_attempts": 1}),
            s3=client("s3"),
            cloudwatch=client("cloudwatch"),
        )


def seed(aws: Aws) -> None:
    """What a training pipeline leaves behind: model artifacts in S3 for "good" and "better", none
    for "broken", an image-only model, and an alarm "errors"."""
    aws.s3.create_bucket(Bucket="models")
    for name in ("good", "better", "broken"):
        if name != "broken":
            aws.s3.put_object(Bucket="models", Key=f"{name}/model.tar.gz", Body=b"weights")
        container = {"Image": IMAGE, "ModelDataUrl": f"s3://models/{name}/model.tar.gz"}
        aws.sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer=container)
    aws.sagemaker.create_model(ModelName="image-only", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    put_alarm(aws.cloudwatch, "errors")


def variant(model: str = "good", name: str = "primary", instances: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "VariantName": name,
        "ModelName": model,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": instances,
        **extra,
    }


def create_config(sagemaker: Any, name: str, model: str = "good", instances: int = 1, **extra: Any) -> None:
    sagemaker.create_endpoint_config(
        EndpointConfigName=name, ProductionVariants=[variant(model, instances=instances)], **extra
    )


def wait_while(sagemaker: Any, name: str, pending: Collection[str], timeout: float = 60.0) -> dict[str, Any]:
    """DescribeEndpoint every 50 ms until the status leaves `pending`; the last description."""
    deadline = time.monotonic() + timeout
    while True:
        described: dict[str, Any] = sagemaker.describe_endpoint(EndpointName=name)
        if described["EndpointStatus"] not in pending or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def in_service(aws: Aws, name: str = "ep", config: str = "blue", model: str = "good", **extra: Any) -> dict[str, Any]:
    """A new endpoint on a new config, waited for with boto3's own waiter."""
    create_config(aws.sagemaker, config, model)
    aws.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config, **extra)
    aws.sagemaker.get_waiter("endpoint_in_service").wait(
        EndpointName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600}
    )
    described: dict[str, Any] = aws.sagemaker.describe_endpoint(EndpointName=name)
    return described
