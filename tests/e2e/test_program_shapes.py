"""The program shapes platform repos write, through the real CLI: inputs that are other resources'
outputs (unknown at preview, at any depth), refactors with `aliases` and components, saved plans,
and regions (by input, by stack config, two in one program)."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from pulumi import automation as auto

from sagemaker_hosting import aws
from sagemaker_hosting.emulator.testing import DUMMY_CREDENTIAL, REGION
from sagemaker_hosting.testing import Project, client, create_models, make_project

STAND_INS = '''
import uuid

import boto3
import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class ModelProvider(ResourceProvider):
    """Stands in for aws.sagemaker.Model (whose plugin cannot be installed here): CreateModel under a
    name known only once created; a new artifact replaces the model."""

    serialize_as_secret_always = False

    def create(self, props):
        name = f"{props['prefix']}-{uuid.uuid4().hex[:8]}"
        boto3.client("sagemaker").create_model(
            ModelName=name,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1",
                              "ModelDataUrl": props["data"]},
        )
        return CreateResult(name, {**props, "name": name})

    def diff(self, id_, olds, news):
        changed = olds.get("data") != news.get("data")
        return DiffResult(changes=changed, replaces=["data"] if changed else [])

    def delete(self, id_, props):
        boto3.client("sagemaker").delete_model(ModelName=id_)


class Model(Resource):
    name: pulumi.Output[str]

    def __init__(self, name, data, opts=None):
        super().__init__(ModelProvider(), name, {"data": data, "prefix": name, "name": None}, opts)


class EchoProvider(ResourceProvider):
    """A resource whose output `value` is its input `given`, unknown until it is created."""

    serialize_as_secret_always = False

    def create(self, props):
        return CreateResult(props["prefix"], {**props, "value": props["given"]})


class Echo(Resource):
    value: pulumi.Output

    def __init__(self, name, given, opts=None):
        super().__init__(EchoProvider(), name, {"given": given, "prefix": name, "value": None}, opts)
'''

OUTPUTS_PROGRAM = (
    STAND_INS
    + """
from sagemaker_hosting import Endpoint, EndpointConfig

config = pulumi.Config()
model = Model("model", data=config.require("data"))
kms = Echo("kms", given="alias/endpoints")
role = Echo("role", given="arn:aws:iam::123456789012:role/sagemaker")
team = Echo("team", given="ml")
capture = Echo("capture", given={"enable_capture": True, "initial_sampling_percentage": 50,
                                 "destination_s3_uri": "s3://models/capture",
                                 "capture_options": [{"capture_mode": "Input"}]})
endpoint_config = EndpointConfig(
    "main",
    production_variants=[{"variant_name": "primary", "model_name": model.name, "instance_type": "ml.m5.large",
                          "initial_instance_count": config.require_int("instances")}],
    kms_key_id=kms.value,
    execution_role_arn=role.value,
    data_capture_config=capture.value,
    tags={"team": team.value, "model": model.name},
)
endpoint = Endpoint("main", endpoint_config_name=endpoint_config.name,
                    tags={"config": endpoint_config.arn, "team": team.value})
