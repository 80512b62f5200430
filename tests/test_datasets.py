"""The training data: embedded MNIST subset, the IDX reader (plain, .gz, damaged) and real Fashion-MNIST."""
from __future__ import annotations

import gzip
import hashlib
import socket
import struct
from pathlib import Path

import numpy as np
import pytest

from grader import datasets

FASHION = datasets.FASHION_DEBIAN_DIR
needs_fashion = pytest.mark.skipif(
    not (FASHION / "train-images-idx3-ubyte.gz").is_file(),
    reason=f"Fashion-MNIST is not installed in {FASHION}: `{datasets.FASHION_APT_HINT}` (Debian/Ubuntu)")


# ----------------------------------------------------------------------------------- embedded subset
@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the dataset loader tried to open a network connection")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_embedded_subset_shapes_dtypes_and_balance(no_network):
    split = datasets.load_mnist_subset()
    assert split.name == "mnist-embedded"
    assert split.x_train.shape == (8000, 28, 28) and split.x_test.shape == (2000, 28, 28)
    assert split.y_train.shape == (8000,) and split.y_test.shape == (2000,)
    for array in (split.x_train, split.y_train, split.x_test, split.y_test):
        assert array.dtype == np.uint8
    train_counts = np.bincount(split.y_train, minlength=10)
    test_counts = np.bincount(split.y_test, minlength=10)
    assert test_counts.tolist() == [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]
    # stratified: every class gives 20% (to the nearest image) of its images to the test split
    assert np.all(np.abs(test_counts / (train_counts + test_counts) - 0.2) < 0.001)
    assert split.x_train.max() == 255 and split.x_train.min() == 0
    # real digits, not noise: a typical digit lights up roughly 10-25% of its pixels
    lit = (split.x_train > 127).mean()
    assert 0.08 < lit < 0.25
    # no image is in both splits
    train_rows = {row.tobytes() for row in split.x_train.reshape(8000, -1)}
    assert not any(row.tobytes() in train_rows for row in split.x_test.reshape(2000, -1))


