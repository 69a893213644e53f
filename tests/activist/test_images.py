"""Page photos: EXIF orientation applied, all metadata (GPS included) stripped (media/images.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from media.images import ImageError, clean_photo, sniff_image
from tests.activist.samples import phone_jpeg, png_claiming


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_source_really_has_gps_and_orientation():
    exif = _open(phone_jpeg()).getexif()
    assert exif[0x0112] == 6 and 0x8825 in exif


def test_orientation_applied_and_everything_stripped():
    photo = clean_photo(phone_jpeg(60, 30, orientation=6))
    image = _open(photo.data)
    assert image.format == "JPEG"
    assert (photo.width, photo.height) == image.size == (30, 60)  # rotated upright
    # Orientation 6 means "rotate 90° clockwise to view": the red left half ends up on top.
    top, bottom = image.getpixel((15, 5)), image.getpixel((15, 55))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info
    assert b"Exif" not in photo.data[:200] and b"Huawei" not in photo.data


def test_upright_photo_keeps_its_size():
    photo = clean_photo(phone_jpeg(60, 30, orientation=1, gps=False))
    assert (photo.width, photo.height) == (60, 30)


def test_large_photo_is_scaled_down():
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(out, "JPEG")
    photo = clean_photo(out.getvalue(), max_side=2000)
    assert (photo.width, photo.height) == (2000, 500)


def test_png_with_transparency_becomes_white_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    photo = clean_photo(out.getvalue())
    assert _open(photo.data).getpixel((5, 5)) == (255, 255, 255)


def test_sniffing():
    assert sniff_image(phone_jpeg()) == "jpeg"
    assert sniff_image(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20) == "heic"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_image(b"%PDF-1.4") is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not an image", "not_image"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "heic"),
        (png_claiming(20000, 20000), "too_many_pixels"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "corrupt"),
    ],
)
def test_rejections(data, code):
    with pytest.raises(ImageError) as exc:
        clean_photo(data)
    assert exc.value.code == code
