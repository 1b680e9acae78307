#!/usr/bin/env python3
"""Draws the emulator's synthetic face (a cartoon, never a real person) and encodes it as JPEG 2000.

Usage: python3 tools/make-synthetic-face.py crates/icao9303-emu/assets/synthetic-face.jp2
Needs Pillow with OpenJPEG (pip install pillow). The output is committed; the emulator embeds it in DG2.
"""
import random
import sys

from PIL import Image, ImageDraw, ImageFilter

W, H = 240, 320  # ICAO token portrait proportions (3:4)
rnd = random.Random(20261123)
img = Image.new("RGB", (W, H), (214, 222, 230))
d = ImageDraw.Draw(img)
# soft background texture so the codec has something to code
for _ in range(400):
    x, y = rnd.randrange(W), rnd.randrange(H)
    c = 205 + rnd.randrange(25)
    d.point((x, y), fill=(c, c + 4, c + 10))
d.ellipse((40, 250, 200, 420), fill=(60, 80, 120))            # shoulders
d.rectangle((100, 200, 140, 265), fill=(225, 180, 150))        # neck
d.ellipse((60, 60, 180, 230), fill=(232, 190, 160))            # head
d.chord((55, 40, 185, 170), 180, 360, fill=(70, 45, 30))       # hair
for ex in (92, 148):
    d.ellipse((ex - 12, 130, ex + 12, 144), fill=(255, 255, 255))
    d.ellipse((ex - 5, 132, ex + 5, 142), fill=(60, 90, 60))
    d.line((ex - 14, 120, ex + 14, 118), fill=(70, 45, 30), width=3)
d.polygon([(120, 145), (112, 180), (128, 180)], fill=(215, 165, 140))
d.arc((95, 180, 145, 212), 20, 160, fill=(160, 70, 70), width=4)
img = img.filter(ImageFilter.GaussianBlur(0.8))
out = sys.argv[1]
img.save(out, "JPEG2000", quality_mode="rates", quality_layers=[14], irreversible=True)
