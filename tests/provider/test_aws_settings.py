"""Clients come from the standard AWS configuration: a profile from the shared config file, the
stack's region over the profile's, `AWS_ENDPOINT_URL_SAGEMAKER`, and botocore's standard retry mode."""

from __future__ import annotations

import pytest

from sagemaker_hosting import aws


@pytest.fixture
def shared_config(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile deploy]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    unset = ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER")
    for variable in unset:
        monkeypatch.delenv(variable, raising=False)
    aws._clients.clear()
    yield
    aws._clients.clear()


@pytest.mark.parametrize(
    ("settings", "region"),
    [
        (aws.AwsSettings(profile="deploy"), "ap-southeast-2"),
        (aws.AwsSettings(region="eu-west-1", profile="deploy"), "eu-west-1"),
        (aws.AwsSettings(region="eu-west-1"), "eu-west-1"),
    ],
)
def test_region_from_stack_config_or_profile(shared_config, settings, region) -> None:
    client = aws.sagemaker_client(settings)
    assert client.meta.region_name == region
    assert client.meta.endpoint_url == f"https://api.sagemaker.{region}.amazonaws.com"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": aws.MAX_ATTEMPTS}  # type: ignore[attr-defined]
    assert aws.sagemaker_client(settings) is client  # one client per settings and process


def test_endpoint_url_from_the_environment(shared_config, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:8")
    assert aws.sagemaker_client(aws.AwsSettings(region="eu-west-1")).meta.endpoint_url == "http://127.0.0.1:8"


def test_unknown_profile_is_named(shared_config) -> None:
    with pytest.raises(Exception, match="nope"):
        aws.sagemaker_client(aws.AwsSettings(region="eu-west-1", profile="nope"))
