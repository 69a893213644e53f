"""The CTranslate2 → openai-whisper converter: model.bin layout, tensor mapping, dequantization."""

from __future__ import annotations

import numpy as np
import pytest

from media import MediaError
from media.convert import read_model_file, split_rows, whisper_dims, whisper_state_dict

BASE_DIMS = {
    "n_mels": 80,
    "n_audio_ctx": 1500,
    "n_audio_state": 512,
    "n_audio_head": 8,
    "n_audio_layer": 6,
    "n_vocab": 51865,
    "n_text_ctx": 448,
    "n_text_state": 512,
    "n_text_head": 8,
    "n_text_layer": 6,
}


def test_bundled_layout(ct2_dir):
    model = read_model_file(ct2_dir / "model.bin")
    assert (model.binary_version, model.spec, model.revision) == (6, "WhisperSpec", 3)
    assert len(model.variables) == 212
    assert model.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    qkv = model.variables["encoder/layer_0/self_attention/linear_0/weight"]
    assert (qkv.shape, qkv.dtype, qkv.nbytes) == ((1536, 512), "float16", 1536 * 512 * 2)
    assert model.variables["decoder/layer_5/attention/linear_1/weight"].shape == (1024, 512)
    assert model.scalar("encoder/num_heads") == 8 and model.scalar("decoder/num_heads") == 8
    last = max(model.variables.values(), key=lambda v: v.offset)
    # The alias table follows the last variable's data: 4-byte count, then two strings.
    alias_bytes = 4 + sum(2 + len(s) + 1 for pair in model.aliases.items() for s in pair)
    assert last.offset + last.nbytes + alias_bytes == (ct2_dir / "model.bin").stat().st_size
    assert whisper_dims(model) == BASE_DIMS


def test_bundled_state_dict_splits(ct2_dir):
    model = read_model_file(ct2_dir)
    state = whisper_state_dict(model)
    assert len(state) == 245
    for stack in ("encoder", "decoder"):
        attn = f"{stack}.blocks.0.attn"
        for name in ("query", "key", "value"):
            assert state[f"{attn}.{name}.weight"].shape == (512, 512)
        assert f"{attn}.key.bias" not in state
        assert state[f"{attn}.query.bias"].shape == (512,)
    assert state["decoder.blocks.3.cross_attn.key.weight"].shape == (512, 512)
    assert "decoder.blocks.3.cross_attn.key.bias" not in state
    fused = model.array("decoder/layer_3/attention/linear_1/weight")
    assert np.array_equal(state["decoder.blocks.3.cross_attn.value.weight"], fused[512:])
    qkv_bias = model.array("encoder/layer_2/self_attention/linear_0/bias")
    assert not qkv_bias[512:1024].any()  # the converter that built model.bin put zeros there
    assert state["decoder.token_embedding.weight"].shape == (51865, 512)
    assert state["encoder.conv1.weight"].dtype == np.float16  # kept lossless, not widened


def test_split_rows_rejects_uneven():
    with pytest.raises(MediaError):
        split_rows(np.zeros((10, 4)), 3)


def test_truncated_file_is_rejected(ct2_dir, tmp_path):
    broken = tmp_path / "model.bin"
    with (ct2_dir / "model.bin").open("rb") as src:
        broken.write_bytes(src.read(4096))
    with pytest.raises(MediaError, match="truncated|bytes"):
        read_model_file(broken)


def test_not_whisper_is_rejected(tmp_path):
    name = b"TransformerSpec\0"
    head = (6).to_bytes(4, "little") + len(name).to_bytes(2, "little") + name
    (tmp_path / "model.bin").write_bytes(head + (1).to_bytes(4, "little") + bytes(8))
    with pytest.raises(MediaError, match="not Whisper"):
        whisper_dims(read_model_file(tmp_path))
