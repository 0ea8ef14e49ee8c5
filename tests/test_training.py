"""Mini-batch training, the digits data, and the network figures and explorer."""

from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pytest

from matplotlib.figure import Figure

from rmsprop_lib import SGD, Adafactor, Adam, AdamW, RMSProp
from rmsprop_lib.experiments.digits import DATA_FILE, load_digits, train_test_split
from rmsprop_lib.experiments.network import MLP
from rmsprop_lib.experiments.training import ClipGradNorm, Stacked, StateSize, WithL2, state_size, train
from rmsprop_lib.numerics._plumbing import call_update
from rmsprop_lib.drawing.training_plots import (batch_losses, draw_training, layer_steps, lr_sensitivity, per_epoch, training_axes,
                                                training_figure)
from rmsprop_lib.drawing.widgets import Explorer, lr_slider

MODEL = MLP((64, 16, 10))


@pytest.fixture(scope="module")
def data():
    x, y = load_digits()
    return train_test_split(x[:300], y[:300], test_size=100, seed=0)


# ------------------------------------------------------------------ data


def test_the_committed_digits_file_is_the_expected_data():
    x, y = load_digits()
    assert x.shape == (1797, 64) and y.shape == (1797,)
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.array_equal(np.unique(x * 16), np.arange(17))  # integer counts 0..16, scaled
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert DATA_FILE.stat().st_size < 100_000


def test_a_missing_or_wrong_data_file_gets_a_clear_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="digits data file .* is missing"):
        load_digits(tmp_path / "nothing.npz")
    np.savez(tmp_path / "wrong.npz", pixels=np.zeros(3))
    with pytest.raises(ValueError, match="must hold arrays 'images' and 'labels'"):
        load_digits(tmp_path / "wrong.npz")


def test_split_is_seeded_and_disjoint():
    x = np.arange(20.0)[:, None]
    y = np.arange(20)
    a, b = train_test_split(x, y, 5, seed=1), train_test_split(x, y, 5, seed=1)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert len(a.x_train) == 15 and len(a.y_test) == 5
    assert set(a.y_train) | set(a.y_test) == set(range(20)) and not set(a.y_train) & set(a.y_test)
    assert not np.array_equal(a.y_test, train_test_split(x, y, 5, seed=2).y_test)
    with pytest.raises(ValueError, match=r"test_size must be an integer in \[1, 19\]"):
        train_test_split(x, y, 20)


# -------------------------------------------------------------- training


def loop_by_hand(data, optimizer, seed, epochs=2, batch_size=32):
    """The training loop written out (as in the notebook): (loss, grad, updates, theta before the step) per step."""
    rng = np.random.default_rng(seed)
    theta = MODEL.init(rng)
    state = optimizer.init(theta)
    n = len(data.x_train)
    for _ in range(epochs):
        order = rng.permutation(n)
        for j in range(n // batch_size):
            batch = order[j * batch_size : (j + 1) * batch_size]
            loss, grad = MODEL.loss_and_grad(theta, data.x_train[batch], data.y_train[batch])
            updates, state = optimizer.update(grad, state)
            yield loss, grad, updates, theta
            theta = theta - updates


def test_train_is_the_documented_loop(data):
    """One run of ``train`` equals the loop written out (as in the notebook)."""
    run = train(MODEL, RMSProp(0.003), data.x_train, data.y_train, epochs=2, batch_size=32, seeds=7)
    steps = list(loop_by_hand(data, RMSProp(0.003), seed=7))
    losses = [loss for loss, *_ in steps]
    _, _, updates, theta = steps[-1]
    n = len(data.x_train)
    np.testing.assert_allclose(run.theta[0], theta - updates, rtol=1e-12)
    np.testing.assert_allclose(run.losses[:, 0], losses, rtol=1e-12)
    assert run.steps_per_epoch == n // 32 and run.losses.shape == (2 * (n // 32), 1)


def test_training_is_deterministic_and_batched_runs_equal_single_runs(data):
    a = train(MODEL, Adam(0.01), data.x_train, data.y_train, 2, 16, seeds=[0, 1], x_test=data.x_test, y_test=data.y_test)
    b = train(MODEL, Adam(0.01), data.x_train, data.y_train, 2, 16, seeds=[0, 1], x_test=data.x_test, y_test=data.y_test)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.test_accuracy, b.test_accuracy)
    single = train(MODEL, Adam(0.01), data.x_train, data.y_train, 2, 16, seeds=1, x_test=data.x_test, y_test=data.y_test)
    np.testing.assert_allclose(a.theta[1], single.theta[0], rtol=1e-12)
    np.testing.assert_allclose(a.losses[:, 1], single.losses[:, 0], rtol=1e-12)
    assert not np.array_equal(a.theta[0], a.theta[1])


