"""Image-classification data for the §5.2 benchmark, from local files only (never downloaded).

* ``digits``: scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes; extra ``real``).
* ``cifar10``: CIFAR-10 from disk, given by ``root`` or the environment variable ``SPECTRAL_UNIVERSALITY_CIFAR10``:
  either the torchvision / original "python version" directory (``data_batch_1..5``, ``test_batch`` pickles,
  or its parent containing ``cifar-10-batches-py``), or a ``.npz`` file with ``x_train, y_train, x_test,
  y_test`` (images ``(N, 32, 32, 3)`` uint8 or ``(N, 3, 32, 32)``).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from spectral_universality.errors import InputError

CIFAR_ENV = "SPECTRAL_UNIVERSALITY_CIFAR10"


@dataclass(frozen=True)
class ImageData:
    """Standardised images ``(N, C, H, W)`` and integer labels ``(N,)``, split into train and test."""

    name: str
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor
    n_classes: int

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])  # type: ignore[return-value]


def _split(name: str, x: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator,
           dtype: torch.dtype) -> ImageData:
    perm = rng.permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = perm[:n_test], perm[n_test:]
    return _standardise(name, x[train], y[train], x[test], y[test], dtype)


def _standardise(name: str, xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, yte: np.ndarray,
                 dtype: torch.dtype) -> ImageData:
    # Per-channel statistics of the training split only, so the test split stays unseen.
    axes = (0, 2, 3)
    mean = xtr.mean(axis=axes, keepdims=True)
    std = xtr.std(axis=axes, keepdims=True) + 1e-8
    conv = lambda a: torch.as_tensor((a - mean) / std, dtype=dtype)  # noqa: E731
    n_classes = int(max(ytr.max(), yte.max() if len(yte) else 0)) + 1
    return ImageData(name, conv(xtr), torch.as_tensor(ytr, dtype=torch.long), conv(xte),
                     torch.as_tensor(yte, dtype=torch.long), n_classes)


def load_digits(seed: int = 0, test_fraction: float = 0.2, dtype: torch.dtype = torch.float32) -> ImageData:
    """scikit-learn's 8x8 digits as ``(N, 1, 8, 8)``, standardised, random train/test split (``seed``)."""
    try:
        from sklearn.datasets import load_digits as sk_digits
    except ImportError:
        raise InputError("the digits data set needs scikit-learn: pip install 'spectral-universality[real]'") \
            from None
    bunch = sk_digits()
    x = bunch.images.astype(np.float64)[:, None, :, :]
    return _split("digits", x, bunch.target.astype(np.int64), test_fraction, np.random.default_rng(seed), dtype)


def _cifar_dir(path: Path) -> Path | None:
    for cand in (path, path / "cifar-10-batches-py"):
        if (cand / "data_batch_1").is_file() and (cand / "test_batch").is_file():
            return cand
    return None


def _read_pickle(file: Path) -> tuple[np.ndarray, np.ndarray]:
    with open(file, "rb") as fh:
        d = pickle.load(fh, encoding="bytes")
    x = np.asarray(d[b"data"], dtype=np.float64).reshape(-1, 3, 32, 32)
    return x, np.asarray(d[b"labels"], dtype=np.int64)


def load_cifar10(root: str | os.PathLike | None = None, dtype: torch.dtype = torch.float32,
                 max_train: int | None = None) -> ImageData:
    """CIFAR-10 from disk (see the module docstring for the accepted layouts); ``max_train`` keeps the first
    ``max_train`` training images (CPU budgets)."""
    src = root if root is not None else os.environ.get(CIFAR_ENV)
    if not src:
        raise InputError(f"CIFAR-10 is not available: give its path (root=...) or set {CIFAR_ENV}; "
                         "nothing is downloaded")
    path = Path(src)
    if path.is_file() and path.suffix == ".npz":
        with np.load(path) as z:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(z.files)
            if missing:
                raise InputError(f"{path} lacks arrays {sorted(missing)}")
            xtr, ytr, xte, yte = (np.asarray(z[k]) for k in ("x_train", "y_train", "x_test", "y_test"))
        if xtr.ndim != 4:
            raise InputError(f"x_train in {path} must be 4-d images, got shape {xtr.shape}")
        if xtr.shape[-1] == 3:
            xtr, xte = xtr.transpose(0, 3, 1, 2), xte.transpose(0, 3, 1, 2)
    else:
        folder = _cifar_dir(path) if path.is_dir() else None
        if folder is None:
            raise InputError(f"{path} is neither a CIFAR-10 python-version directory (data_batch_1..5, test_batch) "
                             "nor a .npz file")
        parts = [_read_pickle(folder / f"data_batch_{i}") for i in range(1, 6) if (folder / f"data_batch_{i}").is_file()]
        xtr, ytr = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        xte, yte = _read_pickle(folder / "test_batch")
    if max_train is not None:
        xtr, ytr = xtr[:max_train], ytr[:max_train]
    return _standardise("cifar10", xtr.astype(np.float64), ytr.astype(np.int64).ravel(), xte.astype(np.float64),
                        yte.astype(np.int64).ravel(), dtype)


def load_dataset(name: str = "digits", *, root: str | os.PathLike | None = None, seed: int = 0,
                 dtype: torch.dtype = torch.float32) -> ImageData:
    """``'digits'`` or ``'cifar10'`` (local files only)."""
    if name == "digits":
        return load_digits(seed=seed, dtype=dtype)
    if name == "cifar10":
        return load_cifar10(root, dtype=dtype)
    raise InputError(f"unknown data set {name!r}; known: 'digits', 'cifar10'")
