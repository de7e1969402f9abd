"""The one training loop, optimizer factory and thread policy (numerics/models.py, numerics/threads.py)."""

import pytest
import torch

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.numerics.models import build_model, make_optimizer, train_steps
from spectral_universality.numerics.threads import single_thread, torch_threads

SHAPE = (1, 2, 2)


def _stream(n_batches: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(8, *SHAPE, generator=g), torch.randint(0, 3, (8,), generator=g)) for _ in range(n_batches)]


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_train_steps_is_the_plain_loop_and_calls_back_in_order(opt_name):
    batches = _stream(5)
    ref = build_model("mlp", SHAPE, 3, seed=0, hidden=6)
    opt = make_optimizer(opt_name, ref.parameters(), 0.1)
    ref_losses = []
    for x, y in batches:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(ref(x), y)
        loss.backward()
        opt.step()
        ref_losses.append(float(loss.detach()))

    model = build_model("mlp", SHAPE, 3, seed=0, hidden=6)
    calls = []
    first = next(model.parameters())
    losses = train_steps(model, make_optimizer(opt_name, model.parameters(), 0.1), batches, 5,
                         before_step=lambda t, loss: calls.append(("before", t, loss, first.grad.clone())),
                         after_step=lambda t, loss: calls.append(("after", t, loss, first.detach().clone())))
    assert losses == ref_losses
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), ref.parameters()))
    assert [(c[0], c[1]) for c in calls] == [(k, t) for t in range(1, 6) for k in ("before", "after")]
    assert [c[2] for c in calls[::2]] == ref_losses
    assert torch.equal(calls[-1][3], first.detach())  # after_step sees the stepped parameters
    assert not torch.equal(calls[-2][3], torch.zeros_like(first))  # before_step sees the gradient


def test_train_steps_and_make_optimizer_refuse_bad_input():
    model = build_model("linear", SHAPE, 3, seed=0)
    opt = make_optimizer("sgd", model.parameters(), 0.1)
    with pytest.raises(InputError, match="ran out after 2 of 3"):
        train_steps(model, opt, _stream(2), 3)
    with pytest.raises(InputError, match="steps"):
        train_steps(model, opt, _stream(2), 0)
    with pytest.raises(HypothesisViolation, match="alpha > 0"):
        make_optimizer("adam", model.parameters(), 0.0)
    with pytest.raises(InputError, match="unknown optimizer"):
        make_optimizer("rmsprop", model.parameters(), 0.1)


def test_thread_policy_sets_and_restores():
    before = torch.get_num_threads()
    with torch_threads(2):
        with single_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), single_thread():
            raise RuntimeError("restored on error too")
        assert torch.get_num_threads() == 2
        with torch_threads(None):
            assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == before
