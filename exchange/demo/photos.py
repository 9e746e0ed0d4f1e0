"""Made-up lot photos for the demo (drawn with Pillow): a coloured scene per category with the lot's title,
so browse cards and lot pages show what photos look like."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

__all__ = ["demo_photo"]

_COLOURS = {
    "textiles": (70, 110, 160),
    "metals": (120, 125, 135),
    "plastics": (60, 150, 120),
    "electronics": (45, 55, 80),
    "packaging": (170, 130, 80),
    "chemicals": (150, 80, 60),
    "gifts": (170, 60, 90),
    "apparel": (90, 80, 150),
    "footwear": (110, 80, 60),
    "food": (190, 140, 40),
}


def demo_photo(title: str, category: str, size: tuple[int, int] = (960, 720)) -> bytes:
    """A JPEG of stacked goods on a pallet in the category's colour, captioned with the title."""
    base = _COLOURS.get(category.split("/", 1)[0], (100, 100, 100))
    seed = hashlib.sha256(title.encode()).digest()
    image = Image.new("RGB", size, (236, 232, 224))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, height * 0.78, width, height), fill=(200, 195, 185))  # the warehouse floor
    draw.rectangle((width * 0.12, height * 0.74, width * 0.88, height * 0.8), fill=(150, 110, 70))  # pallet
    rows, columns = 3 + seed[0] % 2, 4 + seed[1] % 3
    box_w, box_h = width * 0.76 / columns, height * 0.5 / rows
    for row in range(rows):
        for column in range(columns):
            shade = (seed[(row * columns + column) % 32] % 40) - 20
            colour = tuple(max(0, min(255, c + shade)) for c in base)
            left = width * 0.12 + column * box_w
            top = height * 0.74 - (row + 1) * box_h
            draw.rectangle((left + 3, top + 3, left + box_w - 3, top + box_h - 3), fill=colour, outline=(30, 30, 30))
    font = ImageFont.load_default(size=34)
    draw.rectangle((0, 0, width, 70), fill=(255, 255, 255))
    draw.text((24, 16), title[:48], fill=(20, 20, 20), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
