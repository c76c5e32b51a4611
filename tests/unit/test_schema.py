"""The service-model validator: each kind of constraint, AWS's wording, and the cross-field rules."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.model import ListShape, StructureShape

from sagemaker_hosting import cross_field, java_regex, schema, tag_keys

CONFIG = schema.input_shape("CreateEndpointConfig")
RUNTIME = botocore.session.get_session().get_service_model("sagemaker-runtime")
ENDPOINT = schema.input_shape("UpdateEndpoint")


def variant(**overrides):
    return {"VariantName": "primary", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1} | (
        overrides
    )


def config(**overrides):
    return {"EndpointConfigName": "cfg", "ProductionVariants": [variant()]} | overrides


@pytest.mark.parametrize(
    ("request_", "path", "rule"),
    [
        ({"ProductionVariants": [variant()]}, ("EndpointConfigName",), "Member must not be null"),
        (
            config(Tags=[{"Key": "k", "Value": "v" * 257}]),
            ("Tags", 0, "Value"),
            "Member must have length less than or equal to 256",
        ),
        (
            config(EndpointConfigName="-leading-dash"),
            ("EndpointConfigName",),
            "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
        ),
        (  # anchored at the end too: a valid prefix does not make a valid name
            config(EndpointConfigName="valid_then_invalid"),
            ("EndpointConfigName",),
            "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
        ),
        (config(ProductionVariants=[]), ("ProductionVariants",), "Member must have length greater than or equal to 1"),
        (
            config(ProductionVariants=[variant(VariantName=f"v{i}") for i in range(11)]),
            ("ProductionVariants",),
            "Member must have length less than or equal to 10",
        ),
        (
            config(ProductionVariants=[variant(InitialInstanceCount=0)]),
            ("ProductionVariants", 0, "InitialInstanceCount"),
            "Member must have value greater than or equal to 1",
        ),
        (
            config(ProductionVariants=[variant(VolumeSizeInGB=513)]),
            ("ProductionVariants", 0, "VolumeSizeInGB"),
            "Member must have value less than or equal to 512",
        ),
        (
            config(ProductionVariants=[variant(InitialVariantWeight=-0.5)]),
            ("ProductionVariants", 0, "InitialVariantWeight"),
            "Member must have value greater than or equal to 0",
        ),
        (
            config(ProductionVariants=[variant(InitialInstanceCount="2")]),
            ("ProductionVariants", 0, "InitialInstanceCount"),
            "Member must be of type integer",
        ),
        (
            config(ProductionVariants=[variant(InitialInstanceCount=True)]),
            ("ProductionVariants", 0, "InitialInstanceCount"),
            "Member must be of type integer",
        ),
        (config(EnableNetworkIsolation="yes"), ("EnableNetworkIsolation",), "Member must be of type boolean"),
        (config(ProductionVariants={"VariantName": "x"}), ("ProductionVariants",), "Member must be of type list"),
        (config(DataCaptureConfig=[]), ("DataCaptureConfig",), "Member must be of type structure"),
        (
            config(
                DataCaptureConfig={
                    "InitialSamplingPercentage": 50,
                    "DestinationS3Uri": "s3://bucket/capture",
                    "CaptureOptions": [{"CaptureMode": "Sideways"}],
                }
            ),
            ("DataCaptureConfig", "CaptureOptions", 0, "CaptureMode"),
            "Member must satisfy enum value set: [Input, Output, InputAndOutput]",
        ),
        (config(Colour="blue"), ("Colour",), schema.UNKNOWN_MEMBER),
        (config(Tags=[{"Key": "team"}]), ("Tags", 0, "Value"), "Member must not be null"),
        (  # the tag pattern is Java syntax (\p{L}...): a letter outside ASCII passes, a '!' does not
            config(Tags=[{"Key": "équipe!", "Value": "ml"}]),
            ("Tags", 0, "Key"),
            r"Member must satisfy regular expression pattern: ([\p{L}\p{Z}\p{N}_.:/=+\-@]*)",
        ),
    ],
)
def test_each_kind_of_constraint(request_, path, rule):
    violations = schema.constraint_violations(CONFIG, request_)
    assert [(v.path, v.rule) for v in violations] == [(path, rule)]


@pytest.mark.parametrize(
    "request_",
    [
        config(),
        config(Tags=[{"Key": "équipe", "Value": "données"}], KmsKeyId="alias/key"),
        config(ProductionVariants=[variant(InitialVariantWeight=1)]),  # an int is a valid float
        config(
            ProductionVariants=[
                {
                    "VariantName": "s",
                    "ModelName": "m",
                    "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                }
            ]
        ),
    ],
)
def test_valid_requests_pass(request_):
    assert schema.constraint_violations(CONFIG, request_) == []


def test_violations_carry_their_kind_and_its_data():
    """Callers decide by kind and data, never by the wording (`rule`), which is AWS's alone."""
    capture = {
        "InitialSamplingPercentage": 50,
        "DestinationS3Uri": "s3://b/c",
        "CaptureOptions": [{"CaptureMode": "X"}],
    }
    (enum,) = schema.constraint_violations(CONFIG, config(DataCaptureConfig=capture))
    assert (enum.kind, enum.allowed) == (schema.Kind.ENUM, ("Input", "Output", "InputAndOutput"))
    (size,) = schema.constraint_violations(CONFIG, config(ProductionVariants=[]))
    assert (size.kind, size.bound, size.limit) == (schema.Kind.SIZE, "min", 1)
    (value,) = schema.constraint_violations(CONFIG, config(ProductionVariants=[variant(InitialInstanceCount=0)]))
    assert (value.kind, value.bound, value.limit) == (schema.Kind.RANGE, "min", 1)
    (typed,) = schema.constraint_violations(CONFIG, config(EnableNetworkIsolation="yes"))
    assert (typed.kind, typed.type_name) == (schema.Kind.TYPE, "boolean")
    (unknown,) = schema.constraint_violations(CONFIG, config(Colour="blue"))
    assert unknown.kind is schema.Kind.UNKNOWN_MEMBER
    (required,) = schema.constraint_violations(CONFIG, {"ProductionVariants": [variant()]})
    assert required.kind is schema.Kind.REQUIRED
    (pattern,) = schema.constraint_violations(CONFIG, config(EndpointConfigName="-x"))
    assert (pattern.kind, pattern.pattern) == (schema.Kind.PATTERN, "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
    local = config(KmsKeyId="k", ProductionVariants=[variant(InstanceType="ml.m5d.large")])
    (cross,) = cross_field.endpoint_config_violations(local)
    assert (cross.kind, cross.subject) == (schema.Kind.CROSS_FIELD, "KmsKeyId")
    assert cross.rule == f"KmsKeyId {cross.predicate}"


def test_aws_message_names_each_violation_as_the_service_does():
    violations = schema.constraint_violations(
        CONFIG, {"EndpointConfigName": "ok", "ProductionVariants": [variant(InitialInstanceCount=0, VariantName=None)]}
    )
    assert schema.aws_validation_message(violations) == (
        "2 validation errors detected: "
        "Value null at 'productionVariants.1.member.variantName' failed to satisfy constraint: "
        "Member must not be null; "
        "Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_a_sensitive_members_value_is_left_out_and_a_blobs_length_is_checked():
    """AWS writes "Value at 'x'" for a sensitive member (a Cognito username: "Value at 'username'
    failed to satisfy constraint: ...", massif-press/compcon#1951); blobs have lengths in bytes."""
    request = RUNTIME.operation_model("InvokeEndpointAsync").input_shape
    assert request is not None
    found = schema.constraint_violations(
        request, {"EndpointName": "ep", "CustomAttributes": "c" * 1025, "InferenceId": "i" * 65, "Body": b"b" * 128_001}
    )
    assert [(v.path, v.kind, v.sensitive) for v in found] == [
        (("CustomAttributes",), schema.Kind.SIZE, True),  # CustomAttributesHeader: sensitive, max 1024
        (("InferenceId",), schema.Kind.SIZE, False),
        (("Body",), schema.Kind.SIZE, True),  # AsyncBodyBlob: sensitive, max 128000
    ]
    assert schema.aws_validation_message(found[:2]) == (
        "2 validation errors detected: "
        "Value at 'customAttributes' failed to satisfy constraint: Member must have length less than or equal to 1024; "
        f"Value '{'i' * 65}' at 'inferenceId' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        # java.util.regex.Pattern: "POSIX character classes (US-ASCII only)" and the predefined \d \s
        # \w are ASCII unless a pattern asks for Unicode; Unicode categories (\p{L}) are Unicode.
        (r"\A\S[\p{Print}]*\z", "id-7", True),  # InferenceId (sagemaker-runtime)
        (r"\A\S[\p{Print}]*\z", "id-\u00e9", False),  # \p{Print} is [\x20-\x7E]
        (r"\A\S[\p{Print}]*\z", "\u00a0", True),  # \s is [ \t\n\x0B\f\r], so \S takes a no-break space
        (r"\S(.*\S)?", "\u2003", True),
        (r"[\S\s]+", "\u2003\n", True),  # classes inside a class
        (r"(?!\s*$).+", " ", False),
        (r"\d+", "\u0663", False),  # an Arabic-Indic digit is no \d
        (r"[\w-]+_[0-9a-zA-Z]+", "caf\u00e9_1", False),
        (
            r"arn:[\p{Alnum}\-]+:lambda:[\p{Alnum}\-]+:[0-9]{12}:function:.*",
            "arn:aws:lambda:eu-1:123456789012:function:f",
            True,
        ),
        (
            r"arn:[\p{Alnum}\-]+:lambda:[\p{Alnum}\-]+:[0-9]{12}:function:.*",
            "arn:\u00e9:lambda:x:123456789012:function:f",
            False,
        ),
        (r".*", "a\u0085", False),  # Java's . stops at every line terminator, NEL among them
        (r"[.]+", "..", True),  # a dot in a class is a dot
        (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "\u00e9t\u00e9 \u0663", True),  # TagKey: Unicode categories
        (r"[\uD800\uDC00-\uDBFF\uDFFF]+", "\U0001f600", True),  # a surrogate-pair range: supplementary code points
    ],
)
def test_patterns_have_javas_meaning(pattern, value, matches):
    assert bool(java_regex.compiled_pattern(pattern).fullmatch(value)) is matches


def test_every_pattern_of_the_models_compiles():
    session = botocore.session.get_session()
    for service in ("sagemaker", "sagemaker-runtime", "application-autoscaling"):
        for name, shape in session.get_service_data(service)["shapes"].items():
            if "pattern" in shape:
                assert java_regex.compiled_pattern(shape["pattern"]), (service, name)


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("VolumeSizeInGB", "volume_size_in_gb"),
        ("KmsKeyId", "kms_key_id"),
        ("EnableSSMAccess", "enable_ssm_access"),
        ("S3OutputPath", "s3_output_path"),
        ("ModelDataDownloadTimeoutInSeconds", "model_data_download_timeout_in_seconds"),
    ],
)
def test_snake(member, expected):
    assert schema.snake(member) == expected


