"""Ground floor for byte-identical outputs: the build date, CSV as every file of the project writes
it, and a zip whose bytes depend only on its files."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from datetime import datetime, timezone
from typing import Any


def source_date_epoch(descriptor: dict[str, Any]) -> int:
    """Dates in outputs come from SOURCE_DATE_EPOCH or from the data, never from the clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    created = descriptor["created"].replace("Z", "+00:00")
    return int(datetime.fromisoformat(created).timestamp())


def deterministic_zip(files: list[tuple[str, bytes]], epoch: int, level: int = 9) -> bytes:
    """A zip whose bytes depend only on the files (and the deflate level): sorted names, fixed
    times and modes."""
    stamp = datetime.fromtimestamp(max(epoch, 315532800), tz=timezone.utc).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, content, compresslevel=level)
    return buffer.getvalue()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def checksum_lines(files: list[tuple[str, bytes]]) -> str:
    """The lines `sha256sum -c` reads: `<hex>  <name>`, in the order given."""
    return "".join(f"{sha256(content)}  {name}\n" for name, content in files)


def csv_text(fields: list[str], rows: list[dict[str, str]]) -> str:
    """CSV as every file of the project writes it: UTF-8, LF line ends, header first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
