"""Generated blocks of README.md, each between `<!-- NAME:start -->` and `<!-- NAME:end -->`:
`coverage` (scripts/coverage_table.py), `preview` (tests/e2e/test_example_stack.py) and `bench`
(`python -m bench`). Their writers replace them; tests compare them with what they would write."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def markers(block: str) -> tuple[str, str]:
    return f"<!-- {block}:start -->", f"<!-- {block}:end -->"


def read(block: str, document: Path = README) -> str:
    """The text between the block's markers."""
    start, end = markers(block)
    text = document.read_text()
    if start not in text or end not in text:
        raise SystemExit(f"{document} has no {start} ... {end} markers")
    return text.split(start + "\n", 1)[1].split(end, 1)[0]


def write(block: str, content: str, document: Path = README) -> None:
    """Replace the text between the block's markers with `content` (ending in a newline)."""
    start, end = markers(block)
    read(block, document)  # the markers exist
    head, rest = document.read_text().split(start, 1)
    _, tail = rest.split(end, 1)
    document.write_text(f"{head}{start}\n{content}{end}{tail}")
