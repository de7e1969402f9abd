"""Small image classifiers for the §5.2 benchmark (about 10k-100k parameters), the package's optimizer factory
and its training loop.

All models are plain ``nn.Module`` s without batch norm or dropout, so ``torch.func.functional_call`` and
``vmap`` (used by :mod:`.hessian`) see a deterministic function of the parameters.  Attention is written out
(no fused kernels) for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from spectral_universality.errors import HypothesisViolation, InputError

if TYPE_CHECKING:
    from .real_data import ImageData

#: a per-step callback of :func:`train_steps`: ``(step t counted from 1, training loss of that step)``
StepHook = Callable[[int, float], None]


class Linear(nn.Module):
    """Softmax regression (flatten -> Linear): with cross-entropy the loss is convex, its Hessian PSD."""

    def __init__(self, in_features: int, n_classes: int) -> None:
        super().__init__()
        self.out = nn.Linear(in_features, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(x.flatten(1))


class MLP(nn.Module):
    """Flatten -> ``depth`` x (Linear, tanh) -> Linear."""

    def __init__(self, in_features: int, n_classes: int, hidden: int = 64, depth: int = 2) -> None:
        super().__init__()
        dims = [in_features] + [hidden] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(dims[-1], n_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = x.flatten(1)
        for layer in self.hidden:
            h = torch.tanh(layer(h))
        return self.out(h)


class SmallCNN(nn.Module):
    """conv3x3(c) -> tanh -> conv3x3(2c) -> tanh -> avgpool2 -> Linear(hidden) -> tanh -> Linear."""

    def __init__(self, in_shape: tuple[int, int, int], n_classes: int, channels: int = 8, hidden: int = 32) -> None:
        super().__init__()
        c, h, w = in_shape
        self.conv1 = nn.Conv2d(c, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.fc = nn.Linear(2 * channels * (h // 2) * (w // 2), hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = torch.tanh(self.conv1(x))
        h = torch.nn.functional.avg_pool2d(torch.tanh(self.conv2(h)), 2)
        return self.out(torch.tanh(self.fc(h.flatten(1))))


class Block(nn.Module):
    """Pre-norm transformer block: x + MHA(LN(x)); x + MLP(LN(x))."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int = 2) -> None:
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, mlp_ratio * dim)
        self.fc2 = nn.Linear(mlp_ratio * dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x))))


