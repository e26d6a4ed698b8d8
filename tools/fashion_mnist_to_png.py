#!/usr/bin/env python3
"""Convert Fashion-MNIST IDX files into PNG class folders for nnt.

Reads the four IDX files of Fashion-MNIST (gzip-compressed or not) and writes

    OUT/train/<class>/train-NNNNN.png
    OUT/test/<class>/test-NNNNN.png

where NNNNN is the image's index in its IDX file and <class> is the lowercase,
hyphenated class name.  The images are written as 8-bit grayscale PNGs, 28 x 28,
pixel values unchanged.  Selection is deterministic: for each requested class,
the first N images of that class in file order.

Only the Python standard library is used (gzip, struct, zlib); the PNG encoder is
below.  Output is byte-for-byte reproducible for a given zlib.

Examples:

    # the small two-class set shipped in data/
    tools/fashion_mnist_to_png.py --classes sneaker,ankle-boot \\
        --per-class-train 300 --per-class-test 100 data

    # the full ten-class set (60,000 train + 10,000 test images; about 1.5 minutes)
    tools/fashion_mnist_to_png.py /tmp/fashion-mnist-png
"""

import argparse
import gzip
import os
import struct
import sys
import zlib

DEFAULT_SRC = "/usr/share/datasets/fashion-mnist"

# Fashion-MNIST label -> folder name (label order of the original dataset).
CLASS_NAMES = [
    "t-shirt-top",  # 0 T-shirt/top
    "trouser",      # 1 Trouser
    "pullover",     # 2 Pullover
    "dress",        # 3 Dress
    "coat",         # 4 Coat
    "sandal",       # 5 Sandal
    "shirt",        # 6 Shirt
    "sneaker",      # 7 Sneaker
    "bag",          # 8 Bag
    "ankle-boot",   # 9 Ankle boot
]

SPLITS = [
    # (split, IDX file stem, file name prefix)
    ("train", "train", "train"),
    ("test", "t10k", "test"),
]

IDX_UBYTE = 0x08


class ToolError(Exception):
    """An error reported to the user as one line, exit status 1."""


# --------------------------------------------------------------------------------------------
# IDX reading


def open_idx(src, stem, kind):
    """Returns (path, bytes) of SRC/<stem>-<kind>-ubyte[.gz]."""
    base = os.path.join(src, "%s-%s-ubyte" % (stem, kind))
    for path in (base + ".gz", base):
        if os.path.isfile(path):
            try:
                if path.endswith(".gz"):
                    with gzip.open(path, "rb") as f:
                        return path, f.read()
                with open(path, "rb") as f:
                    return path, f.read()
            except (OSError, EOFError, zlib.error) as e:
                raise ToolError("%s: cannot read: %s" % (path, e))
    raise ToolError("%s: no %s.gz or %s" % (src, os.path.basename(base), os.path.basename(base)))


def parse_idx(path, data, ndim):
    """Parses an unsigned-byte IDX file with `ndim` dimensions; returns (dims, payload offset)."""
    header = 4 + 4 * ndim
    if len(data) < 4:
        raise ToolError("%s: too short for an IDX file (%d bytes)" % (path, len(data)))
    zero, dtype, nd = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or dtype != IDX_UBYTE or nd != ndim:
        raise ToolError(
            "%s: bad IDX magic 0x%08x (expected 0x%08x: unsigned bytes, %d dimension%s)"
            % (path, struct.unpack_from(">I", data, 0)[0], (IDX_UBYTE << 8) | ndim, ndim,
               "" if ndim == 1 else "s"))
    if len(data) < header:
        raise ToolError("%s: truncated IDX header (%d bytes)" % (path, len(data)))
    dims = struct.unpack_from(">%dI" % ndim, data, 4)
    size = 1
    for d in dims:
        size *= d
    expected = header + size
    if len(data) != expected:
        raise ToolError("%s: dimensions %s need %d bytes, file has %d (truncated or trailing data)"
                        % (path, " x ".join(map(str, dims)), expected, len(data)))
    return dims, header


