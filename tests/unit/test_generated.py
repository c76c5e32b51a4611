"""Files generated from the service model: `args.py` is up to date, and the README coverage table
lists every request member with the test modules that use it, and is current."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
import typing
from pathlib import Path

import pytest

from sagemaker_hosting import args, aws, schema
from scripts import coverage_table, gen_args, readme_blocks


def test_args_module_is_up_to_date():
    assert gen_args.TARGET.read_text() == gen_args.render(), "run: python scripts/gen_args.py"


def test_args_cover_every_input_with_required_markers():
    config = args.EndpointConfigArgs.__annotations__
    endpoint = args.EndpointArgs.__annotations__
    assert set(config) == set(schema.members_by_snake(schema.resource_shape("EndpointConfig")))
    assert set(endpoint) == {*schema.members_by_snake(schema.resource_shape("Endpoint")), "timeouts", "adopt_existing"}
    assert args.EndpointConfigArgs.__required_keys__ == {"production_variants"}
    assert args.EndpointArgs.__required_keys__ == {"endpoint_config_name"}
    assert args.ProductionVariantArgs.__required_keys__ == {"variant_name"}
    assert "ml.m5.large" in typing.get_args(args.ProductionVariantInstanceType)


def test_summary_is_plain_text_of_at_most_two_sentences():
    html = "<p>First <code>Thing</code> here. Second &amp; more.</p> <p>Third sentence.</p>"
    assert gen_args.summary(html) == "First `Thing` here. Second & more."


def test_coverage_table_counts_the_modules_of_each_suite_that_use_a_member(tmp_path):
    (tmp_path / "unit").mkdir()
    (tmp_path / "e2e").mkdir()
    (tmp_path / "unit" / "test_sample.py").write_text("def test_uses_kms():\n    make(kms_key_id='k')\n")
    (tmp_path / "e2e" / "test_one.py").write_text("PROGRAM = 'EndpointConfig(kms_key_id=key)'\n")
    (tmp_path / "e2e" / "test_two.py").write_text("request = {'KmsKeyId': 'k'}\n")
    table = coverage_table.render(tmp_path)
    lines = table.splitlines()
    operations = ("CreateEndpointConfig", "CreateEndpoint", "UpdateEndpoint")
    members = sum(len(schema.input_shape(operation).members) for operation in operations)
    assert len(lines) == 2 + members
    assert lines[0].endswith("| unit modules | emulator modules | provider modules | e2e modules |")
    kms = next(line for line in lines if "| KmsKeyId |" in line)
    assert kms.endswith("| `EndpointConfig.kms_key_id` | 1 | **0** | **0** | 2 |")
    vpc = next(line for line in lines if "| VpcConfig |" in line)
    assert vpc.endswith("| **0** | **0** | **0** | **0** |")


def test_readme_coverage_table_is_up_to_date():
    assert readme_blocks.read("coverage") == coverage_table.render(), "run: make readme"


def test_readme_blocks_are_replaced_between_their_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- coverage:start -->\nold table\n<!-- coverage:end -->\noutro\n")
    readme_blocks.write("coverage", "| new |\n", readme)
    assert readme_blocks.read("coverage", readme) == "| new |\n"
    assert readme.read_text() == "intro\n<!-- coverage:start -->\n| new |\n<!-- coverage:end -->\noutro\n"
    with pytest.raises(SystemExit, match="no <!-- preview:start -->"):
        readme_blocks.read("preview", readme)


def test_readme_lists_exactly_the_iam_actions_the_provider_uses():
    readme = readme_blocks.README.read_text()
    iam = readme.split("## IAM actions", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"(?:sagemaker|application-autoscaling):[A-Za-z]+", iam)) == set(aws.IAM_ACTIONS)
    assert set(re.findall(r"\| `((?:iam|kms):[A-Za-z]+)` \|", iam)) == set(aws.CONDITIONAL_IAM_ACTIONS)
    assert set(re.findall(r"\| `((?:cloudwatch|servicequotas):[A-Za-z]+)` \|", iam)) == set(aws.OPTIONAL_IAM_ACTIONS)


def test_package_declares_every_library_it_imports():
    """pyproject's dependencies cover the package's imports, and its `emulator` extra those of the
    emulator and of `sagemaker_hosting.testing`, so `pip install sagemaker-hosting[emulator]` works."""
    root = coverage_table.ROOT
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}

    core = names(project["dependencies"])
    with_emulator = core | names(project["optional-dependencies"]["emulator"])
    distributions = importlib.metadata.packages_distributions()
    for path in sorted((root / "sagemaker_hosting").rglob("*.py")):
        declared = with_emulator if "emulator" in path.parts or path.name == "testing.py" else core
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
                for module in modules:
                    top = str(module).split(".")[0]
                    if top in sys.stdlib_module_names or top in ("sagemaker_hosting", "mypy_boto3_sagemaker"):
                        continue
                    provided_by = {name.lower() for name in distributions.get(top, [top])}
                    assert provided_by & declared, f"{path.name} imports {top}, which pyproject does not declare"


def test_the_sdk_venv_pins_what_requirements_txt_pins():
    """requirements-sdk.txt cannot include requirements.txt (pulumi conflicts with the SageMaker SDK),
    so it repeats the pins it shares; they must not drift apart."""

    def pins(name: str) -> dict[str, str]:
        lines = (line.split("#")[0].strip() for line in Path(name).read_text().splitlines())
        return dict(line.split("==", 1) for line in lines if "==" in line)

    main, sdk = pins("requirements.txt"), pins("requirements-sdk.txt")
    shared = set(main) & set(sdk)
    assert shared >= {"boto3", "botocore", "moto[server]", "regex"}
    assert {name: sdk[name] for name in shared} == {name: main[name] for name in shared}
