"""Run one of our optimizers and one of torch.optim's on the same gradients, in float64.

Used by the notebook-08 optimizer tests (test_sign_methods, test_adam_variants,
test_preconditioners, test_schedules); ``tests/test_optimizers.py`` keeps its own
loop over ``minimize``.
"""

import numpy as np


def ours(optimizer, grad, x0, steps):
    """Positions ``x_0 .. x_steps`` of our ``optimizer`` on ``grad(x)`` (params passed when it uses them)."""
    x = np.array(x0, dtype=float)
    state = optimizer.init(x)
    xs = [x]
    for _ in range(steps):
        kwargs = {"params": x} if getattr(optimizer, "uses_params", False) else {}
        updates, state = optimizer.update(grad(x), state, **kwargs)
        x = x - updates
        xs.append(x)
    return np.array(xs)


def theirs(torch, make_optimizer, grad, x0, steps, make_scheduler=None):
    """Positions of ``make_optimizer([p])`` (a torch.optim optimizer) on the same ``grad``, float64."""
    p = torch.tensor(np.array(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([p])
    scheduler = make_scheduler(opt) if make_scheduler else None
    xs = [p.detach().numpy().copy()]
    for _ in range(steps):
        p.grad = torch.from_numpy(np.ascontiguousarray(grad(p.detach().numpy())))
        opt.step()
        if scheduler:
            scheduler.step()
        xs.append(p.detach().numpy().copy())
    return np.array(xs)


def compare(torch, optimizer, make_optimizer, grad, x0, steps=200, **kwargs):
    """Both trajectories; fails if the setting barely moves (a weak test). Returns (ours, theirs)."""
    a = ours(optimizer, grad, x0, steps)
    b = theirs(torch, make_optimizer, grad, x0, steps, **kwargs)
    assert np.all(np.isfinite(a))
    assert np.max(np.abs(b[-1] - b[0])) > 1e-2, "the setting barely moves: a weak test"
    return a, b
