"""How much a single plan file may cost to read, checked before the memory is spent.

A 139 KB .docx can unpack to 30 MB of XML and a short PDF can hold thousands of pages: the
size on disk says little about the cost of reading. Each limit is checked at the cheapest point
that can see it (the zip directory before python-docx parses anything, the page count before
text extraction, the characters as they are extracted) and a refusal is a `PlanTooLarge`
naming the limit, the value seen and the limit, both in the unit the check counts in.

`api/settings.py` gives each field an environment variable of the same name, e.g.
`PLANKG_DOCX_MAX_RATIO=200` (the product reads the environment only there).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The ceilings for one plan; units are in the field names (bytes, chars, pages…)."""

    max_file_bytes: int = 50 * MIB  # the file as uploaded or on disk
    max_name_bytes: int = 245  # UTF-8 bytes of the file name: 255 minus `.meta.toml`/temp suffix
    docx_max_members: int = 2000  # entries in the zip directory
    docx_max_unpacked_bytes: int = 200 * MIB  # sum of the members' uncompressed sizes
    docx_max_xml_bytes: int = 16 * MIB  # uncompressed size of word/document.xml
    docx_max_ratio: float = 100.0  # uncompressed / compressed, over members above 1 MiB
    pdf_max_pages: int = 2000
    html_max_bytes: int = 20 * MIB  # the page's bytes before parsing
    max_chars: int = 3_000_000  # characters of extracted text, any format
    max_tasks: int = 10_000  # tasks extracted from one plan

    def check(self, doc: str, what: str, limit: str, value: float, unit: str) -> None:
        """Raise `PlanTooLarge` when `value` (in `unit`) is over the field `limit`."""
        from plankg.ingest.model import PlanTooLarge

        maximum = getattr(self, limit)
        if value > maximum:
            raise PlanTooLarge(doc, what, limit, value, maximum, unit)


RATIO_FLOOR_BYTES = MIB  # small members (styles, settings) legitimately compress 50:1
DEFAULT_LIMITS = Limits()


def describe(value: float, unit: str) -> str:
    """`52,428,800 bytes (50.0 MiB)`, `2,001 pages`: the unit stays the one checked."""
    if unit == "bytes":
        return f"{int(value):,} bytes ({value / MIB:.1f} MiB)"
    if unit == "ratio":
        return f"{value:.0f}:1"
    return f"{int(value):,} {unit}"


__all__ = ["DEFAULT_LIMITS", "MIB", "Limits", "describe"]