def test_records_have_the_documented_shapes(data):
    run = train(MODEL, SGD(0.3), data.x_train, data.y_train, 3, 50, seeds=[0, 1, 2], x_test=data.x_test, y_test=data.y_test)
    assert run.losses.shape == (3 * 4, 3) and run.theta.shape == (3, MODEL.n_params)
    assert run.train_loss.shape == run.test_accuracy.shape == (4, 3)
    np.testing.assert_array_equal(run.eval_epochs, [0, 1, 2, 3])
    assert np.all(run.train_loss[-1] < run.train_loss[0])
    sweep = train(MODEL, SGD(0.3), data.x_train, data.y_train, 3, 50, seeds=[0, 1, 2], x_test=data.x_test, y_test=data.y_test, every_epoch=False)
    np.testing.assert_array_equal(sweep.eval_epochs, [0, 3])
    np.testing.assert_allclose(sweep.train_loss, run.train_loss[[0, 3]], rtol=1e-12)
    no_test = train(MODEL, SGD(0.3), data.x_train, data.y_train, 1, 50)
    assert no_test.test_accuracy.shape == (0, 1)


def test_one_learning_rate_per_run(data):
    lrs = np.array([[0.01], [0.1]])
    both = train(MODEL, SGD(lrs), data.x_train, data.y_train, 1, 20, seeds=[0, 0])
    slow = train(MODEL, SGD(0.01), data.x_train, data.y_train, 1, 20, seeds=0)
    np.testing.assert_allclose(both.theta[0], slow.theta[0], rtol=1e-12)
    assert both.train_loss[-1, 1] < both.train_loss[-1, 0]


def test_stacked_runs_each_optimizer_on_its_own_group(data):
    stacked = Stacked([SGD(0.3), RMSProp(np.array([[0.001], [0.003]]))])
    run = train(MODEL, stacked, data.x_train, data.y_train, 1, 20, seeds=[0, 1, 0, 1])
    groups = run.groups(["SGD", "RMSProp"])
    assert list(groups) == ["SGD", "RMSProp"] and groups["RMSProp"].theta.shape == (2, MODEL.n_params)
    alone = train(MODEL, RMSProp(0.003), data.x_train, data.y_train, 1, 20, seeds=1)
    np.testing.assert_allclose(groups["RMSProp"].theta[1], alone.theta[0], rtol=1e-12)
    sgd = train(MODEL, SGD(0.3), data.x_train, data.y_train, 1, 20, seeds=[0, 1])
    np.testing.assert_allclose(groups["SGD"].theta, sgd.theta, rtol=1e-12)
    with pytest.raises(ValueError, match="divisible by the 2 optimizers"):
        stacked.init(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="equal groups"):
        run.groups(["a", "b", "c"])


def test_a_blow_up_is_reported_frozen_and_silent(data):
    """A huge step pushes the weights past the bound: the run stops there, NaN afterwards, no warning."""
    run = train(MODEL, SGD(np.array([[0.1], [1e9]])), data.x_train, data.y_train, 2, 20, seeds=[0, 0], x_test=data.x_test, y_test=data.y_test)
    assert run.diverged_at[0] == -1 and run.diverged_at[1] >= 1
    k = run.diverged_at[1]
    assert np.isfinite(run.losses[: k, 1]).all() and np.isnan(run.losses[k:, 1]).all()
    assert np.isfinite(run.theta).all() and np.abs(run.theta).max() <= 1e6
    assert np.isnan(run.train_loss[-1, 1]) and np.isnan(run.test_accuracy[-1, 1])



