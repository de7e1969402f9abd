"""Hessian tests run torch single-threaded: on a shared 2-core machine, multi-threaded intra-op kernels
oversubscribe the cores and run up to 100x slower; results do not depend on the thread count."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _single_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
