"""A trivial dynamic resource for testing the Pulumi CLI: a text file with the given content.

Importable (tests.cli.file_provider), so dill pickles the provider by reference, as this project's
real resources are. Its state lives on disk, which lets a test change it behind Pulumi's back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult


class FileProvider(ResourceProvider):
    """Creates, reads, rewrites and deletes the file at `path`; a new path replaces the resource."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        if props["content"].startswith("fail:"):
            raise ValueError(f"refusing to write {props['content'][5:]}")
        Path(props["path"]).write_text(props["content"])
        return CreateResult(id_=props["path"], outs={"path": props["path"], "content": props["content"]})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = [key for key in ("path", "content") if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changes), replaces=[key for key in changes if key == "path"])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        Path(news["path"]).write_text(news["content"])
        return UpdateResult(outs={"path": news["path"], "content": news["content"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = Path(id_)
        if not path.exists():
            return ReadResult(None, {})
        return ReadResult(id_, {**props, "path": id_, "content": path.read_text()})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        Path(id_).unlink(missing_ok=True)


class File(Resource):
    """A file at `path` holding `content`."""

    path: pulumi.Output[str]
    content: pulumi.Output[str]

    def __init__(self, name: str, path: pulumi.Input[str], content: pulumi.Input[str]) -> None:
        super().__init__(FileProvider(), name, {"path": path, "content": content})
