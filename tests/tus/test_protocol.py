"""Header parsing of review.tus.protocol and the partial-file helpers of review.tus.files."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest

from review.exceptions import ValidationError
from review.tus import files, protocol


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "value, expected", [("0", 0), ("12", 12), (" 7 ", 7), ("1073741824", 1073741824)]
)
def test_parse_length(value, expected):
    assert protocol.parse_length(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "-1", "1.5", "1e3", "abc", "0x10", "１２", "12345678901234567890"]
)
def test_parse_length_rejects(value):
    with pytest.raises(ValidationError):
        protocol.parse_length(value)
    with pytest.raises(ValidationError):
        protocol.parse_offset(value)


def test_parse_metadata():
    header = f"filename {b64('思想汇报 第一季度.mp4')},period {b64('3')},is_confidential"
    assert protocol.parse_metadata(header) == {
        "filename": "思想汇报 第一季度.mp4",
        "period": "3",
        "is_confidential": None,
    }
    assert protocol.parse_metadata(None) == {}
    assert protocol.parse_metadata("  ") == {}
    assert protocol.parse_metadata(f"empty {b64('')}") == {"empty": None}


@pytest.mark.parametrize(
    "header",
    [
        "filename !!notbase64",
        f"filename {b64('a')},filename {b64('b')}",
        f"a  {b64('x')}",
        f"a {b64('x')} extra",
        "file\u540d " + b64("x"),
        "filename " + base64.b64encode(b"\xff\xfe").decode(),
        "k " + "A" * 5000,
        ",",
    ],
)
def test_parse_metadata_rejects(header):
    with pytest.raises(ValidationError):
        protocol.parse_metadata(header)


def test_encode_metadata_round_trip():
    meta = {"filename": "汇报.mov", "flag": None}
    assert protocol.parse_metadata(protocol.encode_metadata(meta)) == meta


def test_parse_checksum():
    digest = hashlib.sha1(b"abc").digest()
    assert protocol.parse_checksum(f"sha1 {base64.b64encode(digest).decode()}") == ("sha1", digest)
    assert protocol.parse_checksum(None) is None


@pytest.mark.parametrize(
    "header, code",
    [
        ("md5 AAAA", "checksum_algorithm"),
        ("sha256 AAAA", "checksum_algorithm"),
        ("sha1 ***", "bad_checksum"),
        ("sha1 AAAA", "bad_checksum"),
        ("sha1", "bad_checksum"),
    ],
)
def test_parse_checksum_rejects(header, code):
    with pytest.raises(ValidationError) as info:
        protocol.parse_checksum(header)
    assert info.value.code == code


def test_versions_and_content_types():
    assert protocol.is_supported_version("1.0.0")
    assert not protocol.is_supported_version("0.2.2")
    assert not protocol.is_supported_version(None)
    assert protocol.is_offset_content_type("application/offset+octet-stream")
    assert protocol.is_offset_content_type("Application/Offset+Octet-Stream; charset=x")
    assert not protocol.is_offset_content_type("application/octet-stream")
    assert not protocol.is_offset_content_type(None)


def test_cors_headers_echo_only_configured_origins():
    allowed = protocol.allowed_origins("https://huibao.example.edu, https://m.example.edu/")
    assert allowed == {"https://huibao.example.edu", "https://m.example.edu"}
    ok = protocol.cors_headers("https://m.example.edu", allowed, preflight=True)
    assert ok["Access-Control-Allow-Origin"] == "https://m.example.edu"
    assert "Upload-Offset" in ok["Access-Control-Allow-Headers"]
    assert "Location" in ok["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in ok
    evil = protocol.cors_headers("https://evil.example", allowed, preflight=False)
    assert "Access-Control-Allow-Origin" not in evil
    assert "Access-Control-Allow-Methods" not in evil
    assert protocol.allowed_origins(None) == set()


def receive(path, offset, stream, limit, **kwargs):
    with files.open_partial(path, offset) as part:
        return part.receive(stream, limit, **kwargs)


def test_receive_appends_and_cuts_leftovers(tmp_path):
    path = tmp_path / "x.part"
    path.write_bytes(b"hello" + b"garbage from a dead request")
    got = receive(path, 5, io.BytesIO(b" world"), 100)
    assert (got.written, got.disconnected, got.overflow) == (6, False, False)
    assert path.read_bytes() == b"hello world"


def test_receive_stops_past_the_limit_and_cut_discards(tmp_path):
    path = tmp_path / "x.part"
    path.write_bytes(b"ab")
    with files.open_partial(path, 2) as part:
        got = part.receive(io.BytesIO(b"abcdef"), 4)
        assert got.overflow and got.written == 4
        part.cut()
    assert path.read_bytes() == b"ab"


def test_receive_keeps_bytes_before_a_disconnect(tmp_path):
    class Dropping(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls == 1:
                return b"x" * 10
            raise ConnectionResetError("client went away")

    path = tmp_path / "x.part"
    got = receive(path, 0, Dropping(), 100)
    assert got.disconnected and got.written == 10
    assert path.stat().st_size == 10


def test_open_partial_refuses_a_short_file(tmp_path):
    path = tmp_path / "x.part"
    path.write_bytes(b"abc")
    with pytest.raises(files.ShortFileError) as info:
        receive(path, 10, io.BytesIO(b"more"), 100)
    assert info.value.size == 3
    assert path.read_bytes() == b"abc"


def test_open_partial_is_exclusive(tmp_path):
    path = tmp_path / "x.part"
    with files.open_partial(path, 0) as part:
        part.receive(io.BytesIO(b"first"), 10)
        with pytest.raises(files.BusyError), files.open_partial(path, 0):
            pass
    assert path.read_bytes() == b"first"
    with files.open_partial(path, 5):
        pass


def test_receive_reads_in_bounded_blocks(tmp_path):
    sizes = []

    class Counting(io.BytesIO):
        def read(self, size=-1):
            sizes.append(size)
            return super().read(size)

    path = tmp_path / "x.part"
    body = b"z" * (3 * files.READ_SIZE + 17)
    hasher = hashlib.sha1()
    got = receive(path, 0, Counting(body), len(body), hasher=hasher)
    assert got.written == len(body) and hasher.digest() == hashlib.sha1(body).digest()
    assert max(sizes) <= files.READ_SIZE and all(s > 0 for s in sizes)


@pytest.mark.parametrize(
    "head, ext",
    [
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 8, ".mp4"),
        (b"\x00\x00\x00\x14ftypqt  ", ".mov"),
        (b"\x00\x00\x00\x14ftyp3gp4", ".3gp"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm", ".webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01matroska", ".mkv"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", ".avi"),
        (b"<?php echo 1; ?>", ".bin"),
        (b"", ".bin"),
    ],
)
def test_sniff_extension(tmp_path, head, ext):
    path = tmp_path / "f"
    path.write_bytes(head)
    assert files.sniff_extension(path) == ext