def test_per_layer_records_each_weight_matrix_lengths_as_the_loop_by_hand(data):
    """``per_layer=True``: |g_W|, |update_W|, |W| (before the step) per step, run and weight matrix; biases left out."""
    run = train(MODEL, Stacked([SGD(0.3), RMSProp(0.003)]), data.x_train, data.y_train, 2, 32, seeds=[5, 5], per_layer=True)
    layers = run.layers
    assert layers.names == ("W1", "W2") and layers.grad.shape == layers.update.shape == layers.weight.shape == (len(run.losses), 2, 2)
    expected = np.array([[[np.linalg.norm(w) for w, _ in MODEL.unpack(a)] for a in (grad, updates, theta)]
                         for _, grad, updates, theta in loop_by_hand(data, RMSProp(0.003), seed=5)])  # (steps, 3, L)
    for i, recorded in enumerate((layers.grad, layers.update, layers.weight)):
        np.testing.assert_allclose(recorded[:, 1], expected[:, i], rtol=1e-12)
    np.testing.assert_allclose(layers.effective_lr[:, 0], 0.3, rtol=1e-12)  # plain SGD: its lr, in every layer
    np.testing.assert_allclose(layers.update_ratio, layers.update / layers.weight, rtol=1e-15)
    rmsprop = run.groups(["SGD", "RMSProp"])["RMSProp"].layers
    np.testing.assert_array_equal(rmsprop.grad[:, 0], layers.grad[:, 1])
    assert train(MODEL, SGD(0.3), data.x_train, data.y_train, 1, 32).layers is None  # off by default


def test_per_layer_lengths_are_nan_once_a_run_diverged(data):
    run = train(MODEL, SGD(np.array([[0.1], [1e9]])), data.x_train, data.y_train, 2, 20, seeds=[0, 0], per_layer=True)
    k = run.diverged_at[1]
    assert np.isfinite(run.layers.update[:k, 1]).all() and np.isnan(run.layers.update[k:, 1]).all()
    assert np.isfinite(run.layers.update[:, 0]).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(batch_size=0), r"batch_size must be an integer in \[1, 200\]"),
        (dict(batch_size=201), r"batch_size must be an integer in \[1, 200\]"),
        (dict(epochs=-1), "epochs must be an integer >= 0"),
        (dict(seeds=[]), "seeds must be an integer or a non-empty list"),
    ],
)
def test_bad_settings_get_a_clear_message(data, kwargs, message):
    settings = dict(epochs=1, batch_size=20) | kwargs
    with pytest.raises(ValueError, match=message):
        train(MODEL, SGD(0.1), data.x_train, data.y_train, **settings)


def test_a_bool_batch_size_is_a_type_error(data):
    with pytest.raises(TypeError, match=r"batch_size must be an integer in \[1, 200\] \(the number of training rows\), got bool"):
        train(MODEL, SGD(0.1), data.x_train, data.y_train, epochs=1, batch_size=True)


def test_mismatched_data_gets_a_clear_message(data):
    with pytest.raises(ValueError, match=r"x must have shape \(n, n_in\) and y shape \(n,\)"):
        train(MODEL, SGD(0.1), data.x_train, data.y_train[:-1], 1, 20)


# ------------------------------------------------------- figures, explorer


def test_training_figure_draws_the_recorded_curves(data):
    runs = train(MODEL, Stacked([SGD(0.3), Adam(0.01)]), data.x_train, data.y_train, 2, 20, seeds=[0, 0],
                 x_test=data.x_test, y_test=data.y_test).groups(["SGD", "Adam"])
    figure = training_figure(runs)
    ax_loss, ax_acc = figure.axes
    line = next(l for l in ax_loss.lines if l.get_label() == "Adam")
    np.testing.assert_array_equal(line.get_xdata(), runs["Adam"].eval_epochs * runs["Adam"].steps_per_epoch)
    np.testing.assert_allclose(line.get_ydata(), runs["Adam"].train_loss[:, 0])
    acc = next(l for l in ax_acc.lines if l.get_label() == "SGD")
    np.testing.assert_allclose(acc.get_ydata(), runs["SGD"].test_accuracy[:, 0])
    assert ax_loss.get_yscale() == "log" and not ax_loss.texts


def network_explorer(data, fast=True):
    """Notebook 07's explorer in small: SGD on 200 digits, lr from 1e-3 to 1e10 (it diverges far before)."""

    def compute(lr):
        run = train(MODEL, SGD(lr), data.x_train, data.y_train, 1, 50, seeds=0, x_test=data.x_test, y_test=data.y_test)
        return "one epoch", {"SGD": run}

    controls = {"lr": lr_slider(0.1, 1e-3, 1e10)}
    if fast:  # fixed panels, only the runs redrawn
        return Explorer(controls, compute, make_axes=training_axes, draw_runs=draw_training)
    return Explorer(controls, compute, lambda figure, title, runs: training_figure(runs, title, figure=figure))


