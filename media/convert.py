"""Convert a CTranslate2 Whisper model (model.bin) into an openai-whisper checkpoint (.pt).

CTranslate2's model.bin (ctranslate2/specs/model_spec.py `_serialize`, little-endian):

    uint32 binary_version
    string spec_name, uint32 spec_revision                       (binary_version >= 2)
    uint32 n_variables, then per variable:
        string name, uint8 rank, uint32 dims[rank],
        uint8 dtype (0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16),
        uint32 n_bytes, n_bytes of row-major data
    uint32 n_aliases, then per alias: string alias, string variable  (binary_version >= 3)

where a string is uint16 length (counting a trailing NUL), the UTF-8 bytes and the NUL.
Quantized weights carry a sibling `<name>_scale` and are dequantized as `q / scale`.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .atomic import atomic_path
from .errors import MediaError

StateDict = dict[str, np.ndarray]  # tensor name → weights

DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
MIN_BINARY_VERSION = 4  # the first version that stores a dtype id and a byte count per variable
WHISPER_SPEC = "WhisperSpec"
_LAYER_RE = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


@dataclass(frozen=True)
class Variable:
    """Where one variable lies in model.bin."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    offset: int
    nbytes: int


@dataclass
class ModelFile:
    """The parsed layout of a model.bin (header, variables, aliases); data is read on demand."""

    path: Path
    binary_version: int
    spec: str
    revision: int
    variables: dict[str, Variable] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def resolve(self, name: str) -> Variable:
        """Return the variable called `name`, following aliases."""
        seen = set()
        while name in self.aliases and name not in seen:
            seen.add(name)
            name = self.aliases[name]
        try:
            return self.variables[name]
        except KeyError:
            raise MediaError("model_missing", f"{self.path}: no variable {name!r}") from None

    def raw(self, name: str) -> np.ndarray:
        """Return a variable's stored values with their on-disk dtype and shape."""
        var = self.resolve(name)
        with self.path.open("rb") as fh:
            fh.seek(var.offset)
            data = bytearray(fh.read(var.nbytes))  # writable, so torch.from_numpy accepts it
        if var.dtype == "bfloat16":
            wide = np.frombuffer(data, dtype="<u2").astype(np.uint32) << 16
            return wide.view(np.float32).reshape(var.shape)
        return np.frombuffer(data, dtype=np.dtype(var.dtype).newbyteorder("<")).reshape(var.shape)

    def array(self, name: str) -> np.ndarray:
        """Return a weight as floating point: float16 stays float16, anything else is float32."""
        values = self.raw(name)
        var = self.resolve(name)
        scale_name = f"{var.name}_scale"
        if scale_name in self.variables:  # int8/int16 quantized: q = round(w * scale)
            scale = self.raw(scale_name).astype(np.float32)
            if scale.ndim == 1 and values.ndim >= 2:
                scale = scale.reshape((-1,) + (1,) * (values.ndim - 1))
            return values.astype(np.float32) / scale
        if var.dtype == "float16":
            return values
        return values.astype(np.float32)

    def scalar(self, name: str) -> int:
        """Return an integer scalar variable (such as encoder/num_heads)."""
        return int(self.raw(name).reshape(-1)[0])


class _Reader:
    """Sequential little-endian reads with clear errors on truncation."""

    def __init__(self, fh: BinaryIO, path: Path) -> None:
        self.fh, self.path = fh, path

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize("<" + fmt)
        data = self.fh.read(size)
        if len(data) != size:
            raise MediaError("model_missing", f"{self.path}: truncated at byte {self.fh.tell()}")
        return struct.unpack("<" + fmt, data)

    def string(self) -> str:
        (length,) = self.unpack("H")
        data = self.fh.read(length)
        if len(data) != length or not data.endswith(b"\0"):
            raise MediaError("model_missing", f"{self.path}: bad string at byte {self.fh.tell()}")
        return data[:-1].decode("utf-8")


