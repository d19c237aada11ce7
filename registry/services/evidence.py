"""Evidence files behind credentials: checked, stored privately, read back by reference.

A file is accepted only when its content is a PDF, PNG or JPEG (judged by its first bytes,
not its name), its name has a matching extension and it is not larger than ``max_bytes``.
It is written under a random name in ``folder`` (never the static folder), next to a small
JSON record of its original filename, content type, size and SHA-256; the folder, the file
and the record are the server's alone (0700 and 0600). The reference returned
by ``store`` is that random name; it is what ``credentials.evidence_ref`` holds, so the
credential service's audit event records which file backs which credential.

No Flask here: the caller passes the folder and the size limit from its configuration.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

from . import InvalidInput

# (content type, leading bytes, extensions its name may have)
KINDS = (
    ("application/pdf", b"%PDF-", (".pdf",)),
    ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
    ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
)
ACCEPTED = "a PDF, PNG or JPEG file"
_REF = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 64 * 1024


class Upload(Protocol):
    """What ``store`` needs of an uploaded file (werkzeug's FileStorage has it)."""

    filename: str | None
    stream: BinaryIO


@dataclass(frozen=True)
class StoredEvidence:
    ref: str
    path: Path
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None when not accepted."""
    for content_type, magic, _ in KINDS:
        if head.startswith(magic):
            return content_type
    return None


MAX_NAME = 200


def _clean_name(filename: str | None) -> str:
    """The base name the user's computer gave, without any directory part or control chars,
    at most MAX_NAME characters: a longer one loses the end of its stem, not its extension."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) <= MAX_NAME:
        return name
    stem, extension = os.path.splitext(name)
    extension = extension if len(extension) <= 10 else ""
    return stem[: MAX_NAME - len(extension)].rstrip() + extension


def _check_name(name: str, content_type: str) -> None:
    extensions = next(ext for ct, _, ext in KINDS if ct == content_type)
    if not name.lower().endswith(extensions):
        raise InvalidInput(
            {"evidence": f"the file's content is {content_type} but its name is '{name}'"}
        )


class EvidenceStore:
    """Private storage of evidence files in one folder."""

    def __init__(self, folder: str | os.PathLike, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def store(self, upload: Upload) -> str:
        """Check and keep an uploaded file; returns its reference.

        Raises InvalidInput({"evidence": reason}) for a missing, empty, oversize or
        unaccepted file; nothing is kept then."""
        name = _clean_name(upload.filename)
        if not name:
            raise InvalidInput({"evidence": f"choose {ACCEPTED}"})
        head = upload.stream.read(16)
        content_type = sniff(head)
        if content_type is None:
            raise InvalidInput({"evidence": f"'{name}' is not {ACCEPTED}"})
        _check_name(name, content_type)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        ref = secrets.token_hex(16)
        path = self.folder / ref
        try:
            size, digest = self._write(path, head, upload.stream)
        except InvalidInput:
            path.unlink(missing_ok=True)
            raise
        meta = {"filename": name, "content_type": content_type, "size": size, "sha256": digest}
        try:
            fd = os.open(self._meta_path(ref), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(meta))
        except OSError:
            self.discard(ref)
            raise
        return ref

    def _write(self, path: Path, head: bytes, stream: BinaryIO) -> tuple[int, str]:
        digest, size = hashlib.sha256(), 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > self.max_bytes:
                    raise InvalidInput(
                        {"evidence": f"the file is larger than {size_words(self.max_bytes)}"}
                    )
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(_CHUNK)
        return size, digest.hexdigest()

    def open(self, ref: str) -> StoredEvidence:
        """The stored file behind ``ref``; FileNotFoundError when there is none."""
        if not _REF.match(ref or ""):
            raise FileNotFoundError(ref)
        path = self.folder / ref
        meta = json.loads(self._meta_path(ref).read_text(encoding="utf-8"))
        if not path.is_file():
            raise FileNotFoundError(ref)
        return StoredEvidence(
            ref, path, meta["filename"], meta["content_type"], meta["size"], meta["sha256"]
        )

    def discard(self, ref: str) -> None:
        """Remove a file whose credential was not saved (the change was refused)."""
        if _REF.match(ref or ""):
            for path in (self.folder / ref, self._meta_path(ref)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def _meta_path(self, ref: str) -> Path:
        return self.folder / f"{ref}.json"


def size_words(n: int) -> str:
    """'5 MB', '200 KB', '10 bytes'."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


def evidence_store() -> EvidenceStore:
    """The app's store: EVIDENCE_FOLDER, else <instance>/evidence; never under static/."""
    config = current_app.config
    folder = config.get("EVIDENCE_FOLDER") or Path(current_app.instance_path, "evidence")
    return EvidenceStore(folder, config["MAX_EVIDENCE_BYTES"])
