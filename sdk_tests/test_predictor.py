"""The emulator's data plane through a client no one here wrote: the SageMaker Python SDK's
`Predictor` (v2), as users smoke-test an endpoint. Run by `make test-sdk` in .venv-sdk (the SDK
cannot share .venv with the pinned pulumi SDK: their `packaging` pins conflict).

An endpoint answers the SDK's JSON round trip with the variant that served; TargetVariant is
honoured; a missing or not yet serving endpoint is refused with AWS's code; weights are honoured;
and the monitoring calls `Predictor` makes after data capture is enabled answer as AWS does (an
empty list), not with moto's 500."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

import boto3
import pytest
from botocore.exceptions import ClientError
from sagemaker.deserializers import JSONDeserializer
from sagemaker.predictor import Predictor
from sagemaker.serializers import JSONSerializer
from sagemaker.session import Session

from sagemaker_hosting.emulator.testing import Emulator, client_options

REGION = "us-east-1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        running.settings(create_seconds=0.2, update_seconds=0.2, delete_seconds=0.1)
        yield running


@pytest.fixture
def session(emulator: Emulator) -> Session:
    emulator.reset()
    options = client_options(emulator.url)
    boto_session = boto3.Session(
        aws_access_key_id=options["aws_access_key_id"],
        aws_secret_access_key=options["aws_secret_access_key"],
        region_name=REGION,
    )
    return Session(
        boto_session=boto_session,
        sagemaker_client=boto_session.client("sagemaker", endpoint_url=emulator.url),
        sagemaker_runtime_client=boto_session.client("sagemaker-runtime", endpoint_url=emulator.url),
    )


def deploy(session: Session, name: str, weights: dict[str, float], wait: bool = True) -> None:
    """Models with artifacts in the emulator's S3, a config with one variant per weight, an endpoint."""
    s3 = session.boto_session.client("s3", endpoint_url=session.sagemaker_client.meta.endpoint_url)
    s3.create_bucket(Bucket="models")
    sagemaker = session.sagemaker_client
    variants: list[dict[str, Any]] = []
    for variant, weight in weights.items():
        s3.put_object(Bucket="models", Key=f"{variant}/model.tar.gz", Body=b"weights")
        sagemaker.create_model(
            ModelName=f"model-{variant}",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={"Image": "serve:1", "ModelDataUrl": f"s3://models/{variant}/model.tar.gz"},
        )
        variants.append(
            {
                "VariantName": variant,
                "ModelName": f"model-{variant}",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": weight,
            }
        )
    sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=variants)
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    if wait:
        session.wait_for_endpoint(name, poll=1)  # the SDK's own DescribeEndpoint loop


def predictor(session: Session, name: str) -> Predictor:
    return Predictor(name, sagemaker_session=session, serializer=JSONSerializer(), deserializer=JSONDeserializer())


def test_predict_round_trip_and_target_variant(session) -> None:
    deploy(session, "ep", {"blue": 1.0, "green": 1.0})
    answer = predictor(session, "ep").predict({"features": [1, 2, 3]})
    assert answer["endpoint"] == "ep" and answer["variant"] in ("blue", "green")
    assert answer["model"] == f"model-{answer['variant']}"
    assert answer["body"] == '{"features": [1, 2, 3]}'
    for variant in ("blue", "green"):
        assert predictor(session, "ep").predict({"x": 1}, target_variant=variant)["variant"] == variant


def test_weights_are_honoured_through_the_sdk(session) -> None:
    deploy(session, "ep", {"blue": 3.0, "green": 1.0})
    served = Counter(predictor(session, "ep").predict({"x": 1})["variant"] for _ in range(400))
    share = served["blue"] / 400  # expected 0.75; 5 standard deviations of 400 draws is 0.108
    assert abs(share - 0.75) < 0.11, served


def test_missing_and_not_yet_serving_endpoints_are_refused(session, emulator) -> None:
    with pytest.raises(ClientError) as missing:
        predictor(session, "nope").predict({"x": 1})
    assert missing.value.response["Error"]["Code"] == "ValidationError"
    assert "Endpoint nope of account 123456789012 not found." in str(missing.value)
    emulator.settings(create_seconds=30)
    try:
        deploy(session, "slow", {"blue": 1.0}, wait=False)  # Creating: nothing serves yet
        with pytest.raises(ClientError) as creating:
            predictor(session, "slow").predict({"x": 1})
        assert creating.value.response["Error"]["Code"] == "ValidationError"
    finally:
        emulator.settings(create_seconds=0.2)


def test_the_monitoring_calls_predictor_makes_list_nothing_rather_than_fail(session) -> None:
    deploy(session, "ep", {"blue": 1.0})
    assert predictor(session, "ep").list_monitors() == []  # ListMonitoringSchedules, answered as AWS does