def read_model_file(path: os.PathLike[str] | str) -> ModelFile:
    """Parse a model.bin's header, variable table and aliases without loading the data."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.bin"
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise MediaError("model_missing", f"cannot read {path}: {exc}") from exc
    with fh:
        r = _Reader(fh, path)
        (version,) = r.unpack("I")
        if version < MIN_BINARY_VERSION:
            raise MediaError("model_missing", f"{path}: binary version {version} is too old")
        model = ModelFile(path, version, r.string(), r.unpack("I")[0])
        (count,) = r.unpack("I")
        for _ in range(count):
            name = r.string()
            (rank,) = r.unpack("B")
            shape = r.unpack(f"{rank}I") if rank else ()
            type_id, nbytes = r.unpack("BI")
            if type_id >= len(DTYPES):
                raise MediaError("model_missing", f"{path}: {name} has unknown dtype {type_id}")
            dtype = DTYPES[type_id]
            expected = int(np.prod(shape, dtype=np.int64)) * (
                2 if dtype == "bfloat16" else np.dtype(dtype).itemsize
            )
            if nbytes != expected:
                raise MediaError(
                    "model_missing", f"{path}: {name} holds {nbytes} bytes, expected {expected}"
                )
            model.variables[name] = Variable(name, tuple(shape), dtype, fh.tell(), nbytes)
            fh.seek(nbytes, os.SEEK_CUR)
        (n_aliases,) = r.unpack("I")
        for _ in range(n_aliases):
            alias = r.string()
            model.aliases[alias] = r.string()
        if fh.read(1):
            raise MediaError("model_missing", f"{path}: unexpected data after the aliases")
    return model


def count_layers(model: ModelFile, stack: str) -> int:
    """Return how many encoder or decoder layers the model has."""
    found = {
        int(m.group(2))
        for n in model.variables
        if (m := _LAYER_RE.match(n)) and m.group(1) == stack
    }
    return max(found) + 1 if found else 0


def whisper_dims(model: ModelFile) -> dict[str, int]:
    """Return openai-whisper's ModelDimensions, read from tensor shapes and head counts."""
    if model.spec != WHISPER_SPEC:
        raise MediaError("model_missing", f"{model.path}: spec {model.spec!r} is not Whisper")
    conv1 = model.resolve("encoder/conv1/weight").shape
    audio_pos = model.resolve("encoder/position_encodings/encodings").shape
    embed = model.resolve("decoder/embeddings/weight").shape
    text_pos = model.resolve("decoder/position_encodings/encodings").shape
    return {
        "n_mels": conv1[1],
        "n_audio_ctx": audio_pos[0],
        "n_audio_state": audio_pos[1],
        "n_audio_head": model.scalar("encoder/num_heads"),
        "n_audio_layer": count_layers(model, "encoder"),
        "n_vocab": embed[0],
        "n_text_ctx": text_pos[0],
        "n_text_state": text_pos[1],
        "n_text_head": model.scalar("decoder/num_heads"),
        "n_text_layer": count_layers(model, "decoder"),
    }


def split_rows(weight: np.ndarray, parts: int) -> list[np.ndarray]:
    """Split a fused projection (weight [parts*n, d] or bias [parts*n]) into equal row blocks."""
    if weight.shape[0] % parts:
        raise MediaError("model_missing", f"cannot split {weight.shape} into {parts} parts")
    return [part.copy() for part in np.split(weight, parts, axis=0)]


def _linear(model: ModelFile, src: str, dst: str, out: StateDict, bias: bool = True) -> None:
    out[f"{dst}.weight"] = model.array(f"{src}/weight")
    if bias:
        out[f"{dst}.bias"] = model.array(f"{src}/bias")


def _norm(model: ModelFile, src: str, dst: str, out: StateDict) -> None:
    out[f"{dst}.weight"] = model.array(f"{src}/gamma")
    out[f"{dst}.bias"] = model.array(f"{src}/beta")


def _fused(model: ModelFile, src: str, dst: str, names: tuple[str, ...], out: StateDict) -> None:
    """Split a fused QKV or KV projection; the key bias is dropped (openai-whisper has none).

    Dropping it is exact: a key bias adds q·b to every score of a query, which softmax ignores.
    """
    weights = split_rows(model.array(f"{src}/weight"), len(names))
    biases = split_rows(model.array(f"{src}/bias"), len(names))
    for name, w, b in zip(names, weights, biases, strict=True):
        out[f"{dst}.{name}.weight"] = w
        if name != "key":
            out[f"{dst}.{name}.bias"] = b


