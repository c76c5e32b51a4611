"""Generated blocks of README.md, each between `<!-- NAME:start -->` and `<!-- NAME:end -->`:
`coverage` (scripts/coverage_table.py), `preview` (tests/e2e/test_example_stack.py) and `bench`
(`python -m bench`). Their writers replace them; tests compare them with what they would write."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def markers(block: str) -> tuple[str, str]:
    return f"<!-- {block}:start -->", f"<!-- {block}:end -->"


def _split(block: str, document: Path) -> tuple[str, str, str]:
    """The document's text before the block (start marker included), the block, and after it (end
    marker included)."""
    start, end = markers(block)
    text = document.read_text()
    if start + "\n" not in text or end not in text:
        raise SystemExit(f"{document} has no {start} ... {end} markers")
    head, rest = text.split(start + "\n", 1)
    body, tail = rest.split(end, 1)
    return head + start + "\n", body, end + tail


def read(block: str, document: Path = README) -> str:
    """The text between the block's markers."""
    return _split(block, document)[1]


def write(block: str, content: str, document: Path = README) -> None:
    """Replace the text between the block's markers with `content` (ending in a newline)."""
    head, _, tail = _split(block, document)
    document.write_text(head + content + tail)
