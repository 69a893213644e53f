"""`flask whisper ...` commands (model conversion and checks)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from media import MediaError, resolve_model
from media.convert import convert, default_checkpoint_path

whisper_group = AppGroup("whisper", help="Whisper model tools (nothing is downloaded).")


@whisper_group.command("convert")
@click.option(
    "--model",
    "model",
    default=None,
    help="CTranslate2 model directory (default: the bundled base model).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Checkpoint to write (default: <model dir>.pt beside the model).",
)
def whisper_convert(model: str | None, out: Path | None) -> None:
    """Write an openai-whisper checkpoint (.pt) of a CTranslate2 Whisper model."""
    try:
        model_dir = resolve_model(model, current_app.config["MODEL_CACHE"])
        result = convert(model_dir, out or default_checkpoint_path(model_dir))
    except MediaError as exc:
        raise click.ClickException(f"无法转换模型：{exc}") from exc
    dims = result.dims
    click.echo(f"{result.path}\t{result.size} bytes\t{result.tensors} tensors")
    click.echo(
        f"layers {dims['n_audio_layer']}+{dims['n_text_layer']}, "
        f"width {dims['n_audio_state']}, vocab {dims['n_vocab']}, "
        f"source dtypes {','.join(result.source_dtypes)}"
    )
    click.echo(f"WHISPER_ENGINE=openai-whisper WHISPER_MODEL={result.path}")
