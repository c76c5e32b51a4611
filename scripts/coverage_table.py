"""Print a Markdown table of every request member of CreateEndpointConfig, CreateEndpoint and
UpdateEndpoint in the installed botocore model: its type, whether it is required, the resource
argument that carries it, and for each test suite (tests/unit, emulator, provider, e2e) how many of
its test modules use that argument (or the member itself), found by reading tests/, so the table
never claims more than the tests show.

    python -m scripts.coverage_table           # print the table
    python -m scripts.coverage_table --update  # replace it in README.md (make readme)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from botocore.model import ListShape, MapShape, Shape, StructureShape

from sagemaker_hosting import schema
from scripts import readme_blocks

ROOT = Path(__file__).resolve().parent.parent

SUITES = ("unit", "emulator", "provider", "e2e")
"""The test folders under tests/, a column each."""


def modules_by_suite(tests_dir: Path) -> dict[str, dict[str, str]]:
    """Each suite's test modules: name -> text."""
    found: dict[str, dict[str, str]] = {suite: {} for suite in SUITES}
    for path in sorted(tests_dir.rglob("test_*.py")):
        suite = path.relative_to(tests_dir).parts[0]
        if suite in found:
            found[suite][path.name] = path.read_text()
    return found


def type_name(shape: Shape) -> str:
    if isinstance(shape, ListShape):
        return f"list of {type_name(shape.member)}"
    if isinstance(shape, MapShape):
        return f"map of {type_name(shape.value)}"
    if isinstance(shape, StructureShape):
        return shape.name
    return f"{shape.type_name} (enum)" if shape.metadata.get("enum") else shape.type_name


def argument(resource: schema.Resource, member: str) -> str:
    """The resource argument that carries a request member."""
    if member == schema.NAME_MEMBERS[resource]:
        return "name"
    return schema.snake(member)


def search_pattern(resource_argument: str, member: str) -> re.Pattern[str]:
    """A use of the argument as a keyword or a quoted key, or of the API member name."""
    return re.compile(
        rf"(?<![\w.])({re.escape(resource_argument)}\s*=(?!=)|[\"']{re.escape(resource_argument)}[\"']"
        rf"|\b{re.escape(member)}\b)"
    )


def rows(suites: dict[str, dict[str, str]]) -> list[list[str]]:
    table = []
    for resource, operations in schema.RESOURCE_OPERATIONS.items():
        for operation in operations:
            shape = schema.input_shape(operation)
            for member, member_shape in shape.members.items():
                resource_argument = argument(resource, member)
                pattern = search_pattern(resource_argument, member)
                counts = [sum(1 for text in suites[suite].values() if pattern.search(text)) for suite in suites]
                table.append(
                    [
                        operation,
                        member,
                        type_name(member_shape),
                        "yes" if member in shape.required_members else "no",
                        f"`{resource}.{resource_argument}`",
                        *(str(count) if count else "**0**" for count in counts),
                    ]
                )
    return table


def render(tests_dir: Path = ROOT / "tests") -> str:
    """The Markdown table for the installed model and the tests under `tests_dir`."""
    suites = modules_by_suite(tests_dir)
    header = ["Operation", "Member", "Type", "Required", "Argument", *(f"{suite} modules" for suite in suites)]
    lines = [header, ["---"] * len(header), *rows(suites)]
    return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="replace the table between README's coverage markers")
    options = parser.parse_args()
    table = render()
    if options.update:
        readme_blocks.write("coverage", table)
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