@pytest.mark.parametrize(
    ("instance_type", "local"),
    [
        ("ml.m5.large", False),
        ("ml.m5d.large", True),
        ("ml.c5d.xlarge", True),
        ("ml.r5d.large", True),
        ("ml.g4dn.xlarge", True),
        ("ml.p3dn.24xlarge", True),
        ("ml.m6gd.large", True),
        ("ml.r7gd.large", True),
        ("ml.p4d.24xlarge", True),
        ("ml.p4de.24xlarge", True),
        ("ml.g5.xlarge", True),
        ("ml.g6e.xlarge", True),
        ("ml.trn1.2xlarge", True),
        ("ml.inf2.xlarge", False),
        ("ml.c6gn.large", False),
        ("ml.p6-b200.48xlarge", False),
        ("not-an-instance", False),
    ],
)
def test_local_storage_instance_types(instance_type, local):
    assert cross_field.has_local_storage(instance_type) is local


@pytest.mark.parametrize(
    ("resource", "operations"),
    [("EndpointConfig", ["CreateEndpointConfig"]), ("Endpoint", ["CreateEndpoint", "UpdateEndpoint"])],
)
def test_resource_inputs_are_every_request_member(resource, operations):
    """Every request member is an input (name and tags under their own names), derived from the model."""
    members = set(schema.resource_shape(resource).members)
    for operation in operations:
        request_members = set(schema.input_shape(operation).members) - {schema.NAME_MEMBERS[resource]}
        assert request_members <= members
    assert {"Name", "NamePrefix", "Tags"} <= members
    assert schema.resource_shape(resource).members["Tags"].type_name == "map"