def load_split(src, stem):
    """Returns (labels bytes, images bytes, image offset, rows, cols, count, image path)."""
    ipath, idata = open_idx(src, stem, "images-idx3")
    lpath, ldata = open_idx(src, stem, "labels-idx1")
    (n, rows, cols), ioff = parse_idx(ipath, idata, 3)
    (nl,), loff = parse_idx(lpath, ldata, 1)
    if n != nl:
        raise ToolError("%s has %d images but %s has %d labels" % (ipath, n, lpath, nl))
    if rows == 0 or cols == 0:
        raise ToolError("%s: empty images (%d x %d)" % (ipath, rows, cols))
    labels = ldata[loff:]
    bad = [i for i, v in enumerate(labels) if v >= len(CLASS_NAMES)]
    if bad:
        raise ToolError("%s: label %d at index %d is out of range 0..%d"
                        % (lpath, labels[bad[0]], bad[0], len(CLASS_NAMES) - 1))
    return labels, idata, ioff, rows, cols, n, ipath


# --------------------------------------------------------------------------------------------
# PNG writing (8-bit grayscale, no ancillary chunks)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind, body):
    crc = zlib.crc32(kind)
    crc = zlib.crc32(body, crc)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(ftype, row, prev):
    """PNG filter `ftype` of one row of 1-byte samples (prev: the previous unfiltered row)."""
    if ftype == 0:
        return bytes(row)
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - 1] if i else 0
        b = prev[i]
        c = prev[i - 1] if i else 0
        if ftype == 1:
            p = a
        elif ftype == 2:
            p = b
        elif ftype == 3:
            p = (a + b) >> 1
        else:
            p = paeth(a, b, c)
        out[i] = (x - p) & 0xFF
    return bytes(out)


def png_gray8(pixels, width, height):
    """Encodes width x height 8-bit gray samples (row-major bytes) as a PNG file's bytes.

    The filtered stream is chosen as the smallest compressed one among: each of the five filter
    types on every row, and the usual per-row minimum-sum-of-absolute-differences heuristic."""
    rows = [pixels[y * width:(y + 1) * width] for y in range(height)]
    zero = bytes(width)
    filtered = []  # filtered[f][y] = filter byte + filtered row y
    for f in range(5):
        filtered.append([bytes([f]) + filter_row(f, rows[y], rows[y - 1] if y else zero)
                         for y in range(height)])

    def cost(line):
        return sum(v if v < 128 else 256 - v for v in line[1:])

    heuristic = [min((filtered[f][y] for f in range(5)), key=cost) for y in range(height)]
    best = None
    for candidate in filtered + [heuristic]:
        z = zlib.compress(b"".join(candidate), 9)
        if best is None or len(z) < len(best):
            best = z
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit gray, no interlace
    return (PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", best)
            + png_chunk(b"IEND", b""))


