"""README's table of the documented rules (issue 19 item 2) against the code: every test a row names
exists, and every rule of `hosting_rules` (each a `Rule` with its source) has a row that names it."""

from __future__ import annotations

import re
from pathlib import Path

from sagemaker_hosting import hosting_rules

ROOT = Path(__file__).resolve().parents[2]


def rows() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("the rules, audited") :]
    table = section[section.index("| rule (source) |") :].split("\n\n")[0]
    return [line.strip("|").split(" | ") for line in table.splitlines()[2:]]


def defined_tests() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.joinpath("tests").rglob("test_*.py"), *ROOT.joinpath("sdk_tests").rglob("test_*.py")]:
        found.update(re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE))
    return found


def test_every_row_names_tests_that_exist() -> None:
    tests = defined_tests()
    for rule, emulator, preview, named in rows():
        names = re.findall(r"`(test_\w+)`", named)
        assert names, f"no test for: {rule}"
        missing = [name for name in names if name not in tests]
        assert not missing, f"{rule}: {missing}"
        assert emulator.strip() and preview.strip(), rule


def test_every_documented_rule_of_hosting_rules_has_a_row() -> None:
    declared = {name for name, value in vars(hosting_rules).items() if isinstance(value, hosting_rules.Rule)}
    named = {name for row in rows() for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row[0])}
    assert declared - named == set()
    assert len(declared) >= 9


def test_a_row_naming_a_test_that_does_not_exist_is_found() -> None:
    """Negative control: the check reads the names as the rows do."""
    assert "test_no_such_test_anywhere" not in defined_tests()
    assert "test_every_row_names_tests_that_exist" in defined_tests()
