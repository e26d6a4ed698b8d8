#!/usr/bin/env python3
"""Convert a folder of PNG images into the same tree of JPEG images, for nnt's JPEG checks.

    tools/png_to_jpeg.py [--quality Q] SRC OUT

writes OUT/<path>.jpg for every SRC/<path>.png (any depth: DIR/test/<class>/*.png becomes
OUT/<class>/*.jpg when SRC is DIR/test), grayscale kept grayscale, at JPEG quality Q (default
95, 4:2:0 chroma as PIL's default). It is how the README's PNG-against-JPEG accuracy was measured
on Fashion-MNIST's test set. Needs Pillow (Debian: python3-pil); PIL encodes through libjpeg.
"""

import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", type=int, default=95)
    ap.add_argument("src")
    ap.add_argument("out")
    a = ap.parse_args()
    try:
        from PIL import Image
    except ImportError:
        sys.exit("png_to_jpeg.py: needs Pillow (apt-get install python3-pil)")
    if not 1 <= a.quality <= 100:
        sys.exit("png_to_jpeg.py: --quality must be 1 to 100")
    n = 0
    for root, dirs, files in os.walk(a.src):
        dirs.sort()
        for name in sorted(files):
            if not name.lower().endswith(".png"):
                continue
            rel = os.path.relpath(os.path.join(root, name), a.src)
            dst = os.path.join(a.out, rel[:-4] + ".jpg")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with Image.open(os.path.join(root, name)) as im:
                if im.mode not in ("L", "RGB"):
                    im = im.convert("L" if im.mode in ("1", "I", "I;16", "LA") else "RGB")
                im.save(dst, "JPEG", quality=a.quality)
            n += 1
    print(f"png_to_jpeg.py: wrote {n} JPEG images under {a.out}")


if __name__ == "__main__":
    main()