pulumi.export("model", model.name)
pulumi.export("config", endpoint_config.name)
pulumi.export("endpoint", endpoint.name)
"""
)


def sagemaker_writes(emulator) -> list[str]:
    return [call["action"] for call in emulator.writes()]


def endpoints_and_configs(emulator, region: str = "us-east-1") -> tuple[dict[str, str], list[str]]:
    """{endpoint name: the config it serves} and the config names in `region`."""
    sagemaker = client(emulator, "sagemaker", region)
    endpoints = {
        e["EndpointName"]: sagemaker.describe_endpoint(EndpointName=e["EndpointName"])["EndpointConfigName"]
        for e in sagemaker.list_endpoints()["Endpoints"]
    }
    return endpoints, sorted(c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"])


def test_inputs_from_other_resources_preview_validate_and_deploy(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "a", "b")  # the artifacts in S3; the program's Model resource creates the models
    project = make_project(tmp_path, emulator, OUTPUTS_PROGRAM)
    project.set_config(data="s3://models/a/model.tar.gz", instances="0")
    sagemaker = client(emulator, "sagemaker")
    emulator.clear_calls()

    # What is known is still validated, beside what is not; nothing is called.
    with pytest.raises(auto.CommandError) as bad:
        project.preview()
    rule = "`production_variants[0].initial_instance_count` must have value greater than or equal to 1 (got 0)"
    assert rule in str(bad.value)
    assert "must be of type" not in str(bad.value)
    assert emulator.writes() == []  # preview reads (owners under the names), never writes

    # The first preview of a new stack: the model's name, the key, the role, a whole member and tag
    # values are unknown, and preview passes, showing them as outputs.
    project.set_config(instances="1")
    preview = project.preview(diff=True)
    assert preview.change_summary.get(auto.OpType.CREATE) == 9  # the stack, its StackIdentity and 7 resources
    for member in ("model_name", "kms_key_id", "execution_role_arn", "data_capture_config", "model", "config"):
        assert re.search(rf"\b{member} *: \[unknown\]", preview.stdout), member
    assert sagemaker_writes(emulator) == []

    project.up()
    outputs = project.outputs()
    config = sagemaker.describe_endpoint_config(EndpointConfigName=outputs["config"])
    assert config["ProductionVariants"][0]["ModelName"] == outputs["model"]
    assert config["KmsKeyId"] == "alias/endpoints"
    assert config["ExecutionRoleArn"] == "arn:aws:iam::123456789012:role/sagemaker"
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == 50
    config_tags = aws.user_tags(aws.list_tags(sagemaker, config["EndpointConfigArn"]))
    assert config_tags == {"model": outputs["model"], "team": "ml"}
    endpoint = sagemaker.describe_endpoint(EndpointName=outputs["endpoint"])
    assert endpoint["EndpointStatus"] == "InService" and endpoint["EndpointConfigName"] == outputs["config"]
    endpoint_tags = aws.user_tags(aws.list_tags(sagemaker, endpoint["EndpointArn"]))
    assert endpoint_tags == {"config": config["EndpointConfigArn"], "team": "ml"}
    project.preview(expect_no_changes=True)

    # A new model: its name is unknown at preview, so the config may be replaced (and is shown so)
    # and the endpoint is updated in place.
    project.set_config(data="s3://models/b/model.tar.gz")
    emulator.clear_calls()
    preview = project.preview(diff=True)
    assert preview.change_summary.get(auto.OpType.REPLACE) == 2  # the model and the config
    assert preview.change_summary.get(auto.OpType.UPDATE) == 1  # the endpoint
    for member in ("model_name", "name", "endpoint_config_name"):  # the engine shows unknowns as [unknown]
        assert re.search(rf"~ {member} *: \"[a-z0-9-]+\" => \[unknown\]", preview.stdout), member
    assert sagemaker_writes(emulator) == []
    project.up()
    moved = project.outputs()
    assert moved["config"] != outputs["config"] and moved["endpoint"] == outputs["endpoint"]
    assert endpoints_and_configs(emulator) == ({outputs["endpoint"]: moved["config"]}, [moved["config"]])
    new_config = sagemaker.describe_endpoint_config(EndpointConfigName=moved["config"])
    assert new_config["ProductionVariants"][0]["ModelName"] == moved["model"] != outputs["model"]
    project.preview(expect_no_changes=True)

    project.destroy()
    assert endpoints_and_configs(emulator) == ({}, [])


RESOLVED_PROGRAM = (
    STAND_INS
    + """
from sagemaker_hosting import Endpoint, EndpointConfig

variant_name = Echo("variant-name", given=pulumi.Config().require("variantName"))
config = EndpointConfig("main", production_variants=[{"variant_name": variant_name.value, "model_name": "a",
    "instance_type": "ml.m5.large", "initial_instance_count": 1}])
Endpoint("main", endpoint_config_name=config.name)
"""
)


def test_values_resolved_at_apply_are_validated_before_any_call(tmp_path, emulator) -> None:
    """An output unknown at preview passes it; once resolved during `up`, a bad value fails `check`
    with the field and the rule, and SageMaker is never asked."""
    emulator.reset()
    create_models(emulator, "a")
    project = make_project(tmp_path, emulator, RESOLVED_PROGRAM)
    project.set_config(variantName="primary variant")
    emulator.clear_calls()
    project.preview()
    with pytest.raises(auto.CommandError) as failed:
        project.up()
    assert "`production_variants[0].variant_name` must match the pattern" in str(failed.value)
    assert "'primary variant'" in str(failed.value)
    assert sagemaker_writes(emulator) == []
    project.destroy()


REFACTOR_PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

shape = pulumi.Config().require("shape")
variants = [{"variant_name": "primary", "model_name": "a", "instance_type": "ml.m5.large", "initial_instance_count": 1}]


def serving(name, parent=None, aliases=()):
    opts = pulumi.ResourceOptions(parent=parent, aliases=list(aliases))
    config = EndpointConfig(name, production_variants=variants, opts=opts)
    return Endpoint(name, endpoint_config_name=config.name, opts=opts)


class Serving(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("platform:ml:Serving", name)
        self.endpoint = serving("main", parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)])
        self.register_outputs({})


if shape == "flat":
    endpoint = serving("main")
elif shape == "renamed":
    endpoint = serving("primary", aliases=[pulumi.Alias(name="main")])
else:
    endpoint = Serving("serving").endpoint
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", endpoint.endpoint_config_name)
"""


