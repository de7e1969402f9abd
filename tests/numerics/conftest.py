"""Numerics tests run torch single-threaded: their tensors are small (<= ~1e5 elements per op), where OpenMP
fork/join costs dominate, and on a loaded 2-core machine contended OpenMP threads made the suite ~10x slower
(measured: 1M-element addcmul 11.7 ms with 2 threads vs 0.42 ms with 1).  Restored after each test module."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _single_thread_torch():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
