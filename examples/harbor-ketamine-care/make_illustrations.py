"""Draw the example's pictures: plain illustrations in the brand's colours, made with
Pillow, so that the example shows how photos appear without a photograph of a real place.

Run from this folder: ``python make_illustrations.py`` (writes ``photos/*.jpg``).
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

TEAL, ORANGE, SAND = (11, 85, 99), (154, 52, 18), (244, 236, 222)
LOCATIONS = {"escondido": 3, "carlsbad": 5, "san-diego": 7}
"""Each location's picture, with its number of waves."""


def draw(waves: int, width: int = 1600, height: int = 1067) -> Image.Image:
    """Waves of teal over sand, and an orange sun; nothing that could pass for a photo."""
    image = Image.new("RGB", (width, height), SAND)
    pen = ImageDraw.Draw(image)
    pen.ellipse((width * 0.68, height * 0.12, width * 0.86, height * 0.39), fill=ORANGE)
    for band in range(waves):
        top = height * (0.45 + 0.5 * band / waves)
        points = [
            (x, top + 28 * math.sin(2 * math.pi * (x / width * 2 + band / waves)))
            for x in range(0, width + 1, 16)
        ]
        shade = tuple(int(c + (255 - c) * band / (waves + 2)) for c in TEAL)
        pen.polygon([*points, (width, height), (0, height)], fill=shade)
    return image


if __name__ == "__main__":
    folder = Path(__file__).parent / "photos"
    folder.mkdir(exist_ok=True)
    for name, waves in LOCATIONS.items():
        draw(waves).save(folder / f"{name}.jpg", quality=85, optimize=True)