def write_file(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# command line


def parse_classes(text):
    names = [s.strip() for s in text.split(",") if s.strip()]
    if not names:
        raise ToolError("--classes: no class given")
    labels = []
    for name in names:
        if name not in CLASS_NAMES:
            raise ToolError("--classes: unknown class %r (known: %s)"
                            % (name, ",".join(CLASS_NAMES)))
        label = CLASS_NAMES.index(name)
        if label in labels:
            raise ToolError("--classes: %r given twice" % name)
        labels.append(label)
    return labels


def count_arg(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % text)
    if n < 0:
        raise argparse.ArgumentTypeError("must be >= 0: %r" % text)
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Write Fashion-MNIST images as 8-bit grayscale PNGs in class folders: "
                    "OUT/train/<class>/train-NNNNN.png and OUT/test/<class>/test-NNNNN.png, "
                    "NNNNN being the image's index in its IDX file. For each class the first "
                    "N images in file order are taken, so the output is deterministic. "
                    "Uses only the Python standard library.",
        epilog="classes (label order): " + ", ".join(CLASS_NAMES))
    ap.add_argument("out", metavar="OUT", help="output directory (created if needed)")
    ap.add_argument("--src", metavar="DIR", default=DEFAULT_SRC,
                    help="directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] "
                         "(default: %(default)s, Debian package dataset-fashion-mnist)")
    ap.add_argument("--classes", metavar="A,B,...", default=",".join(CLASS_NAMES),
                    help="comma-separated class names to write (default: all ten)")
    ap.add_argument("--per-class-train", metavar="N", type=count_arg, default=None,
                    help="first N training images of each class (default: all; 0: no train/)")
    ap.add_argument("--per-class-test", metavar="N", type=count_arg, default=None,
                    help="first N test images of each class (default: all; 0: no test/)")
    ap.add_argument("--overwrite", action="store_true",
                    help="delete existing *.png files in the class folders written to "
                         "(without it, a class folder that already holds PNGs is an error)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    args = ap.parse_args(argv)

    try:
        labels = parse_classes(args.classes)
        want = {"train": args.per_class_train, "test": args.per_class_test}

        # Read and validate everything, and select, before writing anything.
        plan = []  # (split, prefix, label, [indices], images, offset, rows, cols)
        for split, stem, prefix in SPLITS:
            n_want = want[split]
            if n_want == 0:
                continue
            lab, images, off, rows, cols, n, ipath = load_split(args.src, stem)
            for label in labels:
                idx = [i for i in range(n) if lab[i] == label]
                if n_want is not None:
                    if len(idx) < n_want:
                        raise ToolError("%s: class %s has only %d images, %d requested"
                                        % (ipath, CLASS_NAMES[label], len(idx), n_want))
                    idx = idx[:n_want]
                plan.append((split, prefix, label, idx, images, off, rows, cols))

        wanted = set(CLASS_NAMES[label] for label in labels)
        for split in sorted(set(p[0] for p in plan)):
            d = os.path.join(args.out, split)
            if os.path.isdir(d):
                other = sorted(f for f in os.listdir(d)
                               if f not in wanted and os.path.isdir(os.path.join(d, f)))
                if other:
                    print("fashion_mnist_to_png: warning: %s also holds folder%s %s, not in "
                          "--classes and left alone (a folder-per-class reader will see them)"
                          % (d, "" if len(other) == 1 else "s", ", ".join(other)),
                          file=sys.stderr)
        for split, prefix, label, idx, images, off, rows, cols in plan:
            d = os.path.join(args.out, split, CLASS_NAMES[label])
            if os.path.isdir(d):
                old = sorted(f for f in os.listdir(d) if f.endswith(".png"))
                if old and not args.overwrite:
                    raise ToolError("%s already holds %d PNG files; use --overwrite to replace "
                                    "them" % (d, len(old)))

        total_files = total_bytes = 0
        for split, prefix, label, idx, images, off, rows, cols in plan:
            d = os.path.join(args.out, split, CLASS_NAMES[label])
            os.makedirs(d, exist_ok=True)
            for f in os.listdir(d):
                if f.endswith(".png"):
                    os.remove(os.path.join(d, f))
            size = rows * cols
            nbytes = 0
            for i in idx:
                px = images[off + i * size:off + (i + 1) * size]
                png = png_gray8(px, cols, rows)
                write_file(os.path.join(d, "%s-%05d.png" % (prefix, i)), png)
                nbytes += len(png)
            total_files += len(idx)
            total_bytes += nbytes
            if not args.quiet:
                print("%s: %d images, %d bytes" % (d, len(idx), nbytes))
        if not args.quiet:
            print("total: %d images, %d bytes of PNG" % (total_files, total_bytes))
    except ToolError as e:
        print("fashion_mnist_to_png: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("fashion_mnist_to_png: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