@pytest.mark.parametrize("fast", [True, False], ids=["fixed panels", "full redraw"])
def test_the_explorer_retrains_and_says_where_training_blew_up(data, fast):
    ex = network_explorer(data, fast)
    assert ex.error is None and not ex.figure.axes[0].texts
    before = ex.image.value
    ex.controls["lr"].value = 0.5
    assert ex.runs["SGD"].diverged_at[0] == -1 and ex.image.value != before
    at_half = bytes(ex.image.value)
    ex.controls["lr"].value = 1e9
    k = int(ex.runs["SGD"].diverged_at[0])
    assert k >= 1 and ex.error is None
    texts = [t.get_text() for t in ex.figure.axes[0].texts]
    assert texts == [f"SGD diverged at step {k}"]
    ex.controls["lr"].value = 0.5  # back: the message is gone, the picture is the first one again
    assert not ex.figure.axes[0].texts and bytes(ex.image.value) == at_half


def test_the_network_panels_stay_put_while_the_learning_rate_moves(data):
    runs = train(MODEL, Stacked([SGD(0.3), Adam(0.01)]), data.x_train, data.y_train, 3, 20, seeds=[0, 0],
                 x_test=data.x_test, y_test=data.y_test).groups(["SGD", "Adam"])
    figure = training_figure(runs, "three epochs")
    ax_loss, ax_acc = figure.axes
    steps = runs["SGD"].losses.shape[0]
    assert ax_loss.get_xlim() == pytest.approx((-0.02 * steps, 1.02 * steps)) and ax_acc.get_xlim() == pytest.approx((-0.06, 3.06))
    low, high = np.log10(ax_loss.get_ylim())
    assert low == np.floor(low) and high == np.ceil(high)  # whole decades
    drawn = np.concatenate([line.get_ydata() for line in ax_loss.lines])
    assert 10**low <= np.nanmin(drawn) and np.nanmax(drawn) <= 10**high
    assert [t.get_text() for t in ax_acc.get_legend().get_texts()] == ["SGD", "Adam"]
    assert figure.get_suptitle() == "three epochs"


def test_zero_epochs_draw_the_start_without_warnings(data):
    import warnings

    run = train(MODEL, SGD(0.1), data.x_train, data.y_train, 0, 20, x_test=data.x_test, y_test=data.y_test)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = training_figure({"SGD": run})
        figure.canvas.draw()
    assert figure.axes[1].get_xlim() == pytest.approx((-0.02, 1.02))


def test_no_ticked_optimizer_is_said_not_shown_as_empty_axes():
    figure = training_figure({})
    assert [t.get_text() for t in figure.axes[0].texts] == ["no optimizer selected"]


def test_lr_sensitivity_draws_the_mean_over_seeds():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    scores = {"SGD": np.array([[0.2, 0.4], [0.9, 0.95], [np.nan, 0.1]])}
    lines = lr_sensitivity(ax, np.array([1e-3, 1e-2, 1e-1]), scores)
    np.testing.assert_allclose(lines["SGD"].get_ydata(), [0.3, 0.925, 0.1])
    assert ax.get_xscale() == "log"
    plt.close(fig)


def test_layer_steps_draws_each_optimizer_and_layer_per_epoch(data):
    import matplotlib.pyplot as plt

    run = train(MODEL, Stacked([SGD(0.3), RMSProp(0.003)]), data.x_train, data.y_train, 3, 32, seeds=[0, 1, 0, 1], per_layer=True)
    runs = run.groups(["SGD", "RMSProp"])
    fig, (ax_update, ax_ratio, ax_lr) = plt.subplots(1, 3)
    lines = layer_steps((ax_update, ax_ratio, ax_lr), runs)
    assert [key for key in lines if key[0] == "effective_lr"] == [
        ("effective_lr", label) for label in ("SGD, W1", "SGD, W2", "RMSProp, W1", "RMSProp, W2")]
    np.testing.assert_allclose(ax_lr.lines[0].get_ydata(), 0.3, rtol=1e-12)  # SGD: its lr, every epoch
    np.testing.assert_array_equal(ax_lr.lines[0].get_xdata(), [1, 2, 3])
    expected = per_epoch(runs["RMSProp"].layers.update_ratio, run.steps_per_epoch)[..., 1].mean(axis=1)
    np.testing.assert_allclose(ax_ratio.lines[3].get_ydata(), expected, rtol=1e-12)
    assert ax_update.get_yscale() == ax_ratio.get_yscale() == ax_lr.get_yscale() == "log"
    with pytest.raises(ValueError, match="per_layer=True"):
        layer_steps((ax_update, ax_ratio, ax_lr), {"SGD": train(MODEL, SGD(0.3), data.x_train, data.y_train, 1, 32)})
    with pytest.raises(ValueError, match="one per axes"):
        layer_steps((ax_update,), runs, measures=("update", "grad"))
    plt.close(fig)


