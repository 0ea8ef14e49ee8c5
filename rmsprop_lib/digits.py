"""The 8 x 8 handwritten digits, read from the file committed with the notebooks.

The data are the UCI "Optical Recognition of Handwritten Digits" test set
(E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), the same 1797 images that
scikit-learn bundles as ``load_digits``. ``notebooks/data/README.md`` says
where the file came from and how it was made; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import validation as check

__all__ = ["DATA_FILE", "Split", "load_digits", "train_test_split"]

#: The committed data file: ``images`` (1797, 8, 8) uint8 in 0..16, ``labels`` (1797,) uint8.
DATA_FILE = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "digits.npz"

for _beside in (Path("data", "digits.npz"), Path("..", "data", "digits.npz")):
    # the library installed as a wheel (Colab, the JupyterLite site): the data beside the notebook that imports
    # it, or beside its folder (notebooks/solutions/ and notebooks/exercises/ of a checkout)
    if not DATA_FILE.is_file() and _beside.is_file():
        DATA_FILE = _beside.resolve()


def load_digits(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The images as rows of 64 pixels scaled to [0, 1], and the labels 0-9.

    Returns ``(x, y)``: ``x`` float64 of shape ``(1797, 64)``, ``y`` np.intp (int64 on 64-bit machines; int32 in
    the browser's 32-bit Pyodide, where ``np.bincount`` takes nothing wider) of
    shape ``(1797,)``. Raises ``FileNotFoundError`` (saying what to do) when
    the data file is missing, ``ValueError`` when it is not the expected data.
    """
    if path is not None and not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file name (str or Path) or None, got {type(path).__name__} {path!r}")
    path = Path(path) if path is not None else DATA_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"the digits data file {path} is missing; it is part of the repository "
            "(notebooks/data/digits.npz): restore it with `git checkout -- notebooks/data/digits.npz`"
        )
    with np.load(path) as data:
        if not {"images", "labels"} <= set(data.files):
            raise ValueError(f"{path} must hold arrays 'images' and 'labels', found {sorted(data.files)}")
        images, labels = data["images"], data["labels"]
    if images.ndim != 3 or images.shape[1:] != (8, 8) or labels.shape != images.shape[:1]:
        raise ValueError(f"{path}: expected images (n, 8, 8) and labels (n,), got {images.shape} and {labels.shape}")
    return images.reshape(len(images), 64) / 16.0, labels.astype(np.intp)


class Split(NamedTuple):
    """Training and held-out data."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def train_test_split(x: np.ndarray, y: np.ndarray, test_size: int, seed: int = 0) -> Split:
    """Shuffle the rows with ``default_rng(seed)`` and hold out the last ``test_size`` of them."""
    x, y = check.real_array("x", x), check.real_array("y", y)
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x and y must have the same number of rows, got {n} and {len(y)}")
    test_size = check.integer("test_size", test_size, 1, n - 1, what=f"an integer in [1, {n - 1}]")
    seed = check.seed("seed", seed)
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[: n - test_size], order[n - test_size :]
    return Split(x[train], y[train], x[test], y[test])
