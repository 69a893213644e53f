"""Locate ffmpeg and run it safely (low priority, time limit, input allow lists)."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from .errors import MediaError

# Demuxers an upload may use. Everything else (hls, concat, image2, lavfi, ...) is refused
# by ffmpeg itself, so a playlist renamed .mp4 cannot make ffmpeg open other files.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flac,wav,mp3,ogg"
PROTOCOL_WHITELIST = "file"
SAFE_INPUT_OPTIONS = (
    "-protocol_whitelist",
    PROTOCOL_WHITELIST,
    "-format_whitelist",
    FORMAT_WHITELIST,
)
STDERR_TAIL_CHARS = 4000
STDERR_LINES = 1000
NICE_INCREMENT = 10
# Address space of one ffmpeg child (RLIMIT_AS). Measured peaks (VmPeak) of the transcode
# graph with MALLOC_ARENA_MAX=2: 10-bit HEVC 1080p 731 MB with the thread count of 2 cores,
# 1653 MB with that of 16 cores; 4K 935 MB / 2156 MB. Threads scale with the cores, so a host
# with more than ~20 cores needs FFMPEG_MEMORY_MB raised.
DEFAULT_MEMORY_BYTES = 3 * 2**30
# glibc gives each thread its own 64 MB malloc arena; with ffmpeg's dozens of codec threads the
# reservations alone would run into RLIMIT_AS long before real use does.
MALLOC_ARENA_MAX = "2"
# How ffmpeg words a failed mmap/malloc; a thread whose stack cannot be mapped is EAGAIN.
_OUT_OF_MEMORY = re.compile(
    r"cannot allocate memory|out of memory|bad_alloc|pthread_create|failed to allocate|"
    r"ENOMEM|resource temporarily unavailable",
    re.I,
)
_memory_bytes: int | None = DEFAULT_MEMORY_BYTES


def set_memory_limit(nbytes: int | None) -> None:
    """Set the address-space limit of every later ffmpeg child (None or 0: no limit)."""
    global _memory_bytes
    _memory_bytes = nbytes or None


def memory_limit() -> int | None:
    """Return the address-space limit ffmpeg children run under, in bytes."""
    return _memory_bytes


@cache
def ffmpeg_exe() -> str:
    """Return the ffmpeg binary: `ffmpeg` on PATH, else the one bundled by imageio-ffmpeg."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - imageio-ffmpeg is a hard dependency
        raise MediaError("transcode_failed", "no ffmpeg binary available") from exc
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def input_path(path: os.PathLike[str] | str) -> str:
    """Return an ffmpeg input URL that can only mean a local file."""
    # "file:" stops names such as "concat:a|b" or "http:..." from picking a protocol.
    return "file:" + os.path.abspath(os.fspath(path))


def with_safe_inputs(args: Sequence[str]) -> list[str]:
    """Insert the protocol/demuxer allow lists before every `-i`."""
    out: list[str] = []
    for arg in args:
        if arg == "-i":
            out.extend(SAFE_INPUT_OPTIONS)
        out.append(arg)
    return out


def build_command(args: Sequence[str], *, nice: bool = True, safe: bool = True) -> list[str]:
    """Return the full argv for an ffmpeg run."""
    body = with_safe_inputs(args) if safe else list(args)
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", *body]
    nice_bin = shutil.which("nice") if nice else None
    if nice_bin:
        cmd = [nice_bin, "-n", str(NICE_INCREMENT), *cmd]
    return cmd


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout: float,
    nice: bool = True,
    safe: bool = True,
    on_stdout_line: Callable[[str], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ffmpeg with `args`, killing its process group and raising `timeout` past the limit.

    Output is captured as text (stderr keeps its last lines). Nonzero exit codes are
    returned, not raised: callers decide what a failure means.
    """
    cmd = build_command(args, nice=nice, safe=safe)
    lower = nice and not cmd[0].endswith("nice")
    limit = _memory_bytes
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, "MALLOC_ARENA_MAX": MALLOC_ARENA_MAX},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: _child_setup(lower, limit),
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        _kill_group(proc)

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    stderr_tail: deque[str] = deque(maxlen=STDERR_LINES)
    reader = threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True)
    stdout_lines: list[str] = []
    timer.start()
    reader.start()
    assert proc.stdout is not None and proc.stderr is not None  # both are PIPE above
    try:
        for line in proc.stdout:
            stdout_lines.append(line)
            if on_stdout_line is not None:
                on_stdout_line(line.rstrip("\n"))
        proc.wait()
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        timer.cancel()
        reader.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    stderr = "".join(stderr_tail)
    if timed_out.is_set():
        raise MediaError(
            "timeout", f"ffmpeg exceeded {timeout:g}s", stderr=tail(stderr), retryable=True
        )
    if limit and proc.returncode != 0 and (proc.returncode < 0 or _OUT_OF_MEMORY.search(stderr)):
        # A bigger limit would be needed every time: not retryable.
        raise MediaError(
            "out_of_memory",
            f"ffmpeg exited {proc.returncode} under a {limit // 2**20} MB address-space limit",
            stderr=tail(stderr),
        )
    return subprocess.CompletedProcess(cmd, proc.returncode, "".join(stdout_lines), stderr)


def tail(text: str) -> str:
    """Return the end of an ffmpeg log, short enough to store with an error."""
    return text[-STDERR_TAIL_CHARS:]


def _child_setup(lower_priority: bool, memory_bytes: int | None) -> None:
    """In the ffmpeg child: cap its address space, die with the parent (no orphan)."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if lower_priority:  # only when the `nice` binary is absent
        os.nice(NICE_INCREMENT)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: ffmpeg may outlive a killed worker
        pass


def _drain(stream: Iterable[str], sink: deque[str]) -> None:
    """Read a pipe to its end, keeping the last lines."""
    for line in stream:
        sink.append(line)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill the process group started for `proc`."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