@pytest.mark.parametrize("shape", ["renamed", "component"])
def test_refactors_keep_the_endpoint_and_its_config(tmp_path, emulator, shape) -> None:
    emulator.reset()
    create_models(emulator, "a")
    project = make_project(tmp_path, emulator, REFACTOR_PROGRAM)
    project.set_config(shape="flat")
    project.up()
    before = project.outputs()
    live = endpoints_and_configs(emulator)
    assert live == ({before["endpoint"]: before["config"]}, [before["config"]])

    project.set_config(shape=shape)
    emulator.clear_calls()
    preview = project.preview()
    created = 1 if shape == "component" else 0  # the component itself
    # the stack, its StackIdentity, the config and the endpoint
    assert preview.change_summary == {auto.OpType.SAME: 4, **({auto.OpType.CREATE: 1} if created else {})}
    project.up()
    assert sagemaker_writes(emulator) == []
    assert project.outputs() == before
    assert endpoints_and_configs(emulator) == live
    project.preview(expect_no_changes=True)
    project.destroy()
    assert endpoints_and_configs(emulator) == ({}, [])


PLAN_PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

config = EndpointConfig("main", production_variants=[{"variant_name": "primary", "instance_type": "ml.m5.large",
    "model_name": pulumi.Config().require("model"), "initial_instance_count": 1}])
endpoint = Endpoint("main", endpoint_config_name=config.name)
pulumi.export("endpoint", endpoint.name)
pulumi.export("config", config.name)
"""


def planned_names(path) -> dict[str, Any]:
    """The `name` each of our resources in a saved plan is to have, by resource type."""
    resources = json.loads(path.read_text())["resourcePlans"]
    return {
        urn.split("::")[2].rpartition(":")[2]: plan["state"]["name"]
        for urn, plan in resources.items()
        if "sagemaker:" in urn and "name" in plan["state"]  # not the StackIdentity
    }


def test_saved_plans_hold_the_names_up_creates(tmp_path, emulator) -> None:
    emulator.reset()
    create_models(emulator, "a", "b")
    project = make_project(tmp_path, emulator, PLAN_PROGRAM)
    for model in ("a", "b"):  # a first deployment, then a replacement of the config
        project.set_config(model=model)
        plan = tmp_path / f"plan-{model}.json"
        project.stack.preview(plan=str(plan), on_output=project.output.append, color="never")
        project.stack.up(plan=str(plan), on_output=project.output.append, color="never")
        outputs = project.outputs()
        assert planned_names(plan) == {"EndpointConfig": outputs["config"], "Endpoint": outputs["endpoint"]}
        assert endpoints_and_configs(emulator) == ({outputs["endpoint"]: outputs["config"]}, [outputs["config"]])
        project.preview(expect_no_changes=True)
    project.destroy()


REGION_PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

settings = pulumi.Config()
regions = (settings.get("regions") or "").split(",") if settings.get("regions") else [settings.get("region")]
for region in regions:
    suffix = f"-{region}" if settings.get("regions") else ""
    config = EndpointConfig(f"main{suffix}", region=region, production_variants=[{"variant_name": "primary",
        "model_name": "a", "instance_type": "ml.m5.large", "initial_instance_count": 1}])
    endpoint = Endpoint(f"main{suffix}", region=region, endpoint_config_name=config.name)
    pulumi.export(f"endpoint{suffix}", endpoint.name)
"""

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def live_regions(emulator) -> dict[str, tuple[dict[str, str], list[str]]]:
    return {region: found for region in REGIONS if (found := endpoints_and_configs(emulator, region)) != ({}, [])}


def assert_moved(project: Project, emulator, region: str) -> None:
    """A region change is shown as replacements, and afterwards all lives in `region` alone."""
    emulator.clear_calls()
    preview = project.preview()
    assert preview.change_summary.get(auto.OpType.REPLACE) == 2
    assert sagemaker_writes(emulator) == []
    project.up()
    (found_region, (endpoints, configs)), *others = live_regions(emulator).items()
    assert (found_region, others) == (region, [])
    assert list(endpoints) == [project.outputs()["endpoint"]] and list(endpoints.values()) == configs
    project.preview(expect_no_changes=True)
    project.refresh(expect_no_changes=True)


