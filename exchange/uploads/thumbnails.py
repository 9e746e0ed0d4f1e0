"""Small JPEG previews of uploaded photos (browse cards, the lot page's gallery), made with Pillow."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["THUMBNAIL_SIZE", "make_thumbnail"]

THUMBNAIL_SIZE = (640, 480)
"""The largest width and height of a preview; the photo keeps its proportions."""
_MAX_PIXELS = 50_000_000
"""A photo with more pixels is not decoded (a small file can claim a huge image: a decompression bomb)."""


def make_thumbnail(content: bytes, size: tuple[int, int] = THUMBNAIL_SIZE) -> bytes | None:
    """A JPEG preview of the image no larger than `size`, turned upright per its EXIF orientation; None
    when the bytes are not an image Pillow can read (the original is then shown instead)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > _MAX_PIXELS:
                    return None
                image.draft("RGB", size)  # JPEG: decode at a reduced scale, much faster for camera photos
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail(size)
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
                return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError):
        return None
    except SyntaxError:  # Pillow's parsers raise it for some malformed files
        return None
