"""The package's one torch thread policy: small-tensor work runs on one intra-op thread.

Why one: the tensors here are small (a few thousand to a million elements per op), so OpenMP fork/join costs
dominate, and on the loaded 2-core machine this is developed on, contended threads ran kernels 10-100x slower
(measured: a 1M-element addcmul took 11.7 ms with 2 threads and 0.42 ms with 1; the §5.1 quick benchmark 183 s
with 2 threads and 27 s with 1; HVPs up to 100x slower).  Results do not depend on the thread count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, restoring the previous count after (also on error);
    ``n = None`` leaves the setting alone.  Also usable as a decorator."""
    import torch  # here, not at the top: modules that import this one stay torch-free for a fast ``--help``

    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def single_thread() -> AbstractContextManager[None]:
    """:func:`torch_threads` ``(1)``, the policy of the module docstring: ``with single_thread(): ...`` or
    ``@single_thread()``."""
    return torch_threads(1)