def test_per_epoch_means_leave_nan_out():
    values = np.array([[1.0], [3.0], [np.nan], [5.0], [np.nan], [np.nan]])
    np.testing.assert_array_equal(per_epoch(values, 2), [[2.0], [5.0], [np.nan]])


# ------------------------------------------------ in practice: clipping, L2, state, memory


def test_train_keeps_the_optimizers_final_state(data):
    run = train(MODEL, Adam(0.01), data.x_train, data.y_train, 1, 20, seeds=[0, 1])
    assert run.state.step == len(run.losses) and run.state.mean_sq.shape == (2, MODEL.n_params)
    steps = list(loop_by_hand(data, Adam(0.01), seed=1, epochs=1, batch_size=20))
    v = sum(0.001 * 0.999 ** (len(steps) - 1 - k) * grad**2 for k, (_, grad, _, _) in enumerate(steps))  # v = sum (1 - b2) b2^(t-k) g_k^2
    np.testing.assert_allclose(run.state.mean_sq[1], v, rtol=1e-10)
    stacked = train(MODEL, Stacked([SGD(0.1), Adam(0.01)]), data.x_train, data.y_train, 1, 20, seeds=[0, 0])
    assert isinstance(stacked.state, tuple) and len(stacked.state) == 2 and stacked.state[1].mean_sq.shape == (1, MODEL.n_params)
    assert stacked.select([0]).state is None and stacked.groups(["SGD", "Adam"])["Adam"].state is None


def test_clip_grad_norm_shortens_each_runs_gradient_to_at_most_max_norm():
    clip = ClipGradNorm(SGD(1.0), max_norm=1.0)
    grad = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])  # lengths 5, 0.5, 0
    updates, _ = clip.update(grad, clip.init(np.zeros((3, 2))))
    np.testing.assert_allclose(updates, [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])
    per_run = ClipGradNorm(SGD(1.0), max_norm=np.array([[1.0], [0.1], [1.0]]))
    np.testing.assert_allclose(per_run.update(grad, per_run.init(np.zeros((3, 2))))[0][1], [0.06, 0.08])
    assert not ClipGradNorm(RMSProp(0.1), 1.0).uses_params and ClipGradNorm(AdamW(0.1), 1.0).uses_params
    with pytest.raises(ValueError, match="max_norm"):
        ClipGradNorm(SGD(1.0), max_norm=0.0)
    with pytest.raises(ValueError, match="max_norm has shape"):
        ClipGradNorm(SGD(1.0), max_norm=np.ones((2, 1))).init(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="optimizer"):
        ClipGradNorm(SGD, 1.0)


def test_clipping_leaves_rmsprops_first_step_unchanged_and_bounds_sgds():
    grad = np.array([[30.0, -40.0]])
    plain, clipped = RMSProp(0.1, eps=0.0), ClipGradNorm(RMSProp(0.1, eps=0.0), 1.0)  # the step lr g / sqrt((1 - rho) g^2): any length
    np.testing.assert_allclose(clipped.update(grad, clipped.init(np.zeros((1, 2))))[0], plain.update(grad, plain.init(np.zeros((1, 2))))[0])
    sgd = ClipGradNorm(SGD(3.0), 1.0)
    assert np.linalg.norm(sgd.update(grad, sgd.init(np.zeros((1, 2))))[0]) == pytest.approx(3.0)


def test_with_l2_adds_weight_decay_times_params_to_the_gradient():
    theta, grad = np.array([[1.0, -2.0]]), np.array([[0.5, 0.5]])
    l2 = WithL2(SGD(0.1), weight_decay=0.5)
    assert l2.uses_params
    updates, _ = l2.update(grad, l2.init(theta), params=theta)
    np.testing.assert_allclose(updates, 0.1 * (grad + 0.5 * theta))  # SGD: exactly weight decay
    adam, adam_l2 = Adam(0.1), WithL2(Adam(0.1), weight_decay=0.5)
    np.testing.assert_allclose(adam_l2.update(grad, adam_l2.init(theta), params=theta)[0],
                               adam.update(grad + 0.5 * theta, adam.init(theta))[0])  # Adam divides the penalty too
    with pytest.raises(ValueError, match="params is required.*WithL2.*train"):
        l2.update(grad, l2.init(theta))
    with pytest.raises(ValueError, match="weight_decay"):
        WithL2(SGD(0.1), weight_decay=-1.0)