class TinyViT(nn.Module):
    """Patch embedding (``patch`` x ``patch``) + learned positions + ``depth`` blocks + mean-pool head."""

    def __init__(self, in_shape: tuple[int, int, int], n_classes: int, patch: int = 2, dim: int = 32,
                 depth: int = 2, heads: int = 2) -> None:
        super().__init__()
        c, h, w = in_shape
        if h % patch or w % patch or dim % heads:
            raise InputError(f"image {h}x{w} must be divisible by patch {patch}, dim {dim} by heads {heads}")
        self.patch = patch
        self.embed = nn.Linear(c * patch * patch, dim)
        self.pos = nn.Parameter(0.02 * torch.randn(1, (h // patch) * (w // patch), dim))
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        p = self.patch
        b, c, h, w = x.shape
        tokens = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, -1, c * p * p)
        z = self.embed(tokens) + self.pos
        for blk in self.blocks:
            z = blk(z)
        return self.head(self.ln(z).mean(dim=1))


def build_model(kind: str, in_shape: tuple[int, int, int], n_classes: int, *, seed: int,
                dtype: torch.dtype = torch.float32, **sizes: int) -> nn.Module:
    """``'linear'``, ``'mlp'``, ``'cnn'`` or ``'vit'``, initialised from ``seed`` (the caller's global generator
    state is left untouched); ``sizes`` go to the constructor (``hidden``, ``channels``, ``dim`` ...)."""
    builders: dict[str, Callable[[], nn.Module]] = {
        "linear": lambda: Linear(math.prod(in_shape), n_classes, **sizes),
        "mlp": lambda: MLP(math.prod(in_shape), n_classes, **sizes),
        "cnn": lambda: SmallCNN(in_shape, n_classes, **sizes),
        "vit": lambda: TinyViT(in_shape, n_classes, **sizes),
    }
    if kind not in builders:
        raise InputError(f"unknown model kind {kind!r}; known: {sorted(builders)}")
    # nn.Module initialisers draw from the global generator; fork it so the caller's state is untouched.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = builders[kind]()
    return model.to(dtype)


def n_params(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def make_optimizer(name: str, params: Iterable[Tensor], lr: float) -> torch.optim.Optimizer:
    """The package's one optimizer factory (digits models and the §5.1 parametric models alike).

    Parameters
    ----------
    name : ``'sgd'`` (plain, no momentum: the paper's §9 SGD) or ``'adam'`` (default betas).
    params : the parameters to optimise.
    lr : learning rate ``alpha > 0`` (else :class:`HypothesisViolation`, as the theory refuses it).
    """
    if not lr > 0:
        raise HypothesisViolation("alpha > 0", f"alpha = {lr}")
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise InputError(f"unknown optimizer {name!r}; known: 'sgd', 'adam'")


@dataclass
class TrajectoryWindow:
    """Ring buffer of the last ``capacity`` flat parameter vectors ``(capacity, d)`` (float32: half the memory
    of float64, and far finer than the step-to-step changes it records)."""

    capacity: int
    dim: int

    def __post_init__(self) -> None:
        if self.capacity < 3:
            raise InputError(f"window capacity must be >= 3, got {self.capacity}")
        self._buf = torch.zeros(self.capacity, self.dim, dtype=torch.float32)
        self._count = 0

    def push(self, theta: Tensor) -> None:
        self._buf[self._count % self.capacity] = theta.detach().reshape(-1).to(torch.float32).cpu()
        self._count += 1

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    def array(self) -> Tensor:
        """The stored iterates in time order, ``(len(self), d)``."""
        n = len(self)
        if self._count <= self.capacity:
            return self._buf[:n].clone()
        start = self._count % self.capacity
        return torch.cat([self._buf[start:], self._buf[:start]])


def minibatch_indices(n: int, batch_size: int, generator: torch.Generator):
    """Endless stream of random mini-batch index tensors (reshuffled each epoch, last partial batch dropped)."""
    if not 1 <= batch_size <= n:
        raise InputError(f"batch_size must be in [1, n = {n}], got {batch_size}")
    while True:
        perm = torch.randperm(n, generator=generator)
        for i in range(0, n - batch_size + 1, batch_size):
            yield perm[i:i + batch_size]


def digits_batches(data: ImageData, batch_size: int, generator: torch.Generator,
                   device: torch.device | str | None = None) -> Iterator[tuple[Tensor, Tensor]]:
    """Endless training mini-batches ``(x, y)`` of ``data`` in the order of :func:`minibatch_indices`, on
    ``device`` (None: where the data are)."""
    for idx in minibatch_indices(len(data.y_train), batch_size, generator):
        yield data.x_train[idx].to(device), data.y_train[idx].to(device)


def train_steps(model: nn.Module, optimizer: torch.optim.Optimizer, batches: Iterable[tuple[Tensor, Tensor]],
                steps: int, *, loss_fn: Callable[[Tensor, Tensor], Tensor] = nn.functional.cross_entropy,
                before_step: StepHook | None = None, after_step: StepHook | None = None) -> list[float]:
    """The package's one training loop: ``steps`` optimizer steps on ``loss_fn(model(x), y)``, one batch each.

    Parameters
    ----------
    model, optimizer : the model and an optimizer over its parameters (e.g. :func:`make_optimizer`).
    batches : iterable of ``(x, y)``, e.g. :func:`digits_batches`; running out raises :class:`InputError`.
    steps : number of steps, ``>= 1``.
    loss_fn : the training loss (default: cross-entropy on logits).
    before_step : called as ``before_step(t, loss)`` after ``backward``, before ``optimizer.step()`` (``.grad``
        holds step ``t``'s gradient; ``t`` counts from 1; raising stops training).
    after_step : called as ``after_step(t, loss)`` after ``optimizer.step()`` (the parameters after ``t`` steps).

    Returns
    -------
    list of the ``steps`` training losses (each measured before its step).
    """
    if not (isinstance(steps, int) and steps >= 1):
        raise InputError(f"steps must be an integer >= 1, got {steps!r}")
    losses: list[float] = []
    it = iter(batches)
    for t in range(1, steps + 1):
        try:
            x, y = next(it)
        except StopIteration:
            raise InputError(f"batches ran out after {t - 1} of {steps} steps") from None
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        value = float(loss.detach())
        if before_step is not None:
            before_step(t, value)
        optimizer.step()
        losses.append(value)
        if after_step is not None:
            after_step(t, value)
    return losses
