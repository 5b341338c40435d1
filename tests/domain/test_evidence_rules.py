"""The rules of an evidence file (docs/CASE_FILE.md, "Evidence"), without a database: size
limits at their edges, the type from the sniffed bytes only, names and descriptions, the
statuses that take evidence, and a timeline note that never names the file."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yidi.domain.enums import CaseStatus
from yidi.domain.errors import BadInput, InvalidTransition
from yidi.domain.evidence import AttachEvidence, check, require_attachable, timeline_note

PDF = "application/pdf"


def command(content: bytes = b"%PDF-1.4 x", **kw: str | None) -> AttachEvidence:
    return AttachEvidence(case_id=1, content=content, **kw)


def refusal(cmd: AttachEvidence, sniffed: str | None, limit: int = 100) -> str:
    with pytest.raises(BadInput) as raised:
        check(cmd, sniffed, limit)
    return raised.value.field


@pytest.mark.parametrize(("size", "ok"), [(1, True), (99, True), (100, True), (101, False)])
def test_the_size_limit_is_inclusive(size: int, ok: bool) -> None:
    cmd = command(bytes(size))
    if ok:
        assert check(cmd, PDF, 100).size == size
    else:
        assert refusal(cmd, PDF) == "file"


def test_an_empty_file_is_refused() -> None:
    assert refusal(command(b""), None) == "file"


@pytest.mark.parametrize(
    "sniffed",
    [
        None,
        "application/zip",
        "text/html",
        "image/svg+xml",
        "image/heic",
        "image/gif",
        "application/x-msdownload",
    ],
)
def test_only_jpeg_png_and_pdf_bytes_pass(sniffed: str | None) -> None:
    assert refusal(command(), sniffed) == "file"


@pytest.mark.parametrize("sniffed", ["image/jpeg", "image/png", PDF])
def test_the_type_is_the_sniffed_one_whatever_the_name_says(sniffed: str) -> None:
    checked = check(command(file_name="scan.exe"), sniffed, 100)
    assert checked.content_type == sniffed


@given(st.binary(min_size=1, max_size=200))
def test_the_hash_is_the_sha256_of_the_bytes(content: bytes) -> None:
    assert check(command(content), PDF, 200).sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("given_name", "kept"),
    [
        pytest.param("协议.pdf", "协议.pdf", id="plain"),
        pytest.param("C:\\Users\\张三\\协议.pdf", "协议.pdf", id="windows-path"),
        pytest.param("/storage/emulated/0/DCIM/IMG_1.jpg", "IMG_1.jpg", id="phone-path"),
        pytest.param("  现场.png  ", "现场.png", id="trimmed"),
        pytest.param("dir/", None, id="no-name-left"),
        pytest.param(None, None, id="none"),
        pytest.param("长" * 300 + ".pdf", "长" * 200, id="cut-to-200"),
    ],
)
def test_the_file_name_is_its_last_segment(given_name: str | None, kept: str | None) -> None:
    assert check(command(file_name=given_name), PDF, 100).file_name == kept


def test_a_name_with_a_control_character_is_refused() -> None:
    assert refusal(command(file_name="a\x00.pdf"), PDF) == "file"


def test_the_description_is_trimmed_and_limited() -> None:
    assert check(command(description="  调解协议原件 "), PDF, 100).description == "调解协议原件"
    assert check(command(description="   "), PDF, 100).description is None
    assert refusal(command(description="字" * 501), PDF) == "description"


@pytest.mark.parametrize("status", list(CaseStatus))
def test_which_statuses_take_evidence(status: CaseStatus) -> None:
    if status in (CaseStatus.REDIRECTED, CaseStatus.MERGED):
        with pytest.raises(InvalidTransition):
            require_attachable(status)
    else:
        require_attachable(status)


@pytest.mark.parametrize(
    ("size", "note"),
    [
        (70, "上传证据材料：PDF，70 字节"),
        (1536, "上传证据材料：PDF，1.5 KB"),
        (3 * 1024 * 1024, "上传证据材料：PDF，3.0 MB"),
    ],
)
def test_the_timeline_note_says_type_and_size_only(size: int, note: str) -> None:
    checked = check(command(bytes(size), file_name="张三身份证.pdf", description="张三"), PDF, size)
    assert timeline_note(checked) == note