def test_with_l2_in_adam_decays_weights_with_small_gradients_more_than_adamw():
    """The mechanism of notebook 07's weight-decay section on two weights: a loss gradient of 100 on one, none on the other."""
    theta, loss_grad = np.array([1.0, 1.0]), np.array([100.0, 0.0])
    end = {}
    for name, opt in {"Adam": Adam(0.01), "L2": WithL2(Adam(0.01), 0.1), "AdamW": AdamW(0.01, weight_decay=0.1)}.items():
        x, state = theta.copy(), opt.init(theta)
        for _ in range(50):
            updates, state = call_update(opt, loss_grad, state, params=x)
            x = x - updates
        end[name] = x
    assert abs(end["L2"][0] - end["Adam"][0]) < 1e-3  # L2 hardly touches the weight with the large gradient
    assert end["Adam"][1] == 1.0 and end["L2"][1] < 0.6  # and pulls the other by about lr per step
    assert end["AdamW"][1] == pytest.approx(0.999**50, rel=1e-12)  # AdamW: the fraction lr * wd of both, per step
    assert end["Adam"][0] - end["AdamW"][0] > 0.02


def test_state_size_counts_the_numbers_each_method_keeps():
    shapes = [(4, 3), (3,), (3, 2), (2,)]
    n = 12 + 3 + 6 + 2
    assert state_size(SGD(0.1), shapes) == StateSize(0, 0)
    assert state_size(RMSProp(0.1), shapes) == StateSize(3 * n, n)  # three buffers allocated, one used
    assert state_size(RMSProp(0.1, centered=True, momentum=0.9), shapes).used == 3 * n
    assert state_size(Adam(0.1), shapes) == StateSize(2 * n, 2 * n)
    assert state_size(Adafactor(0.1), shapes).used == (4 + 3) + 3 + (3 + 2) + 2
    with pytest.raises(ValueError, match="shapes must list"):
        state_size(SGD(0.1), [])
    with pytest.raises(ValueError, match="steps"):
        state_size(SGD(0.1), shapes, steps=0)


def test_batch_losses_draws_every_seed_with_one_label_per_run(data):
    runs = train(MODEL, Stacked([SGD(0.3), Adam(0.01)]), data.x_train, data.y_train, 1, 20, seeds=[0, 1, 0, 1]).groups(["SGD", "Adam"])
    fig = Figure()
    ax = fig.subplots()
    lines = batch_losses(ax, runs, [("#D55E00", "-"), ("#0072B2", "--")])
    assert list(lines) == ["SGD", "Adam"] and len(ax.lines) == 4 and ax.get_yscale() == "log"
    assert [h.get_label() for h in ax.get_legend_handles_labels()[0]] == ["SGD", "Adam"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), runs["SGD"].losses[:, 1])
    assert lines["Adam"].get_color() == "#0072B2" and lines["Adam"].get_linestyle() == "--"


# ------------------------------------------------- notebook 07's measurements, by name

from rmsprop_lib.experiments.training import (ADAM_DEFAULTS, RMSPROP_DEFAULTS, Sweep, bound_above, bound_below, defaults_table,
                                              lr_sweep, quarters, relative_norm, root_v_hat, symptom_table, typical_step)
from rmsprop_lib.drawing.training_plots import decay_panels, symptom_panels


def test_epoch_losses_and_worst_loss_cut_the_steps_by_epoch(data):
    run = train(MODEL, SGD(0.1), data.x_train, data.y_train, 3, 50, seeds=[0, 1])
    k = run.steps_per_epoch
    np.testing.assert_array_equal(run.epoch_losses(2), run.losses[k : 2 * k])
    np.testing.assert_array_equal(run.worst_loss(3), run.losses[2 * k :].max(axis=0))
    with pytest.raises(ValueError, match=r"epoch must be an integer in \[1, 3\]"):
        run.worst_loss(4)