def shadow_config(production, shadow, **overrides):
    return config(ProductionVariants=production, ShadowProductionVariants=shadow, **overrides)


@pytest.mark.parametrize(
    ("request_", "path", "rule_part"),
    [
        (
            shadow_config([variant(VariantName="a"), variant(VariantName="b")], [variant(VariantName="c")]),
            ("ShadowProductionVariants",),
            "exactly one production variant and one shadow variant (got 2 and 1)",
        ),
        (
            shadow_config([variant(VariantName="a")], [variant(VariantName="a")]),
            ("ShadowProductionVariants", 0, "VariantName"),
            "must be unique across ProductionVariants and ShadowProductionVariants; it repeats ProductionVariants[0]",
        ),
        (
            config(ProductionVariants=[variant(InstanceType="ml.g4dn.xlarge")], KmsKeyId="alias/k"),
            ("KmsKeyId",),
            "local storage (ml.g4dn.xlarge)",
        ),
        (
            shadow_config(
                [variant(VariantName="a")], [variant(VariantName="b", InstanceType="ml.m5d.large")], KmsKeyId="k"
            ),
            ("KmsKeyId",),
            "local storage (ml.m5d.large)",
        ),
        (
            config(
                ProductionVariants=[variant(InstancePools=[{"InstanceType": "ml.c5d.large", "Priority": 1}])],
                KmsKeyId="k",
            ),
            ("KmsKeyId",),
            "local storage (ml.c5d.large)",
        ),
        (
            config(ProductionVariants=[variant(ServerlessConfig={"MemorySizeInMB": 1024, "MaxConcurrency": 1})]),
            ("ProductionVariants", 0, "InstanceType"),
            "InstanceType must not be given with ServerlessConfig",
        ),
        (
            config(ProductionVariants=[{"VariantName": "v", "InstanceType": "ml.m5.large"}]),
            ("ProductionVariants", 0, "InitialInstanceCount"),
            "InitialInstanceCount is required for an instance-based variant",
        ),
        (
            config(ProductionVariants=[{"VariantName": "v", "InitialInstanceCount": 1}]),
            ("ProductionVariants", 0, "InstanceType"),
            "InstanceType is required for an instance-based variant",
        ),
        (
            config(
                ProductionVariants=[
                    {"VariantName": "v", "ServerlessConfig": {"MemorySizeInMB": 1536, "MaxConcurrency": 1}}
                ]
            ),
            ("ProductionVariants", 0, "ServerlessConfig", "MemorySizeInMB"),
            "multiple of 1024",
        ),
        (
            config(
                ProductionVariants=[
                    {
                        "VariantName": "v",
                        "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 2, "ProvisionedConcurrency": 3},
                    }
                ]
            ),
            ("ProductionVariants", 0, "ServerlessConfig", "ProvisionedConcurrency"),
            "at most MaxConcurrency (2)",
        ),
        (
            config(
                TracingConfig={"EnableTracing": True, "InitialSamplingPercentage": 5},
                DataCaptureConfig={"InitialSamplingPercentage": 5, "DestinationS3Uri": "s3://b/c"},
            ),
            ("TracingConfig", "EnableTracing"),
            "EnableTracing cannot be true with data capture (DataCaptureConfig.EnableCapture true or omitted)",
        ),
        (
            config(
                TracingConfig={"EnableTracing": True, "InitialSamplingPercentage": 5},
                ProductionVariants=[
                    {"VariantName": "s", "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 1}}
                ],
            ),
            ("TracingConfig", "EnableTracing"),
            "cannot be true with serverless variants (ServerlessConfig)",
        ),
        (
            config(TracingConfig={"EnableTracing": True, "InitialSamplingPercentage": 5, "KmsKeyId": "alias/k"}),
            ("TracingConfig", "KmsKeyId"),
            "KmsKeyId needs LargePayloadDeliveryS3Uri",
        ),
    ],
)
def test_endpoint_config_cross_field_rules(request_, path, rule_part):
    violations = cross_field.endpoint_config_violations(request_)
    assert [v.path for v in violations] == [path]
    assert rule_part in violations[0].rule


@pytest.mark.parametrize(
    "request_",
    [
        config(),
        shadow_config([variant(VariantName="a")], [variant(VariantName="b")]),
        config(ProductionVariants=[variant(InstanceType="ml.g4dn.xlarge")]),  # local storage, no key
        config(KmsKeyId="alias/k"),
        config(
            TracingConfig={
                "EnableTracing": True,
                "InitialSamplingPercentage": 5,
                "LargePayloadDeliveryS3Uri": "s3://b/traces",
                "KmsKeyId": "alias/k",
            },
            DataCaptureConfig={"EnableCapture": False, "InitialSamplingPercentage": 5, "DestinationS3Uri": "s3://b/c"},
        ),
        config(
            TracingConfig={"EnableTracing": False, "InitialSamplingPercentage": 0},
            DataCaptureConfig={"InitialSamplingPercentage": 5, "DestinationS3Uri": "s3://b/c"},
        ),
        config(
            ProductionVariants=[{"VariantName": "s", "ServerlessConfig": {"MemorySizeInMB": 3072, "MaxConcurrency": 2}}]
        ),
        config(
            ProductionVariants=[
                {
                    "VariantName": "p",
                    "InitialInstanceCount": 1,
                    "InstancePools": [{"InstanceType": "ml.m5.large", "Priority": 1}],
                }
            ]
        ),
    ],
)
def test_endpoint_config_rules_accept_valid_configs(request_):
    assert cross_field.endpoint_config_violations(request_) == []


def blue_green(kind, wait=60, termination=0, maximum=None, **routing):
    policy = {"TrafficRoutingConfiguration": {"Type": kind, "WaitIntervalInSeconds": wait, **routing}}
    policy["TerminationWaitInSeconds"] = termination
    if maximum is not None:
        policy["MaximumExecutionTimeoutInSeconds"] = maximum
    return {"BlueGreenUpdatePolicy": policy}


def percent(value):
    return {"Type": "CAPACITY_PERCENT", "Value": value}


def count(value):
    return {"Type": "INSTANCE_COUNT", "Value": value}


ROUTING = ("DeploymentConfig", "BlueGreenUpdatePolicy", "TrafficRoutingConfiguration")
ROLLING = {"MaximumBatchSize": percent(25), "WaitIntervalInSeconds": 60}


@pytest.mark.parametrize(
    ("request_", "instance_count", "path", "rule_part"),
    [
        (
            {"DeploymentConfig": {**blue_green("ALL_AT_ONCE"), "RollingUpdatePolicy": ROLLING}},
            None,
            ("DeploymentConfig", "RollingUpdatePolicy"),
            "mutually exclusive",
        ),
        (
            {"DeploymentConfig": blue_green("CANARY")},
            None,
            (*ROUTING, "CanarySize"),
            "CanarySize is required when Type is CANARY",
        ),
        (
            {"DeploymentConfig": blue_green("LINEAR")},
            None,
            (*ROUTING, "LinearStepSize"),
            "is required when Type is LINEAR",
        ),
        (
            {"DeploymentConfig": blue_green("ALL_AT_ONCE", CanarySize=percent(10))},
            None,
            (*ROUTING, "CanarySize"),
            "must not be given when Type is ALL_AT_ONCE",
        ),
        (
            {"DeploymentConfig": blue_green("CANARY", CanarySize=percent(51))},
            None,
            (*ROUTING, "CanarySize", "Value"),
            "1-50 %",
        ),
        (
            {"DeploymentConfig": blue_green("LINEAR", LinearStepSize=percent(5))},
            None,
            (*ROUTING, "LinearStepSize", "Value"),
            "10-50 %",
        ),
        (
            {"DeploymentConfig": {"RollingUpdatePolicy": {**ROLLING, "MaximumBatchSize": percent(60)}}},
            None,
            ("DeploymentConfig", "RollingUpdatePolicy", "MaximumBatchSize", "Value"),
            "5-50 %",
        ),
        (
            {"DeploymentConfig": {"RollingUpdatePolicy": {**ROLLING, "RollbackMaximumBatchSize": percent(150)}}},
            None,
            ("DeploymentConfig", "RollingUpdatePolicy", "RollbackMaximumBatchSize", "Value"),
            "1-100 %",
        ),
        (  # INSTANCE_COUNT is checked when the variant's instances are known: 3 of 4 is 75 %
            {"DeploymentConfig": blue_green("CANARY", CanarySize=count(3))},
            4,
            (*ROUTING, "CanarySize", "Value"),
            "of the variant's 4 instances",
        ),
        (
            {"DeploymentConfig": blue_green("CANARY", wait=600, termination=300, maximum=900, CanarySize=percent(10))},
            None,
            ("DeploymentConfig", "BlueGreenUpdatePolicy", "MaximumExecutionTimeoutInSeconds"),
            "larger than the waits it covers (900 s)",
        ),
        (
            {"ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredWeight"}]},
            None,
            ("ExcludeRetainedVariantProperties",),
            "needs RetainAllVariantProperties set to true",
        ),
        (
            {
                "RetainAllVariantProperties": True,
                "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredWeight"}] * 2,
            },
            None,
            ("ExcludeRetainedVariantProperties",),
            "must be unique",
        ),
        (
            {"RetainDeploymentConfig": True, "DeploymentConfig": blue_green("ALL_AT_ONCE")},
            None,
            ("RetainDeploymentConfig",),
            "excludes DeploymentConfig",
        ),
    ],
)
def test_endpoint_cross_field_rules(request_, instance_count, path, rule_part):
    violations = cross_field.endpoint_violations(request_, instance_count=instance_count)
    assert [v.path for v in violations] == [path]
    assert rule_part in violations[0].rule


