"""The package's structure, measured from its imports (README's code map): no cycle, so every
import runs down a floor; the two resource files side by side on one floor; at most nine floors;
no module over 400 lines but the generated `args.py`; the pure modules import no AWS layer; and
the code map names every module. `python -m tests.unit.test_house` prints the floors."""

from __future__ import annotations

import ast
import graphlib
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sagemaker_hosting"
EMULATOR = "emulator"
"""The emulator's modules are one room of the house: the subpackage the code map describes as one."""

MAX_FLOORS = 9
MAX_LINES = 400
GENERATED = {"args"}
RESOURCE_FILES = {"endpoint", "endpoint_config"}
PURE = {
    "canonical",
    "cross_field",
    "deadlines",
    "exclusions",
    "hosting_rules",
    "in_place",
    "java_regex",
    "known_facts",
    "messages",
    "naming",
    "normalize",
    "ownership",
    "plan",
    "rollout",
    "schema",
    "tag_keys",
    "validate",
    "variants",
}
"""Modules of pure logic (README): no AWS call, so none imports boto3, the AWS layer or a provider."""
AWS_LAYER = {"aws", "config_users", "consistency", "leftovers", "scaling_aside", "waiting"}


def room(path: Path) -> str:
    """A module's room: its name, or `emulator` for any module of the emulator."""
    relative = path.relative_to(PACKAGE)
    return EMULATOR if relative.parts[0] == EMULATOR else relative.stem


def rooms() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found.setdefault(room(path), []).append(path)
    return found


def imported(path: Path, known: set[str]) -> tuple[set[str], set[str]]:
    """The package's rooms a module imports, anywhere in it (type-checking imports too), and the
    top-level names of everything else it imports."""
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != PACKAGE.name:
                outside.add(parts[0])
            elif len(parts) > 1 and parts[1] in known:
                inside.add(parts[1])
    return inside - {room(path)}, outside


def graph() -> dict[str, set[str]]:
    """Each room and the rooms it imports."""
    found = rooms()
    return {name: set().union(*(imported(path, set(found))[0] for path in paths)) for name, paths in found.items()}


def floors(edges: Mapping[str, set[str]]) -> dict[str, int]:
    """Each room's floor: 1 for a room that imports none of the others, else one above the highest
    room it imports; graphlib.CycleError if the imports go round."""
    floor: dict[str, int] = {}
    for name in graphlib.TopologicalSorter(edges).static_order():
        floor[name] = 1 + max((floor[below] for below in edges.get(name, ())), default=0)
    return floor


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": set()}, {"a": 1}),
        ({"a": {"b"}, "b": set()}, {"a": 2, "b": 1}),
        ({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"c"}}, {"a": 3, "b": 2, "c": 1, "d": 2}),
        ({"a": {"b"}, "b": {"a"}}, graphlib.CycleError),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, graphlib.CycleError),
    ],
)
def test_floors_of_a_table_of_graphs(edges: dict[str, set[str]], expected: object) -> None:
    """The measure itself, on graphs whose answers are known: a cycle is found (the check can fail)."""
    if isinstance(expected, type):
        with pytest.raises(expected):
            floors(edges)
    else:
        assert floors(edges) == expected


def test_no_cycle_and_at_most_nine_floors() -> None:
    floor = floors(graph())
    assert max(floor.values()) <= MAX_FLOORS, floor


def test_the_resource_files_stand_side_by_side() -> None:
    floor = floors(graph())
    assert len({floor[name] for name in RESOURCE_FILES}) == 1, {name: floor[name] for name in RESOURCE_FILES}
    assert not RESOURCE_FILES & graph()["endpoint"] - {"endpoint"}, "endpoint.py imports endpoint_config.py"


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for name, paths in rooms().items()
        for path in paths
        if name not in GENERATED and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long


def test_pure_modules_call_no_aws() -> None:
    known = set(rooms())
    for name in PURE:
        inside, outside = imported(PACKAGE / f"{name}.py", known)
        assert not inside & (AWS_LAYER | RESOURCE_FILES | {"provider", "deployment"}), name
        assert "boto3" not in outside, name


def test_the_code_map_names_every_module() -> None:
    readme = (ROOT / "README.md").read_text()
    code_map = readme[readme.index("### Code map") :]
    named = set(re.findall(r"`(?:sagemaker_hosting/)?(?:emulator/)?(\w+)\.py`", code_map))
    missing = {
        str(path.relative_to(ROOT))
        for paths in rooms().values()
        for path in paths
        if path.stem not in named and path.stem not in {"__init__", "__main__"}
    }
    assert not missing


def test_the_emulator_runs_without_pulumi() -> None:
    """The emulator is installed without the pulumi SDK (`requirements-sdk.txt`, `make test-sdk`): none
    of what it imports may import pulumi (autoscaling once did, through `known_facts`, and only
    `make test-sdk` found out)."""
    blocked = "import sys; sys.modules['pulumi'] = None; import sagemaker_hosting.emulator.server"
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


if __name__ == "__main__":
    for name, level in sorted(floors(graph()).items(), key=lambda item: (-item[1], item[0])):
        print(f"floor {level}  {name}")


def behaviour_rows() -> list[tuple[str, str]]:
    """README's newcomer table: each behaviour and the file column that says where it lives."""
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("Where each behaviour lives") :].split("\n\n")[1]
    cells = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    return [(behaviour.strip(), where.strip()) for behaviour, where in cells]


def defines(path: Path, symbol: str) -> bool:
    pattern = rf"^\s*(?:def|class) {symbol}\b|^\s*{symbol}\s*[:=]"
    return path.exists() and re.search(pattern, path.read_text(), re.MULTILINE) is not None


def test_the_behaviour_table_names_what_exists() -> None:
    """Every function or constant the newcomer's table names is defined in a file the row names (or
    in the module or class its dotted name starts with)."""
    rows = behaviour_rows()
    assert len(rows) >= 6
    for behaviour, where in rows:
        tokens = re.findall(r"`([\w.]+)`", where)
        files = [PACKAGE / token for token in tokens if token.endswith(".py")]
        assert files, behaviour
        for token in (token for token in tokens if not token.endswith(".py")):
            module, _, symbol = token.rpartition(".")
            owner = module.split(".")[0]
            classes = [path for path in PACKAGE.glob("*.py") if owner and defines(path, owner)]
            places = [*files, PACKAGE / f"{owner}.py", *classes]
            assert any(defines(place, symbol) for place in places), f"{behaviour}: {token} is not in {where}"
