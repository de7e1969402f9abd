"""One front door for the diagnostics of a trained model: ``Diagnostics(model, criterion, batches)``.

Each method wraps the package's own entry function for that diagnostic (nothing is re-implemented here) and
returns the same result object the report uses, each with a JSON-ready ``to_dict()``:

=====================  ===================================================  ==========================================
method                 wraps                                                returns
=====================  ===================================================  ==========================================
``spectrum(k)``        :func:`.hessian.lanczos` on :class:`.HessianOperator`  :class:`.hessian.EigResult`
``certificate()``      :func:`.certificate.spectral_certificate`              :class:`.certificate.Certificate`
``transfer(layer)``    :func:`.transfer.transfer_diagnostic`                  :class:`.transfer.TransferResult`
``alignment(block)``   :func:`.alignment.hessian_and_g_blocks` +              :class:`.alignment.BlockAlignment`
                       :func:`.alignment.block_alignment`
``shells(steps)``      :func:`.shells.train_gd` (on a copy) +                 :class:`.shells.ShellBalance`
                       :func:`.shells.shell_balance`
=====================  ===================================================  ==========================================

The model is never modified (``shells`` trains a deep copy).  Randomness (Lanczos start blocks) comes from a
``torch.Generator`` seeded with ``seed`` afresh in every call, so a call's answer does not depend on the calls
before it; pass ``generator=`` to a method to override.  Computations run on the model's device (move the model
to ``cuda`` first to use a GPU).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from spectral_universality.errors import InputError

from .alignment import BlockAlignment, block_alignment, hessian_and_g_blocks
from .certificate import Certificate, spectral_certificate
from .hessian import Batch, Criterion, EigResult, HessianOperator, _as_batches, flat_params, lanczos, trainable_names
from .shells import ShellBalance, eigh_desc, ntk_gram, shell_balance, shell_spec, train_gd
from .transfer import TransferResult, transfer_diagnostic


class Diagnostics:
    """The spectral diagnostics of ``criterion(model(x), y)`` on fixed ``batches``.

    Parameters
    ----------
    model : nn.Module
        Evaluated as it is (put layers such as dropout in ``eval()`` mode first); never modified.
    criterion : callable ``(outputs, targets) -> scalar``
        A mean loss, e.g. ``torch.nn.functional.cross_entropy``.
    batches : ``(x, y)`` or a non-empty sequence of such pairs
        ``x (n_i, ...)`` inputs and ``y (n_i, ...)`` targets; several chunks mean the sample-weighted mean loss.
    dtype : torch.dtype, optional
        Computation dtype of every method (default: each entry function's own, float64 for the certificate).
    seed : int
        Seed of the generator each call creates for its random start blocks.

    Raises
    ------
    InputError
        ``model`` is not a module, ``criterion`` not callable, ``batches`` malformed, or the loss is not a
        finite scalar at the current parameters.
    """

    def __init__(self, model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], *,
                 dtype: torch.dtype | None = None, seed: int = 0) -> None:
        if not isinstance(model, nn.Module):
            raise InputError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if not callable(criterion):
            raise InputError("criterion must be callable as criterion(model(x), y)")
        if not isinstance(seed, int):
            raise InputError(f"seed must be an integer, got {seed!r}")
        self.model, self.criterion, self.dtype, self.seed = model, criterion, dtype, seed
        self.batches = _as_batches(batches)
        for x, y in self.batches:
            if not (isinstance(x, Tensor) and isinstance(y, Tensor)) or x.shape[0] != y.shape[0] or x.shape[0] < 1:
                raise InputError("each batch must be a pair of tensors (x, y) with the same positive length")
            if x.is_floating_point() and not bool(torch.isfinite(x).all()):
                raise InputError("the inputs contain non-finite values (NaN/inf)")
        self.names = trainable_names(model)
        HessianOperator(model, criterion, self.batches, dtype=dtype)  # checks: a finite scalar loss

    def _gen(self, generator: torch.Generator | None) -> torch.Generator:
        return generator if generator is not None else torch.Generator().manual_seed(self.seed)

    def _dtype_kw(self) -> dict[str, Any]:
        return {} if self.dtype is None else {"dtype": self.dtype}

    def _one_batch(self) -> Batch:
        """All chunks as one batch (the alignment and shell diagnostics take a single batch)."""
        if len(self.batches) == 1:
            return self.batches[0]
        return torch.cat([x for x, _ in self.batches]), torch.cat([y for _, y in self.batches])

    def spectrum(self, k: int, *, params: Sequence[str] | None = None, which: str = "LA", tol: float = 1e-6,
                 block_size: int = 4, start: Tensor | None = None, generator: torch.Generator | None = None,
                 **lanczos_options: Any) -> EigResult:
        """Top-``k`` Hessian eigenpairs by HVP Lanczos (:func:`.hessian.lanczos`).

        Parameters
        ----------
        k : number of eigenpairs, ``1 <= k <= n`` (the number of parameters in ``params``).
        params : parameter names (default all trainable): the Hessian is then that diagonal block.
        which, tol, block_size, start, lanczos_options : see :func:`.hessian.lanczos`; ``start (n, m)`` seeds
            the Krylov space (e.g. a previous call's ``eigenvectors``).

        Returns
        -------
        EigResult : ``eigenvalues (k,)``, ``eigenvectors (n, k)`` in :func:`.hessian.flat_params` order.
        """
        op = HessianOperator(self.model, self.criterion, self.batches, params=params, **self._dtype_kw())
        return lanczos(op, k, which=which, tol=tol, block_size=block_size, start=start,
                       generator=self._gen(generator), **lanczos_options)

    def certificate(self, k: int = 1, *, generator: torch.Generator | None = None, **options: Any) -> Certificate:
        """The spectral certificate (:func:`.certificate.spectral_certificate`): Hessian ``lambda_max``,
        ``lambda_min``, ``kappa``; per-layer norms and rank-``k`` truncation errors; the NTK's top eigenvalue.
        ``options`` are that function's keywords (``ntk_samples``, ``singular_rtol``, ``lanczos_options``, ...)."""
        return spectral_certificate(self.model, self.criterion, self.batches, k, generator=self._gen(generator),
                                    **{**self._dtype_kw(), **options})

    def transfer(self, layer: str, *, generator: torch.Generator | None = None, **options: Any) -> TransferResult:
        """The transfer identity ``s = alpha gamma`` of one weight (:func:`.transfer.transfer_diagnostic`).

        ``layer`` is a parameter name (``"fc1.weight"``) or a module name (``"fc1"``, meaning its ``weight``).
        ``options`` are that function's keywords (``per_sample_batches``, ``n_directions``, ``lanczos_tol``, ...).
        """
        names = dict(self.model.named_parameters())
        param = layer if layer in names else f"{layer}.weight"
        if param not in names or names[param].ndim < 2:
            weights = [n for n, p in names.items() if p.ndim >= 2]
            raise InputError(f"layer {layer!r} is not a weight matrix of the model; weights: {weights}")
        return transfer_diagnostic(self.model, self.criterion, self.batches, param, generator=self._gen(generator),
                                   **{**self._dtype_kw(), **options})

    def alignment(self, block: Sequence[str] | None = None, *, max_outliers: int, vector: Tensor | None = None,
                  span: Tensor | None = None, ratio: float = 1.5, rule: str = "edge",
                  keep_spectrum: bool = False) -> BlockAlignment:
        """Alignment of a parameter block with the outlier eigenspaces of its Hessian and G-matrix blocks
        (:func:`.alignment.hessian_and_g_blocks`, explicit ``(P, P)`` matrices: blocks of up to a few thousand
        parameters; then :func:`.alignment.block_alignment`).

        Parameters
        ----------
        block : parameter names (default all trainable).
        max_outliers : upper bound ``r`` on the number of outliers, ``1 <= r < P``.
        vector : ``(P,)`` the vector to align (default the block's current parameters).
        span : ``(P, q)`` an optional target span (e.g. ``R^k (x) span(class means)``).
        ratio, rule, keep_spectrum : see :func:`.alignment.outlier_subspace` / :func:`.alignment.block_alignment`.
        """
        names = trainable_names(self.model, block)
        mats = hessian_and_g_blocks(self.model, self.criterion, self._one_batch(), names, **self._dtype_kw())
        vec = flat_params(self.model, names, mats.hessian.dtype) if vector is None else vector.to(mats.hessian)
        return block_alignment(mats, vec, None if span is None else span.to(mats.hessian),
                               max_outliers=max_outliers, ratio=ratio, rule=rule, keep_spectrum=keep_spectrum)

    def shells(self, steps: int, *, lr: float | None = None, lr_fraction: float = 0.15, base: float = 2.0,
               n_shells: int | None = 12) -> ShellBalance:
        """Spectral-shell energy budget of full-batch GD on ``0.5 ||model(x) - y||^2`` from the current weights
        (:func:`.shells.train_gd` on a deep copy of the model, then :func:`.shells.shell_balance`).

        The shell theory is that of the squared error: ``criterion`` is not used here.  ``y`` must have the
        model's output shape.

        Parameters
        ----------
        steps : GD steps (``T``).
        lr : GD step; default ``lr_fraction / mu_max`` with ``mu_max`` the top eigenvalue of the initial NTK Gram
            matrix ``M = J J^T`` (``N x N``, ``N`` = samples x outputs).
        base, n_shells : logarithmic shells ``(mu_max b^-(j+1), mu_max b^-j]`` (:func:`.shells.shell_spec`).

        Returns
        -------
        ShellBalance : ``energies (T+1, S)``, ``dissipation``, ``flux (T, S, S)``, ``migration``, ``residual``.
        """
        x, y = self._one_batch()
        net = copy.deepcopy(self.model)
        if self.dtype is not None:
            net = net.to(self.dtype)
            x = x.to(self.dtype) if x.is_floating_point() else x
        y = y.to(x.dtype) if x.is_floating_point() else y
        with torch.no_grad():
            out = net(x)
        if tuple(out.shape) != tuple(y.shape):
            raise InputError(f"the shell diagnostic fits 0.5 ||model(x) - y||^2: targets y must have the output "
                             f"shape {tuple(out.shape)}, got {tuple(y.shape)}")
        mu0 = eigh_desc(ntk_gram(net, x))[0]
        if not float(mu0[0]) > 0:
            raise InputError("the NTK Gram matrix is zero at these parameters: no shells")
        step = float(lr) if lr is not None else lr_fraction / float(mu0[0])
        log = train_gd(net, x, y, step, steps)
        return shell_balance(log.errors, log.grams, log.lr, shell_spec(mu0, base, n_shells))
