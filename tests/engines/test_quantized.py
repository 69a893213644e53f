"""Convert tiny Whisper models written by CTranslate2's own serializer in every on-disk dtype."""

from __future__ import annotations

import numpy as np
import pytest

from media.convert import read_model_file, whisper_dims, whisper_state_dict

ctranslate2 = pytest.importorskip("ctranslate2")
D, HEADS, LAYERS, VOCAB, MELS, AUDIO_CTX, TEXT_CTX = 8, 2, 2, 20, 4, 6, 5


def _tiny_spec(seed: int = 0):
    """Build a 2-layer Whisper spec with random weights; return it and its float32 arrays."""
    from ctranslate2.specs import whisper_spec

    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}

    def rand(name: str, *shape: int) -> np.ndarray:
        arrays[name] = rng.standard_normal(shape).astype(np.float32)
        return arrays[name].copy()  # CTranslate2's quantizer scales its arrays in place

    def norm(spec, name):
        spec.gamma, spec.beta = rand(f"{name}/gamma", D), rand(f"{name}/beta", D)

    def linear(spec, name, rows, cols):
        spec.weight, spec.bias = rand(f"{name}/weight", rows, cols), rand(f"{name}/bias", rows)

    spec = whisper_spec.WhisperSpec(LAYERS, HEADS, LAYERS, HEADS)
    enc, dec = spec.encoder, spec.decoder
    linear(enc.conv1, "encoder/conv1", D, MELS * 3)
    enc.conv1.weight = enc.conv1.weight.reshape(D, MELS, 3)
    linear(enc.conv2, "encoder/conv2", D, D * 3)
    enc.conv2.weight = enc.conv2.weight.reshape(D, D, 3)
    enc.position_encodings.encodings = rand("encoder/pos", AUDIO_CTX, D)
    dec.position_encodings.encodings = rand("decoder/pos", TEXT_CTX, D)
    dec.embeddings.weight = dec.projection.weight = rand("decoder/embeddings", VOCAB, D)
    norm(enc.layer_norm, "encoder/layer_norm")
    norm(dec.layer_norm, "decoder/layer_norm")
    for stack, name in ((enc, "encoder"), (dec, "decoder")):
        for i, layer in enumerate(stack.layer):
            p = f"{name}/layer_{i}"
            norm(layer.self_attention.layer_norm, f"{p}/sa_ln")
            linear(layer.self_attention.linear[0], f"{p}/qkv", 3 * D, D)
            linear(layer.self_attention.linear[1], f"{p}/sa_out", D, D)
            norm(layer.ffn.layer_norm, f"{p}/ffn_ln")
            linear(layer.ffn.linear_0, f"{p}/fc1", 4 * D, D)
            linear(layer.ffn.linear_1, f"{p}/fc2", D, 4 * D)
            if name == "decoder":
                norm(layer.attention.layer_norm, f"{p}/ca_ln")
                linear(layer.attention.linear[0], f"{p}/ca_q", D, D)
                linear(layer.attention.linear[1], f"{p}/kv", 2 * D, D)
                linear(layer.attention.linear[2], f"{p}/ca_out", D, D)
    spec.register_vocabulary([f"t{i}" for i in range(VOCAB)])
    return spec, arrays


@pytest.mark.parametrize(
    ("quantization", "tolerance"),
    [
        ("float32", 0.0),
        ("float16", 2e-3),
        ("bfloat16", 2e-2),
        ("int16", 5e-3),
        ("int8", 3e-2),
    ],
)
def test_tiny_model_round_trip(tmp_path, quantization, tolerance):
    spec, arrays = _tiny_spec()
    spec.validate()
    spec.optimize(quantization=quantization)
    spec.save(str(tmp_path))
    model = read_model_file(tmp_path / "model.bin")
    dims = whisper_dims(model)
    assert dims == {
        "n_mels": MELS,
        "n_audio_ctx": AUDIO_CTX,
        "n_audio_state": D,
        "n_audio_head": HEADS,
        "n_audio_layer": LAYERS,
        "n_vocab": VOCAB,
        "n_text_ctx": TEXT_CTX,
        "n_text_state": D,
        "n_text_head": HEADS,
        "n_text_layer": LAYERS,
    }
    state = whisper_state_dict(model, dims)

    def close(got, want):
        want_max = np.abs(want).max()
        assert np.abs(got.astype(np.float32) - want).max() <= tolerance * want_max

    qkv, kv = arrays["encoder/layer_1/qkv/weight"], arrays["decoder/layer_0/kv/weight"]
    close(state["encoder.blocks.1.attn.query.weight"], qkv[:D])
    close(state["encoder.blocks.1.attn.key.weight"], qkv[D : 2 * D])
    close(state["encoder.blocks.1.attn.value.weight"], qkv[2 * D :])
    close(state["encoder.blocks.1.attn.value.bias"], arrays["encoder/layer_1/qkv/bias"][2 * D :])
    close(state["decoder.blocks.0.cross_attn.key.weight"], kv[:D])
    close(state["decoder.blocks.0.cross_attn.value.weight"], kv[D:])
    close(state["encoder.conv1.weight"], arrays["encoder/conv1/weight"].reshape(D, MELS, 3))
    close(state["decoder.token_embedding.weight"], arrays["decoder/embeddings"])
    close(state["decoder.blocks.1.mlp.2.weight"], arrays["decoder/layer_1/fc2/weight"])
    assert "encoder.blocks.1.attn.key.bias" not in state


def test_tiny_checkpoint_loads_in_openai_whisper(tmp_path):
    whisper_model = pytest.importorskip("whisper.model")
    import torch

    from media.convert import convert

    spec, _ = _tiny_spec(seed=1)
    spec.validate()
    spec.optimize(quantization="int8")
    spec.save(str(tmp_path))
    result = convert(tmp_path, tmp_path / "tiny.pt")
    checkpoint = torch.load(result.path, weights_only=True)
    model = whisper_model.Whisper(whisper_model.ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])  # strict: same names, same shapes
    assert result.tensors == len(model.state_dict())
    assert result.source_dtypes == ("float32", "int16", "int8")