def test_embedded_subset_checksum_is_verified(tmp_path):
    assert datasets.sha256_file(datasets.MNIST_SUBSET_PATH) == datasets.MNIST_SUBSET_SHA256
    damaged = tmp_path / "mnist_subset.npz"
    data = bytearray(datasets.MNIST_SUBSET_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(datasets.DatasetError, match=r"mnist_subset\.npz: sha256 .* does not match"):
        datasets.load_mnist_subset(damaged)
    with pytest.raises(datasets.DatasetError, match="missing"):
        datasets.load_mnist_subset(tmp_path / "absent.npz")


def test_build_script_reproduces_the_split_rule():
    """The split rule of the build script, re-applied to the stored provenance indices."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_mnist_subset",
                                                  datasets.MNIST_SUBSET_PATH.with_name("build_mnist_subset.py"))
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.SEED == datasets.MNIST_SUBSET_SEED
    with np.load(datasets.MNIST_SUBSET_PATH) as npz:
        labels = np.concatenate([npz["y_train"], npz["y_test"]])
        index = np.concatenate([npz["train_index"], npz["test_index"]])
        n_train = len(npz["y_train"])
    counts = np.bincount(labels, minlength=10).tolist()
    quota = build.stratified_split(counts)
    for digit in range(10):
        ranked = sorted(range(counts[digit]), key=lambda i: build._rank(digit, i))
        expected_test = set(ranked[:quota[digit]])
        got_test = set(index[n_train:][labels[n_train:] == digit].tolist())
        assert got_test == expected_test


# --------------------------------------------------------------------------------------- IDX reader
def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_folder(folder: Path, n_train: int, n_test: int, gz: bool = False, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    big = n_train > 1000  # keep the full-size case fast: blank images compress instantly
    arrays = {
        "train-images-idx3-ubyte": (np.zeros((n_train, 28, 28), np.uint8) if big
                                    else rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": (np.zeros((n_test, 28, 28), np.uint8) if big
                                   else rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        data = idx_bytes(array)
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
        else:
            (folder / stem).write_bytes(data)
    return arrays


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_idx_round_trip(tmp_path, gz):
    arrays = write_idx_folder(tmp_path, 50, 20, gz=gz)
    split = datasets.load_idx_folder(tmp_path, name="tiny", counts={"train": 50, "test": 20})
    assert np.array_equal(split.x_train, arrays["train-images-idx3-ubyte"])
    assert np.array_equal(split.y_train, arrays["train-labels-idx1-ubyte"])
    assert np.array_equal(split.x_test, arrays["t10k-images-idx3-ubyte"])
    assert np.array_equal(split.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert split.x_train.dtype == np.uint8 and split.x_train.shape == (50, 28, 28)


def test_mnist_idx_requires_the_full_counts(tmp_path, monkeypatch):
    write_idx_folder(tmp_path, 50, 20)
    monkeypatch.setenv(datasets.MNIST_DIR_ENV, str(tmp_path))
    with pytest.raises(datasets.DatasetError, match=r"train-images-idx3-ubyte: header says 50 items, expected 60,000"):
        datasets.load_dataset("mnist-idx")


def test_mnist_idx_full_size(tmp_path, monkeypatch):
    """60,000 + 10,000 synthetic images in standard files, found through the env var and through data_dir."""
    write_idx_folder(tmp_path / "m", 60_000, 10_000, gz=True)
    monkeypatch.delenv(datasets.MNIST_DIR_ENV, raising=False)
    split = datasets.load_dataset("mnist-idx", {"data_dir": str(tmp_path / "m")})
    assert (split.n_train, split.n_test) == (60_000, 10_000)
    monkeypatch.setenv(datasets.MNIST_DIR_ENV, str(tmp_path / "m"))
    assert datasets.load_dataset("mnist-idx", {"data_dir": "/nonexistent"}).n_train == 60_000  # env wins


def test_mnist_idx_not_configured_is_unavailable(monkeypatch):
    monkeypatch.delenv(datasets.MNIST_DIR_ENV, raising=False)
    with pytest.raises(datasets.DatasetUnavailable, match=r"--mnist-dir.*CONVGRADE_MNIST_DIR.*data_dir"):
        datasets.load_dataset("mnist-idx")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_truncated_file_names_the_file(tmp_path, gz):
    write_idx_folder(tmp_path, 50, 20, gz=gz)
    name = "train-images-idx3-ubyte" + (".gz" if gz else "")
    victim = tmp_path / name
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) - 100])
    pattern = "damaged gzip file" if gz else "truncated"
    with pytest.raises(datasets.DatasetError, match=rf"{name}: {pattern}"):
        datasets.load_idx_folder(tmp_path, name="tiny", counts={"train": 50, "test": 20})


def test_header_only_truncation(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(b"\x00\x00\x08")
    with pytest.raises(datasets.DatasetError, match=r"train-labels-idx1-ubyte: truncated"):
        datasets.read_idx(path, ndim=1)


@pytest.mark.parametrize("magic", [b"\x00\x00\x0d\x03", b"<!DO", b"\x00\x00\x08\x01"],
                         ids=["float-type", "html", "labels-as-images"])
def test_wrong_magic_names_the_file(tmp_path, magic):
    write_idx_folder(tmp_path, 50, 20)
    victim = tmp_path / "t10k-images-idx3-ubyte"
    victim.write_bytes(magic + victim.read_bytes()[4:])
    with pytest.raises(datasets.DatasetError, match=r"t10k-images-idx3-ubyte: wrong magic number 0x"):
        datasets.load_idx_folder(tmp_path, name="tiny", counts={"train": 50, "test": 20})


def test_missing_file_names_the_file(tmp_path):
    write_idx_folder(tmp_path, 50, 20)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(datasets.DatasetError, match=r"t10k-labels-idx1-ubyte: file not found"):
        datasets.load_idx_folder(tmp_path, name="tiny", counts={"train": 50, "test": 20})


def test_trailing_bytes_and_bad_labels(tmp_path):
    write_idx_folder(tmp_path, 50, 20)
    labels = tmp_path / "train-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes() + b"\x00")
    with pytest.raises(datasets.DatasetError, match=r"train-labels-idx1-ubyte: 1 unexpected bytes"):
        datasets.load_idx_folder(tmp_path, name="tiny", counts={"train": 50, "test": 20})
    labels.write_bytes(idx_bytes(np.full(50, 12, dtype=np.uint8)))
    with pytest.raises(datasets.DatasetError, match=r"train-labels-idx1-ubyte: label 12 out of range 0-9"):
        datasets.load_idx_folder(tmp_path, name="tiny", counts={"train": 50, "test": 20})


def test_fashion_missing_is_unavailable_with_apt_hint(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.FASHION_DIR_ENV, str(tmp_path / "nothing-here"))
    with pytest.raises(datasets.DatasetUnavailable, match="apt-get install dataset-fashion-mnist"):
        datasets.load_dataset("fashion-mnist")


def test_unknown_dataset_name():
    with pytest.raises(datasets.DatasetError, match="mnist-embedded, mnist-idx, fashion-mnist"):
        datasets.load_dataset("cifar10")


# ------------------------------------------------------------------------- real Debian Fashion-MNIST
@needs_fashion
def test_real_fashion_mnist_files(monkeypatch):
    monkeypatch.delenv(datasets.FASHION_DIR_ENV, raising=False)
    split = datasets.load_dataset("fashion-mnist")
    assert split.x_train.shape == (60_000, 28, 28) and split.x_test.shape == (10_000, 28, 28)
    assert split.y_train.shape == (60_000,) and split.y_test.shape == (10_000,)
    for array in (split.x_train, split.y_train, split.x_test, split.y_test):
        assert array.dtype == np.uint8
    assert split.y_train.min() == 0 and split.y_train.max() == 9
    assert np.bincount(split.y_train, minlength=10).tolist() == [6000] * 10
    assert np.bincount(split.y_test, minlength=10).tolist() == [1000] * 10
    assert split.classes[0] == "T-shirt/top" and split.classes[9] == "Ankle boot"


@needs_fashion
@pytest.mark.parametrize("stem,magic", [("train-images-idx3-ubyte", 0x803), ("train-labels-idx1-ubyte", 0x801),
                                        ("t10k-images-idx3-ubyte", 0x803), ("t10k-labels-idx1-ubyte", 0x801)])
def test_real_fashion_mnist_magic_numbers(stem, magic):
    with gzip.open(FASHION / f"{stem}.gz") as f:
        header = f.read(8)
    assert struct.unpack(">II", header) == (magic, 60_000 if stem.startswith("train") else 10_000)


@needs_fashion
def test_real_fashion_mnist_damaged_copy(tmp_path):
    for stem in datasets.IDX_FILES:  # a copy of the real files with the test images one image short
        (tmp_path / f"{stem}.gz").symlink_to(FASHION / f"{stem}.gz")
    victim = tmp_path / "t10k-images-idx3-ubyte.gz"
    victim.unlink()
    victim.write_bytes(gzip.compress(gzip.decompress((FASHION / victim.name).read_bytes())[:-784],
                                     compresslevel=1, mtime=0))
    with pytest.raises(datasets.DatasetError, match=r"t10k-images-idx3-ubyte\.gz: truncated"):
        datasets.load_fashion_mnist(tmp_path)
