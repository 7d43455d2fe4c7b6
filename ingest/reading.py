"""Read a plan file into text: detect the encoding, refuse what is not a plan or too large.

Offices hand over UTF-8 (with or without BOM), UTF-16 from Windows tools and GB18030/GBK from
older systems. A wrong guess produces mojibake that would poison the graph, so each candidate
decode must be strict *and* look like Chinese prose; otherwise the file is refused with a
message that names it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from plankg.ingest.limits import DEFAULT_LIMITS, Limits
from plankg.ingest.model import PlanNameTooLong, PlanReadError, PlanTooLarge

DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_file_bytes

_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (e.g. .docx/.xlsx)",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document (.doc/.xls)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
}
_IMPLAUSIBLE = re.compile(r"[^\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\s\x20-\x7e“”‘’—…·]")


@dataclass(frozen=True)
class DecodedDocument:
    doc: str  # file base name
    path: Path
    text: str
    encoding: str
    sha256: str
    title: str | None = None  # the title the format marks (a .docx Title paragraph)


def read_document(
    path: str | Path, max_bytes: int | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> DecodedDocument:
    """Read and decode one plan file (text, Markdown, .docx, .pdf or .html).

    Every failure is a `PlanReadError` naming the file (an OSError such as a name too long
    for the file system included), so a batch can report it and go on."""
    path = Path(path)
    if max_bytes is not None:
        limits = replace(limits, max_file_bytes=max_bytes)
    check_name(path.name, limits)
    try:
        if not path.exists():
            raise PlanReadError(f"{path}: no such file")
        if path.is_dir():
            raise PlanReadError(f"{path}: is a folder, not a plan file")
        size = path.stat().st_size
        limits.check(str(path), "the file", "max_file_bytes", size, "bytes")
        if path.suffix.lower() in (".html", ".htm"):  # refused before it is read
            limits.check(str(path), "the web page", "html_max_bytes", size, "bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise PlanReadError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return decode_bytes(data, path, limits=limits)


def check_name(name: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file name the sidecar or a temporary file next to it could not be named after
    (255 bytes is the usual file-system limit): call it before writing an upload anywhere."""
    size = len(name.encode("utf-8", errors="surrogateescape"))
    if size > limits.max_name_bytes:
        raise PlanNameTooLong(name, size, limits.max_name_bytes)


def decode_bytes(data: bytes, path: Path, *, limits: Limits = DEFAULT_LIMITS) -> DecodedDocument:
    """Decode the bytes of a plan named `path` (the name picks the format)."""
    suffix = path.suffix.lower()
    check_name(path.name, limits)
    limits.check(str(path), "the file", "max_file_bytes", len(data), "bytes")
    digest = hashlib.sha256(data).hexdigest()
    if not data or data.isspace():  # (no stripped copy of a large file)
        raise PlanReadError(f"{path}: the file is empty")
    kind = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), None)
    if suffix in (".docx", ".pdf", ".html", ".htm"):
        from plankg.ingest import formats

        text, title = formats.to_text_and_title(data, path, kind, limits)
        encoding = suffix.lstrip(".")
    else:
        if kind is not None:
            raise PlanReadError(
                f"{path}: looks like {kind}, not a text file — give it the right extension"
            )
        text, encoding = decode_text(data, path)
        title = None
    check_chars(len(text), path, limits)
    if not text.strip():
        raise PlanReadError(f"{path}: no text found in the file")
    return DecodedDocument(path.name, path, text, encoding, digest, title)


def check_chars(count: int, path: Path, limits: Limits) -> None:
    """Refuse extracted text over `max_chars` (called as it grows, not only at the end)."""
    limits.check(str(path), "the extracted text", "max_chars", count, "chars")


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Strictly decode plain text; return (text, encoding) or raise PlanReadError."""
    candidates: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        even_nuls = data[0::2].count(0)
        odd_nuls = data[1::2].count(0)
        # UTF-16 without a BOM: the NULs of its ASCII characters all sit on one side
        if odd_nuls and even_nuls <= odd_nuls // 4:
            candidates.append("utf-16-le")
        elif even_nuls and odd_nuls <= even_nuls // 4:
            candidates.append("utf-16-be")
        candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, "utf-8" if encoding == "utf-8-sig" else encoding
    if b"\x00" in data:
        raise PlanReadError(f"{path}: binary data (NUL bytes), not a text plan")
    raise PlanReadError(
        f"{path}: cannot decode as UTF-8, UTF-16 or GB18030 Chinese text "
        "(re-save the file as UTF-8)"
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters but \t \n \f \r


def _plausible(text: str) -> bool:
    """Decoded text must read like Chinese prose: mostly CJK, ASCII and common punctuation."""
    sample = text[:20000]
    if not sample.strip():
        return False
    odd = len(_IMPLAUSIBLE.findall(sample))  # counting the few misfits, not the many fits
    controls = len(_CONTROL.findall(sample))
    return controls == 0 and (len(sample) - odd) / len(sample) >= 0.95


__all__ = [
    "DecodedDocument",
    "PlanNameTooLong",
    "PlanReadError",
    "PlanTooLarge",
    "check_chars",
    "check_name",
    "decode_bytes",
    "decode_text",
    "read_document",
]
