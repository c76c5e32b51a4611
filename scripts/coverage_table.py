"""Print a Markdown table of every request member of CreateEndpointConfig, CreateEndpoint and
UpdateEndpoint in the installed botocore model: its type, whether it is required, the resource
argument that carries it, and the tests that mention that argument (or the member itself), found by
reading tests/, so the table never claims more than the tests show.

    python scripts/coverage_table.py                    # print the table
    python scripts/coverage_table.py --update README.md # replace it between the coverage markers
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from botocore.model import ListShape, MapShape, Shape, StructureShape

from sagemaker_hosting import schema

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


@dataclass(frozen=True)
class TestFile:
    """A test module's lines, and the line ranges of its test functions (decorators included)."""

    path: str
    lines: list[str]
    tests: list[tuple[int, int, str]]

    @classmethod
    def read(cls, path: Path, root: Path) -> TestFile:
        text = path.read_text()
        tests = []
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
                tests.append((first, node.end_lineno or node.lineno, node.name))
        return cls(str(path.relative_to(root)), text.splitlines(), tests)

    def mentions(self, pattern: re.Pattern[str]) -> str | None:
        """`path (N tests)` when lines of N tests match, `path` for matches outside any test only."""
        matched = [number for number, line in enumerate(self.lines, start=1) if pattern.search(line)]
        if not matched:
            return None
        owners = {name for first, last, name in self.tests for number in matched if first <= number <= last}
        count = f" ({len(owners)} test{'s' if len(owners) != 1 else ''})" if owners else ""
        return f"`{self.path}`{count}"


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


def rows(tests: list[TestFile]) -> list[list[str]]:
    table = []
    for resource, operations in schema.RESOURCE_OPERATIONS.items():
        for operation in operations:
            shape = schema.input_shape(operation)
            for member, member_shape in shape.members.items():
                resource_argument = argument(resource, member)
                pattern = search_pattern(resource_argument, member)
                found = [place for test in tests if (place := test.mentions(pattern))]
                table.append(
                    [
                        operation,
                        member,
                        type_name(member_shape),
                        "yes" if member in shape.required_members else "no",
                        f"`{resource}.{resource_argument}`",
                        ", ".join(found) or "**none**",
                    ]
                )
    return table


def render(tests_dir: Path = ROOT / "tests") -> str:
    """The Markdown table for the installed model and the tests under `tests_dir`."""
    tests = [TestFile.read(path, tests_dir.parent) for path in sorted(tests_dir.rglob("test_*.py"))]
    header = ["Operation", "Member", "Type", "Required", "Argument", "Tests"]
    lines = [header, ["---"] * len(header), *rows(tests)]
    return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines) + "\n"


def update(document: Path, table: str) -> None:
    """Replace what is between the coverage markers in `document` with `table`."""
    text = document.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{document} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    document.write_text(f"{head}{START}\n{table}{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", type=Path, metavar="FILE", help="replace the table between the markers in FILE")
    options = parser.parse_args()
    table = render()
    if options.update:
        update(options.update, table)
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