def test_region_changes_replace_and_leave_nothing_behind(tmp_path, emulator) -> None:
    emulator.reset()
    for region in REGIONS:
        create_models(emulator, "a", region=region)
    project = make_project(tmp_path, emulator, REGION_PROGRAM)
    project.up()  # the environment's region
    assert list(live_regions(emulator)) == ["us-east-1"]

    project.set_config(region="us-west-2")  # by input
    assert_moved(project, emulator, "us-west-2")

    project.stack.remove_config("region")
    project.set_config(**{"aws:region": "eu-west-1"})  # by stack config
    assert_moved(project, emulator, "eu-west-1")

    project.destroy()
    assert live_regions(emulator) == {}


def test_one_program_two_regions(tmp_path, emulator) -> None:
    emulator.reset()
    for region in REGIONS:
        create_models(emulator, "a", region=region)
    project = make_project(tmp_path, emulator, REGION_PROGRAM)
    project.set_config(regions="us-east-1,us-west-2")
    project.up()
    live = live_regions(emulator)
    assert sorted(live) == ["us-east-1", "us-west-2"]
    for region, (endpoints, configs) in live.items():
        assert list(endpoints) == [project.outputs()[f"endpoint-{region}"]] and list(endpoints.values()) == configs
    project.preview(expect_no_changes=True)
    project.destroy()
    assert live_regions(emulator) == {}


ACCOUNT_PROGRAM = """
import pulumi
from sagemaker_hosting import Endpoint, EndpointConfig

config = EndpointConfig("main", production_variants=[{"variant_name": "primary", "model_name": "a",
    "instance_type": "ml.m5.large", "initial_instance_count": 1}])
endpoint = Endpoint("main", endpoint_config_name=config.name)
pulumi.export("endpoint", endpoint.name)
pulumi.export("arn", endpoint.arn)
"""


def test_a_profile_of_another_account_replaces_and_leaves_nothing_behind(tmp_path, emulator) -> None:
    """`aws:profile` pointed at another account: preview shows the replacements, `up` creates in the
    new account and deletes in the old one (with the profile each resource was made with)."""
    emulator.reset()
    sts = client(emulator, "sts")
    assumed = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/deployer", RoleSessionName="e2e-test")
    keys = assumed["Credentials"]
    profiles = {
        "first": (DUMMY_CREDENTIAL, DUMMY_CREDENTIAL, None),
        "second": (keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"]),
    }
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "".join(
            f"[{name}]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
            + (f"aws_session_token = {token}\n" if token else "")
            for name, (key, secret, token) in profiles.items()
        )
    )
    sagemaker = {
        name: boto3.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token, region_name=REGION
        ).client("sagemaker", endpoint_url=emulator.url)
        for name, (key, secret, token) in profiles.items()
    }
    for name, (key, secret, token) in profiles.items():  # the model, in each account, from its own bucket
        session = boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
        s3 = session.client("s3", endpoint_url=emulator.url, region_name=REGION)
        s3.create_bucket(Bucket=f"models-{name}")
        s3.put_object(Bucket=f"models-{name}", Key="a/model.tar.gz", Body=b"weights")
        sagemaker[name].create_model(
            ModelName="a",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={
                "Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1",
                "ModelDataUrl": f"s3://models-{name}/a/model.tar.gz",
            },
        )

    def in_account(name: str) -> tuple[list[str], list[str]]:
        return (
            [e["EndpointName"] for e in sagemaker[name].list_endpoints()["Endpoints"]],
            [c["EndpointConfigName"] for c in sagemaker[name].list_endpoint_configs()["EndpointConfigs"]],
        )

    project = make_project(tmp_path, emulator, ACCOUNT_PROGRAM)
    workspace = project.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace) and workspace.env_vars is not None
    workspace.env_vars = {**workspace.env_vars, "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}
    project.set_config(**{"aws:profile": "first"})
    project.up()
    first = project.outputs()
    assert ":123456789012:" in first["arn"] and in_account("first")[0] == [first["endpoint"]]

    project.set_config(**{"aws:profile": "second"})
    emulator.clear_calls()
    preview = project.preview()
    assert preview.change_summary.get(auto.OpType.REPLACE) == 2
    assert sagemaker_writes(emulator) == []
    project.up()
    second = project.outputs()
    assert ":111111111111:" in second["arn"]
    assert in_account("first") == ([], [])
    endpoints, configs = in_account("second")
    assert endpoints == [second["endpoint"]] and len(configs) == 1
    project.preview(expect_no_changes=True)
    project.refresh(expect_no_changes=True)
    project.destroy()
    assert in_account("first") == in_account("second") == ([], [])
