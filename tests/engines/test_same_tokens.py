"""Same weights, same features: openai-whisper on the converted checkpoint decodes like CT2."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

whisper = pytest.importorskip("whisper")
ctranslate2 = pytest.importorskip("ctranslate2")


def _ct2_greedy(ct2_dir, mel: np.ndarray, prompt: list[int], compute_type: str) -> list[int]:
    """Greedy tokens from CTranslate2 (what faster-whisper runs), prompt excluded."""
    model = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type=compute_type)
    features = ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None]))
    return list(model.generate(features, [prompt], beam_size=1)[0].sequences_ids[0])


@pytest.mark.slow
def test_same_greedy_tokens_as_faster_whisper(ct2_dir, checkpoint, oath_audio):
    import torch
    from faster_whisper.feature_extractor import FeatureExtractor
    from whisper.tokenizer import get_tokenizer

    window = whisper.pad_or_trim(oath_audio)  # the first (only) 30 s window
    mel = whisper.log_mel_spectrogram(torch.from_numpy(window))
    faster_mel = FeatureExtractor(feature_size=80)(window)[:, : mel.shape[1]]
    assert np.abs(faster_mel - mel.numpy()).max() < 1e-3  # both front ends agree

    model = whisper.load_model(str(checkpoint), device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # openai-whisper leaves its vocab open
        tokenizer = get_tokenizer(True, num_languages=99, language="zh", task="transcribe")
    options = whisper.DecodingOptions(language="zh", without_timestamps=True, fp16=False)
    ours = list(whisper.decode(model, mel, options).tokens)

    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    theirs = _ct2_greedy(ct2_dir, faster_mel, prompt, "float32")
    text = tokenizer.decode(ours)
    print(f"{len(ours)} tokens: {text}")
    assert len(ours) > 60 and "中国共产党" in text
    assert ours == theirs  # every token, not only the text
