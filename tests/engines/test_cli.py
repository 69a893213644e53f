"""`flask whisper convert`."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")


@pytest.mark.slow
def test_convert_bundled_model(make_app, model_cache, tmp_path):
    app = make_app(MODEL_CACHE=model_cache)
    out = tmp_path / "ckpt" / "base.pt"
    result = app.test_cli_runner().invoke(args=["whisper", "convert", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "245 tensors" in result.output
    assert "layers 6+6, width 512, vocab 51865" in result.output
    import torch

    checkpoint = torch.load(out, weights_only=True)
    assert checkpoint["dims"]["n_text_layer"] == 6
    assert "decoder.blocks.5.cross_attn.value.weight" in checkpoint["model_state_dict"]
    assert not list(out.parent.glob(".*.part"))  # written atomically, nothing left behind


def test_convert_missing_model_fails_in_chinese(runner, tmp_path):
    result = runner.invoke(args=["whisper", "convert", "--model", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "无法转换模型" in result.output and "does not exist" in result.output


def test_convert_rejects_a_directory_without_model_bin(runner, tmp_path):
    result = runner.invoke(
        args=["whisper", "convert", "--model", str(tmp_path), "--out", str(tmp_path / "x.pt")]
    )
    assert result.exit_code != 0 and "无法转换模型" in result.output
    assert not (tmp_path / "x.pt").exists()