def test_layer_means_and_typical_step(data):
    lr = 0.01
    run = train(MODEL, RMSProp(lr), data.x_train, data.y_train, 2, 50, seeds=[0, 1], per_layer=True)
    means = run.layer_means("update")
    assert means.shape == (2, 2)
    np.testing.assert_allclose(means, per_epoch(run.layers.update, run.steps_per_epoch).mean(axis=1))
    n_weights = np.array([64 * 16, 16 * 10])
    np.testing.assert_allclose(typical_step(run, lr, MODEL), means / (lr * np.sqrt(n_weights)))
    # SGD's typical step is lr times the gradient's root mean square: in units of lr, that root mean square
    sgd = train(MODEL, SGD(0.5), data.x_train, data.y_train, 1, 50, seeds=0, per_layer=True)
    np.testing.assert_allclose(typical_step(sgd, 0.5, MODEL), sgd.layer_means("grad") / np.sqrt(n_weights), rtol=1e-12)
    with pytest.raises(ValueError, match="measure must be one of"):
        run.layer_means("steps")
    with pytest.raises(ValueError, match="per_layer=True"):
        train(MODEL, SGD(0.1), data.x_train, data.y_train, 1, 50).layer_means("update")


def test_root_v_hat_is_the_bias_corrected_root_mean_square():
    adam = Adam(0.1)
    state = adam.init(np.zeros(2))
    for g in ([1.0, 2.0], [3.0, 0.0]):
        _, state = adam.update(np.array(g), state)
    v = 0.999 * 0.001 * np.array([1.0, 4.0]) + 0.001 * np.array([9.0, 0.0])
    np.testing.assert_allclose(root_v_hat(state), np.sqrt(v / (1 - 0.999**2)))
    with pytest.raises(ValueError, match="no step yet"):
        root_v_hat(adam.init(np.zeros(2)))
    with pytest.raises(ValueError, match="beta2 must be in"):
        root_v_hat(state, beta2=1.0)


def test_quarters_and_relative_norm():
    values = np.array([[4.0, 3.0, 2.0, 1.0, 8.0, 7.0, 6.0, 5.0]])
    np.testing.assert_array_equal(quarters(values), [[1, 1, 0, 0, 3, 3, 2, 2]])
    reference = np.array([[3.0, 4.0], [1.0, 0.0]])
    np.testing.assert_allclose(relative_norm(reference / 2, reference), 0.5)
    np.testing.assert_allclose(relative_norm(np.array([[3.0, 0.0], [1.0, 0.0]]), reference, np.array([[True, False], [True, True]])), 1.0)
    with pytest.raises(ValueError, match="one shape"):
        relative_norm(reference, reference[:1])


def test_lr_sweep_is_one_train_call_split_by_optimizer_rate_and_seed(data):
    lrs, seeds = np.array([1e-3, 1e-2, 1e-1, 1.0]), [0, 1]
    sweep = lr_sweep(MODEL, {"SGD": SGD, "RMSProp": RMSProp}, data.x_train, data.y_train, 1, 50, lrs, seeds, data.x_test, data.y_test)
    assert isinstance(sweep, Sweep) and sweep.accuracy["SGD"].shape == (4, 2) and sweep.run.theta.shape[0] == 16
    alone = train(MODEL, RMSProp(0.1), data.x_train, data.y_train, 1, 50, seeds=1, x_test=data.x_test, y_test=data.y_test)
    np.testing.assert_allclose(sweep.runs_at("RMSProp", 0.09).theta[1], alone.theta[0], rtol=1e-12)
    assert sweep.accuracy["RMSProp"][2, 1] == alone.test_accuracy[-1, 0]
    for name in sweep.names:
        mean = sweep.mean(name)
        assert sweep.best_lr(name) == lrs[mean.argmax()]
        low, high = sweep.good_lrs(name)
        good = lrs[mean >= mean.max() - 0.02]
        assert (low, high) == (good.min(), good.max())
        assert sweep.good_decades(name) == round(np.log10(high / low), 1)
        assert sweep.in_good_range(name, sweep.best_lr(name) * 1.2)
        assert not sweep.too_large(name)[mean.argmax()]
    assert sweep.nearest(0.02) == 1 and sweep.nearest(0.05) == 2
    assert sweep.table().splitlines()[0].split() == ["lr", "1e-03", "1e-02", "1e-01", "1e+00"]
    assert len(sweep.ranges_table().splitlines()) == 3
    assert sweep.edge_margin() >= 0
    with pytest.raises(ValueError, match="lrs must be increasing"):
        lr_sweep(MODEL, {"SGD": SGD}, data.x_train, data.y_train, 1, 50, [0.1, 0.01], seeds, data.x_test, data.y_test)
    with pytest.raises(ValueError, match="name must be one of"):
        sweep.runs_at("Adam", 0.1)


