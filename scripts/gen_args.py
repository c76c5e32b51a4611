"""Generate `sagemaker_hosting/args.py`: typed keyword arguments of the two resources.

One `TypedDict` per structure reachable from the resources' inputs (`schema.resource_shape`, which
is CreateEndpointConfig, CreateEndpoint and UpdateEndpoint plus `name`, `name_prefix` and `tags`),
snake_case keys, `Required[...]` for required members, enums as `Literal[...]`, and the model's
documentation, shortened, as class and attribute docstrings so editors show it.

    python scripts/gen_args.py           # rewrite sagemaker_hosting/args.py
    python scripts/gen_args.py --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import difflib
import keyword
import re
import sys
import textwrap
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import botocore
from botocore.model import ListShape, MapShape, Shape, StructureShape

from sagemaker_hosting import schema

TARGET = Path(__file__).resolve().parent.parent / "sagemaker_hosting" / "args.py"
WIDTH = 116
RESOURCE_CLASSES: dict[schema.Resource, str] = {"EndpointConfig": "EndpointConfigArgs", "Endpoint": "EndpointArgs"}

TIMEOUTS = '''class TimeoutsArgs(TypedDict, total=False):
    """How long each operation of an `Endpoint` may take: seconds, or a duration such as "90m",
    "2h", "1h30m", "45s". Without one, the limit is derived from the deployment configuration."""

    create: pulumi.Input[int | float | str]
    """Limit of CreateEndpoint until InService."""
    update: pulumi.Input[int | float | str]
    """Limit of a deployment (UpdateEndpoint) until it finishes or rolls back."""
    delete: pulumi.Input[int | float | str]
    """Limit of DeleteEndpoint until the endpoint is gone."""
'''


class _Text(HTMLParser):
    """The text of the model's HTML documentation, `<code>` as backquotes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append("`" if tag == "code" else " ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append("`" if tag == "code" else " ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def summary(html: str) -> str:
    """The documentation as plain ASCII text, cut to its first one or two sentences."""
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    text = unicodedata.normalize("NFKD", text.replace("\u2013", "-").replace("\u2014", "-"))
    text = text.encode("ascii", "ignore").decode()
    text = re.sub(r"\s+", " ", text).replace("` `", " ").strip()
    text = re.sub(r"`\s*`", "", text)
    text = re.sub(r"\s+([.,;:)])", r"\1", text)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z`])", text)
    short = " ".join(sentences[:2])
    if len(short) > 400:
        short = sentences[0]
    if len(short) > 400:
        short = short[:397].rsplit(" ", 1)[0] + "..."
    return short


def docstring(text: str, indent: str) -> str:
    """A docstring literal at `indent`, wrapped to the line length."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    lines = textwrap.wrap(text, WIDTH - len(indent) - 6) or [""]
    body = f"\n{indent}".join(lines)
    return f'{indent}"""{body}"""\n'


class Generator:
    """Collects the TypedDicts and Literal aliases reachable from the resource shapes."""

    def __init__(self) -> None:
        self.classes: dict[str, str] = {}
        """Class texts, each after the classes it refers to (annotations are evaluated at import)."""
        self.aliases: dict[str, str] = {}
        self.started: set[str] = set()

    def annotation(self, shape: Shape) -> str:
        if isinstance(shape, StructureShape):
            return self.structure(shape)
        if isinstance(shape, ListShape):
            return f"Sequence[pulumi.Input[{self.annotation(shape.member)}]]"
        if isinstance(shape, MapShape):
            return f"Mapping[str, pulumi.Input[{self.annotation(shape.value)}]]"
        enum = shape.metadata.get("enum")
        if enum:
            if shape.name not in self.aliases:
                values = "".join(f'    "{value}",\n' for value in enum)
                literal = f'"{enum[0]}"' if len(enum) == 1 else f"\n{values}"
                self.aliases[shape.name] = f"{shape.name} = Literal[{literal}]\n"
            return shape.name
        return {"integer": "int", "long": "int", "float": "float", "double": "float", "boolean": "bool"}.get(
            shape.type_name, "str"
        )

    def structure(self, shape: StructureShape, class_name: str | None = None, doc: str | None = None) -> str:
        name = class_name or f"{shape.name}Args"
        if name in self.started:
            assert name in self.classes, f"{name} refers to itself: annotations would need quoting"
            return name
        self.started.add(name)
        fields = []
        for member, member_shape in shape.members.items():
            field = schema.snake(member)
            assert field.isidentifier() and not keyword.iskeyword(field), field
            annotation = f"pulumi.Input[{self.annotation(member_shape)}]"
            if member in shape.required_members:
                annotation = f"Required[{annotation}]"
            fields.append(f"    {field}: {annotation}\n")
            fields.append(docstring(summary(member_shape.documentation) or f"The {member} member.", "    "))
        if name == RESOURCE_CLASSES["Endpoint"]:
            fields.append("    timeouts: pulumi.Input[TimeoutsArgs]\n")
            fields.append(docstring("Limits of create, update and delete; see `TimeoutsArgs`.", "    "))
            fields.append("    adopt_existing: pulumi.Input[bool]\n")
            fields.append(
                docstring(
                    "Take over the existing endpoint named `name` instead of creating one: no downtime; if it "
                    "runs another config, a blue/green UpdateEndpoint moves it to `endpoint_config_name`.",
                    "    ",
                )
            )
        text = doc if doc is not None else summary(shape.documentation) or f"The {shape.name} structure."
        self.classes[name] = f"class {name}(TypedDict, total=False):\n{docstring(text, '    ')}\n{''.join(fields)}"
        return name


def render() -> str:
    """The text of `args.py` for the installed botocore model."""
    generator = Generator()
    for resource, class_name in RESOURCE_CLASSES.items():
        operations = " and ".join(schema.RESOURCE_OPERATIONS[resource])
        doc = f"Keyword arguments of `{resource}`: the members of {operations} in snake_case."
        generator.structure(schema.resource_shape(resource), class_name, doc)
    blocks = [
        *generator.aliases.values(),
        TIMEOUTS,
        *(text for name, text in generator.classes.items() if name not in RESOURCE_CLASSES.values()),
        *(generator.classes[name] for name in RESOURCE_CLASSES.values()),
    ]
    header = (
        f'"""Typed keyword arguments of `EndpointConfig` and `Endpoint`, from botocore {botocore.__version__}\'s\n'
        'SageMaker model. Generated by `scripts/gen_args.py`: do not edit."""\n\n'
        "from collections.abc import Mapping, Sequence\n"
        "from typing import Literal, Required, TypedDict\n\n"
        "import pulumi\n"
    )
    return header + "\n" + "\n\n".join(blocks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if args.py is out of date")
    parser.add_argument("--diff", action="store_true", help="print what the installed botocore would change")
    options = parser.parse_args()
    text = render()
    if options.diff:
        changes = difflib.unified_diff(TARGET.read_text().splitlines(), text.splitlines(), "args.py", "installed", n=0)
        print("\n".join(changes) or f"args.py matches botocore {botocore.__version__}")
        return 0
    if options.check:
        if TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run python scripts/gen_args.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