def _block(model: ModelFile, src: str, dst: str, out: StateDict, cross: bool) -> None:
    """Map one CTranslate2 transformer layer onto an openai-whisper ResidualAttentionBlock."""
    _norm(model, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln", out)
    _fused(model, f"{src}/self_attention/linear_0", f"{dst}.attn", ("query", "key", "value"), out)
    _linear(model, f"{src}/self_attention/linear_1", f"{dst}.attn.out", out)
    if cross:
        _norm(model, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln", out)
        _linear(model, f"{src}/attention/linear_0", f"{dst}.cross_attn.query", out)
        _fused(model, f"{src}/attention/linear_1", f"{dst}.cross_attn", ("key", "value"), out)
        _linear(model, f"{src}/attention/linear_2", f"{dst}.cross_attn.out", out)
    _norm(model, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln", out)
    _linear(model, f"{src}/ffn/linear_0", f"{dst}.mlp.0", out)
    _linear(model, f"{src}/ffn/linear_1", f"{dst}.mlp.2", out)


def whisper_state_dict(model: ModelFile, dims: dict[str, int] | None = None) -> StateDict:
    """Return openai-whisper's state dict (name → numpy array) for a CTranslate2 Whisper model."""
    dims = dims or whisper_dims(model)
    out: dict[str, np.ndarray] = {}
    for conv in ("conv1", "conv2"):
        _linear(model, f"encoder/{conv}", f"encoder.{conv}", out)
    out["encoder.positional_embedding"] = model.array("encoder/position_encodings/encodings")
    for i in range(dims["n_audio_layer"]):
        _block(model, f"encoder/layer_{i}", f"encoder.blocks.{i}", out, cross=False)
    _norm(model, "encoder/layer_norm", "encoder.ln_post", out)
    # openai-whisper ties the output projection to the token embedding (logits = x @ E.T);
    # CTranslate2 stores decoder/projection/weight as an alias of the embedding.
    out["decoder.token_embedding.weight"] = model.array("decoder/embeddings/weight")
    if "decoder/projection/weight" in model.variables:  # stored untied: must still be equal
        projection = model.array("decoder/projection/weight")
        if not np.array_equal(projection, out["decoder.token_embedding.weight"]):
            raise MediaError("model_missing", "output projection is not tied to the embedding")
    out["decoder.positional_embedding"] = model.array("decoder/position_encodings/encodings")
    for i in range(dims["n_text_layer"]):
        _block(model, f"decoder/layer_{i}", f"decoder.blocks.{i}", out, cross=True)
    _norm(model, "decoder/layer_norm", "decoder.ln", out)
    return out


@dataclass(frozen=True)
class ConvertResult:
    """What a conversion wrote."""

    path: Path
    dims: dict[str, int]
    tensors: int
    source_dtypes: tuple[str, ...]
    size: int


def convert(model_dir: os.PathLike[str] | str, out_path: os.PathLike[str] | str) -> ConvertResult:
    """Write an openai-whisper checkpoint {"dims", "model_state_dict"} for a CTranslate2 model."""
    import torch

    model = read_model_file(model_dir)
    dims = whisper_dims(model)
    state = whisper_state_dict(model, dims)
    tensors = {name: torch.from_numpy(a) for name, a in state.items()}
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp:
        torch.save({"dims": dims, "model_state_dict": tensors}, tmp)
    dtypes = tuple(sorted({v.dtype for v in model.variables.values()}))
    return ConvertResult(out_path, dims, len(tensors), dtypes, out_path.stat().st_size)


def default_checkpoint_path(model_dir: os.PathLike[str] | str) -> Path:
    """Return where the checkpoint of a CTranslate2 model directory goes: `<dir>.pt` beside it."""
    model_dir = Path(model_dir)
    return model_dir.with_name(f"{model_dir.name}.pt")


def bundled_checkpoint(cache_dir: os.PathLike[str] | str | None = None) -> Path:
    """Return an openai-whisper checkpoint of the bundled model, converting it once per cache."""
    from .models import _locked, bundled_model_dir

    model_dir = bundled_model_dir(cache_dir)
    target = default_checkpoint_path(model_dir)
    source = model_dir / "model.bin"
    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    with _locked(model_dir.with_name(f"{target.name}.lock")):
        if not (target.is_file() and target.stat().st_mtime >= source.stat().st_mtime):
            convert(model_dir, target)
    return target