@pytest.mark.parametrize(
    ("request_", "instance_count"),
    [
        ({}, None),
        ({"DeploymentConfig": blue_green("CANARY", CanarySize=percent(50))}, None),
        ({"DeploymentConfig": blue_green("CANARY", CanarySize=count(2))}, 4),
        ({"DeploymentConfig": blue_green("CANARY", CanarySize=count(3))}, None),  # instances unknown: not judged
        ({"DeploymentConfig": blue_green("LINEAR", LinearStepSize=percent(10))}, None),
        ({"DeploymentConfig": blue_green("ALL_AT_ONCE", wait=300, termination=200, maximum=600)}, None),
        ({"DeploymentConfig": {"RollingUpdatePolicy": ROLLING}}, None),
        (
            {
                "RetainAllVariantProperties": True,
                "ExcludeRetainedVariantProperties": [{"VariantPropertyType": "DesiredWeight"}],
            },
            None,
        ),
        ({"RetainDeploymentConfig": True}, None),
    ],
)
def test_endpoint_rules_accept_valid_requests(request_, instance_count):
    assert cross_field.endpoint_violations(request_, instance_count=instance_count) == []


def test_rules_render_member_names_in_the_callers_style():
    violations = cross_field.endpoint_violations({"DeploymentConfig": blue_green("CANARY")}, schema.snake)
    assert violations[0].rule == "canary_size is required when type is CANARY"


def test_the_tag_value_limit_is_the_service_models() -> None:
    tags = schema.input_shape("AddTags").members["Tags"]
    assert isinstance(tags, ListShape) and isinstance(tags.member, StructureShape)
    assert tags.member.members["Value"].metadata["max"] == tag_keys.TAG_VALUE_LIMIT
