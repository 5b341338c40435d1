"""Evidence attached to a case (docs/CASE_FILE.md, "Evidence"): which files a case file
accepts, on which cases, and how an attachment reads in a timeline.

A file's type is what its bytes say (the caller sniffs the magic number and passes the
answer in), never what its name or the client's declared type claim: a `.pdf` that is an
executable is refused.
"""

import hashlib
from dataclasses import dataclass

from yidi.domain.enums import OPEN_STATUSES, CaseStatus
from yidi.domain.errors import BadInput, InvalidTransition
from yidi.domain.notes import optional_text
from yidi.domain.text import refuse_control_characters

# Photos of the scene and of documents (JPEG, PNG) and scanned or exported documents (PDF):
# what the field reports attach (调解协议, 会议记录, 回访记录). Every browser displays them,
# none runs script when opened from our download. Office files, archives, HTML, SVG and
# HEIC are refused: macros and scripts, contents we cannot vet, or nothing a desk PC
# can open; clients convert to PDF or JPEG first.
ALLOWED_TYPES: dict[str, str] = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/pdf": "PDF",
}
DESCRIPTION_MAX = 500
FILE_NAME_MAX = 200

# Evidence may still arrive once the result is in (the signed agreement, the follow-up
# record), but not for a case redirected or merged away: its file lives elsewhere.
ATTACHABLE_STATUSES = OPEN_STATUSES | {CaseStatus.RESOLVED, CaseStatus.CLOSED}


@dataclass(frozen=True, kw_only=True)
class AttachEvidence:
    """One file for a case's file (证据材料): its bytes as received, its name as given."""

    case_id: int
    expected_version: int | None = None
    content: bytes
    file_name: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    file_name: str | None
    description: str | None


def require_attachable(status: CaseStatus) -> None:
    if status not in ATTACHABLE_STATUSES:
        raise InvalidTransition(f"A {status.value} case takes no more evidence.")


def check(cmd: AttachEvidence, sniffed_type: str | None, max_bytes: int) -> CheckedFile:
    """The file's own rules: not empty, within the size limit, of an allowed type by its
    bytes; the description and name trimmed and within their limits."""
    size = len(cmd.content)
    if size == 0:
        raise BadInput("file", "The file is empty.")
    if size > max_bytes:
        raise BadInput("file", f"The file is larger than {max_bytes} bytes.")
    if sniffed_type not in ALLOWED_TYPES:
        allowed = ", ".join(ALLOWED_TYPES.values())
        raise BadInput("file", f"The file's content is not one of {allowed}.")
    return CheckedFile(
        content_type=sniffed_type,
        size=size,
        sha256=hashlib.sha256(cmd.content).hexdigest(),
        file_name=_file_name(cmd.file_name),
        description=optional_text("description", cmd.description, DESCRIPTION_MAX),
    )


def _file_name(name: str | None) -> str | None:
    """The client's name for the file, kept for people (never trusted for its type): its
    last path segment, trimmed; a name with control characters is refused."""
    if name is None:
        return None
    refuse_control_characters("file", name)
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:FILE_NAME_MAX] or None


def timeline_note(checked: CheckedFile) -> str:
    """What the timeline says: the kind and size of the file, never its name or description
    (a timeline reader without the right to personal data reads it too)."""
    return f"上传证据材料：{ALLOWED_TYPES[checked.content_type]}，{_size_words(checked.size)}"


def _size_words(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
