"""moto's own SageMaker endpoint and model tests, run against the emulator in moto's server mode.

    python -m scripts.moto_suite

The tests come from the pinned moto's sdist on PyPI (fetched once with pip into
~/.cache/sagemaker-hosting), run with TEST_SERVER_MODE against a fresh emulator, whose
`POST /moto-api/reset` moto's harness calls between tests. Each failure must be one listed in
`EXPECTED_FAILURES`, where moto asserts something AWS does not do; a failure not listed, or a listed
test that passes, fails the run (the list stays exact). Prints a table of every test's outcome.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from sagemaker_hosting.emulator.testing import Emulator

CACHE = Path.home() / ".cache" / "sagemaker-hosting"
TEST_FILES = ("test_sagemaker_endpoint.py", "test_sagemaker_models.py")
HARNESS = ("tests/__init__.py", "tests/conftest.py", "tests/markers.py", "tests/test_sagemaker/__init__.py")


@dataclass(frozen=True)
class Reason:
    """Why a test of moto's fails against the emulator, and a text its failure must contain (so that a
    test failing for another reason is not passed off as this one)."""

    why: str
    seen_as: str


ARN_CASE = Reason(
    "moto keeps the name's case in the ARN (`endpoint-config/MyEndpointConfig`); SageMaker lowercases names in "
    "ARNs (prometheus-community/yet-another-cloudwatch-exporter#1178, boto/boto3#4606), as the emulator does. "
    "The test stops at its first ARN check.",
    "endpoint-config/MyEndpointConfig",
)
ROLE_ARN = Reason(
    "moto's CreateModel passes `arn:aws:sagemaker:...:x-x/foobar` as ExecutionRoleArn, which the pattern in "
    "botocore's model (an IAM role ARN, `^arn:aws[a-z\\-]*:iam::\\d{12}:role/...`) refuses, as SageMaker does.",
    "at 'executionRoleArn' failed to satisfy constraint",
)
MESSAGE_PATH = Reason(
    "both refuse the value with ValidationException; moto names the member as `instanceType`, AWS by its path "
    "(`productionVariants.1.member.instanceType`, as in 'at elasticsearchClusterConfig.instanceType', "
    "ministryofjustice/cloud-platform-infrastructure#3651).",
    "at 'productionVariants.1.member.instanceType'",
)
MEMORY_WORDING = Reason(
    "both refuse 1111 MB with ValidationException (serverless memory goes in 1 GB steps, Developer Guide, "
    "serverless endpoints); moto asserts an enum-value wording AWS does not document, the emulator names the rule.",
    "MemorySizeInMB must be a multiple of 1024",
)

EXPECTED_FAILURES = {
    **{
        f"test_sagemaker_endpoint.py::{name}": ARN_CASE
        for name in (
            "test_create_endpoint_config",
            "test_create_endpoint_config_serverless",
            "test_create_endpoint_config_async",
            "test_delete_endpoint_config",
            "test_create_endpoint",
            "test_delete_endpoint",
            "test_add_tags_endpoint",
            "test_delete_tags_endpoint",
            "test_list_tags_endpoint",
            "test_update_endpoint_weights_and_capacities_one_variant",
            "test_update_endpoint_weights_and_capacities_two_variants",
            "test_update_endpoint_weights_and_capacities_should_throw_clienterror_no_variant",
            "test_update_endpoint_weights_and_capacities_should_throw_clienterror_no_endpoint",
            "test_update_endpoint_weights_and_capacities_should_throw_clienterror_nonunique_variant",
            "test_list_endpoints",
            "test_list_endpoints_filters",
            "test_list_endpoint_configs",
            "test_list_endpoint_configs_filters",
        )
    },
    "test_sagemaker_endpoint.py::test_create_endpoint_invalid_instance_type": MESSAGE_PATH,
    "test_sagemaker_endpoint.py::test_create_endpoint_invalid_memory_size": MEMORY_WORDING,
    **{
        f"test_sagemaker_models.py::{name}": ROLE_ARN
        for name in (
            "test_describe_model",
            "test_create_model",
            "test_delete_model",
            "test_list_models",
            "test_list_models_multiple",
            "test_add_tags_to_model",
            "test_delete_tags_from_model",
        )
    },
}
"""Every test of moto's that fails against the emulator, and why AWS would fail it too."""


def sdist() -> Path:
    """The pinned moto's sdist, downloaded once (pip, from PyPI)."""
    version = importlib.metadata.version("moto")
    archive = CACHE / f"moto-{version}.tar.gz"
    if not archive.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", "--dest", str(CACHE), f"moto=={version}"],
            check=True,
        )  # fmt: skip
    return archive


def extract(archive: Path, into: Path) -> Path:
    """moto's test harness and the SageMaker test files, under `into`/tests."""
    wanted = {*HARNESS, *(f"tests/test_sagemaker/{name}" for name in TEST_FILES)}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            relative = member.name.partition("/")[2]
            if relative in wanted:
                member.name = relative
                tar.extract(member, into, filter="data")
    return into / "tests" / "test_sagemaker"


def outcomes(junit: Path) -> dict[str, tuple[str, str]]:
    """("passed" | "failed" | "skipped", the failure's text) for each test, as `file::name`."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        file = case.get("classname", "").rpartition(".")[2] + ".py"
        failure = case.find("failure") if case.find("failure") is not None else case.find("error")
        outcome = "failed" if failure is not None else "skipped" if case.find("skipped") is not None else "passed"
        text = "" if failure is None else f"{failure.get('message', '')}\n{failure.text or ''}"
        found[f"{file}::{case.get('name')}"] = (outcome, text)
    return found


def main() -> int:
    with tempfile.TemporaryDirectory() as work, Emulator() as emulator:
        emulator.settings(create_seconds=0.1, update_seconds=0.1, delete_seconds=0.1)
        tests = extract(sdist(), Path(work))
        junit = Path(work) / "moto.xml"
        env = {**os.environ, "TEST_SERVER_MODE": "true", "TEST_SERVER_MODE_ENDPOINT": emulator.url}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no", "-o", "addopts=",
                   f"--junitxml={junit}", *(str(tests / name) for name in TEST_FILES)]  # fmt: skip
        subprocess.run(command, cwd=work, env=env, stdout=subprocess.DEVNULL, check=False)
        results = outcomes(junit)
    unexpected = []
    print(f"moto {importlib.metadata.version('moto')}'s SageMaker tests against the emulator:\n")
    print("| test | outcome | why |\n|---|---|---|")
    for test, (outcome, text) in sorted(results.items()):
        reason = EXPECTED_FAILURES.get(test)
        print(f"| {test} | {outcome} | {reason.why[:60] + '...' if reason else ''} |")
        if outcome == "failed" and reason is not None and reason.seen_as in text:
            continue
        if outcome != "passed" or reason is not None:
            listed = f" (listed, but {reason.seen_as!r} is not in its failure)" if reason else ""
            unexpected.append(f"{test}: {outcome}{listed}\n{text[-1500:]}")
    missing = sorted(set(EXPECTED_FAILURES) - set(results))
    unexpected += [f"{test}: not run" for test in missing]
    passed = sum(outcome == "passed" for outcome, _ in results.values())
    if not unexpected:
        print(f"\n{len(results)} tests: {passed} passed, {len(results) - passed} failed as expected")
    for problem in unexpected:
        print(f"unexpected: {problem}", file=sys.stderr)
    return 1 if unexpected or not results else 0


if __name__ == "__main__":
    sys.exit(main())
