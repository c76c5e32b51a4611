"""Files generated from the service model: `args.py` is up to date, and the README coverage table
lists every request member with the tests that mention it."""

from __future__ import annotations

import typing

from sagemaker_hosting import args, schema
from scripts import coverage_table, gen_args


def test_args_module_is_up_to_date():
    assert gen_args.TARGET.read_text() == gen_args.render(), "run: python scripts/gen_args.py"


def test_args_cover_every_input_with_required_markers():
    config = args.EndpointConfigArgs.__annotations__
    endpoint = args.EndpointArgs.__annotations__
    assert set(config) == set(schema.members_by_snake(schema.resource_shape("EndpointConfig")))
    assert set(endpoint) == {*schema.members_by_snake(schema.resource_shape("Endpoint")), "timeouts"}
    assert args.EndpointConfigArgs.__required_keys__ == {"production_variants"}
    assert args.EndpointArgs.__required_keys__ == {"endpoint_config_name"}
    assert args.ProductionVariantArgs.__required_keys__ == {"variant_name"}
    assert "ml.m5.large" in typing.get_args(args.ProductionVariantInstanceType)


def test_summary_is_plain_text_of_at_most_two_sentences():
    html = "<p>First <code>Thing</code> here. Second &amp; more.</p> <p>Third sentence.</p>"
    assert gen_args.summary(html) == "First `Thing` here. Second & more."


def test_coverage_table_lists_every_member_and_its_tests(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "def test_uses_kms():\n    make(kms_key_id='k')\n\n\ndef test_other():\n    pass\n"
    )
    table = coverage_table.render(tmp_path)
    lines = table.splitlines()
    operations = ("CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint")
    members = sum(len(schema.input_shape(operation).members) for operation in operations)
    assert len(lines) == 2 + members
    kms = next(line for line in lines if "| KmsKeyId |" in line)
    assert kms.endswith(f"`EndpointConfig.kms_key_id` | `{tmp_path.name}/test_sample.py` (1 test) |")
    vpc = next(line for line in lines if "| VpcConfig |" in line)
    assert vpc.endswith("| **none** |")


def test_coverage_table_update_replaces_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{coverage_table.START}\nold table\n{coverage_table.END}\noutro\n")
    coverage_table.update(readme, "| new |\n")
    assert readme.read_text() == f"intro\n{coverage_table.START}\n| new |\n{coverage_table.END}\noutro\n"