def test_too_large_starts_at_the_first_fall_right_of_the_best():
    accuracy = {"A": np.array([[0.5], [0.9], [0.95], [0.8], [0.94], [0.1]])}
    sweep = Sweep(("A",), np.logspace(-3, 2, 6), np.array([0]), None, accuracy, accuracy)
    np.testing.assert_array_equal(sweep.too_large("A"), [False, False, False, True, True, True])
    assert sweep.good_lrs("A") == (1e-1, 10.0)  # the good range spans the fall: first to last good rate
    assert sweep.edge_margin() == pytest.approx(0.01)  # the line is 0.95 - 0.02 = 0.93; the nearest mean, 0.94
    assert "--" in sweep.table()


def test_framework_defaults_rebuild_their_first_steps():
    torch, tf1 = RMSPROP_DEFAULTS["torch.optim.RMSprop"], RMSPROP_DEFAULTS["tf.compat.v1.train.RMSPropOptimizer"]
    assert torch.first_step(0.01) == pytest.approx(0.01 / (np.sqrt(0.01 * 1e-4) + 1e-8))  # about 10: lr / sqrt(1 - rho)
    assert tf1.first_step(0.01) == pytest.approx(0.01 / np.sqrt(0.9 + 0.1 * 1e-4 + 1e-10))  # s_0 = 1: about g
    for row in RMSPROP_DEFAULTS.values():
        assert row.first_step(0.01, lr=0.5) == pytest.approx(row.first_step_formula(0.01, lr=0.5), rel=1e-12)
    assert torch.optimizer().lr == 0.01 and torch.optimizer(0.3).lr == 0.3
    with pytest.raises(ValueError, match="no default learning rate"):
        RMSPROP_DEFAULTS["optax.rmsprop"].optimizer()
    assert ADAM_DEFAULTS["torch.optim.Adam"].first_step(0.01) == pytest.approx(1.0, rel=1e-5)  # Adam's first step: lr sign(g)
    with pytest.raises(ValueError, match="no default learning rate"):
        ADAM_DEFAULTS["optax.adam"].optimizer()
    table = defaults_table({"torch.optim.RMSprop": np.array([0.9, 0.95])})
    assert "0.900 - 0.950" in table and len(table.splitlines()) == 2 + len(RMSPROP_DEFAULTS) + len(ADAM_DEFAULTS)


def test_bounds_print_what_every_value_passes():
    assert bound_above(np.array([12.0, 30.0])) == "> 10" and bound_above([0.5]) == "> 0"
    assert bound_below(np.array([0.05, 0.15])) == "< 0.2" and bound_below([3.0]) == "< inf"


def test_symptom_table_and_panels(data):
    runs = train(MODEL, Stacked([SGD(0.1), SGD(100.0)]), data.x_train, data.y_train, 2, 50, seeds=[0, 1, 0, 1],
                 x_test=data.x_test, y_test=data.y_test).groups(["calm", "wild"])
    cases = {"1 · a case": runs, "2 · another": {"calm": runs["calm"]}}
    table = symptom_table(cases, unstable=("wild",))
    lines = table.splitlines()
    assert "after 2 epochs (2 seeds)" in lines[0] and "epoch 2" in lines[1]
    assert lines[2] == "1 · a case" and lines[4].split()[-1] == "--"
    assert f"{runs['calm'].worst_loss(1).max():.2f}" in lines[3]
    figure = symptom_panels(cases)
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 2 and [ax.get_title() for ax in visible] == list(cases)
    assert len(visible[0].get_lines()) == 2 * 2 + 1  # two seeds per label, and ln 10
    with pytest.raises(ValueError, match="at most 3 runs"):
        symptom_panels({"x": {str(i): runs["calm"] for i in range(4)}})


def test_decay_panels_draw_histograms_and_bars():
    rng = np.random.default_rng(0)
    figure = decay_panels({"W1": rng.lognormal(size=(3, 20)), "W2": rng.lognormal(size=(3, 5))}, 0.03,
                          {"L2": [0.1, 0.3, 0.5, 0.7], "AdamW": [0.4, 0.4, 0.4, 0.4]})
    ax_rate, ax_kept = figure.axes
    assert ax_rate.get_xscale() == "log" and "20 weights x 3 seeds" in ax_rate.get_legend().get_texts()[0].get_text()
    assert [round(p.get_height(), 2) for p in ax_kept.patches[:4]] == [0.1, 0.3, 0.5, 0.7]
