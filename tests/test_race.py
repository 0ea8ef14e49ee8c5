"""Notebook 05's race bookkeeping (rmsprop_lib.experiments.race): each helper against a hand computation."""

import numpy as np
import pytest

from rmsprop_lib import SGD, RMSProp, minimize, problems
from rmsprop_lib.core.runner import Trajectory
from rmsprop_lib.experiments import race

bowl, saddle = problems.bowl, problems.saddle


def trajectory(xs, problem=bowl, diverged_at=None):
    """A hand-made sweep: positions of shape (steps + 1, n, 2)."""
    xs = np.asarray(xs, dtype=float)
    return Trajectory(xs=xs, losses=problem.f(xs), diverged_at=np.full(xs.shape[1], -1) if diverged_at is None else np.asarray(diverged_at))


def test_gap_at_end_is_the_worst_of_the_last_steps_and_nan_where_diverged():
    # run 0 drops from f = 2 to 0.02 at the last step; run 1 settles; run 2 diverged at step 2
    xs = [[[1, 1], [1, 1], [0.1, 0.1]], [[0.1, 0.1], [0.1, 0], [0, 0]], [[1, 1], [0, 0], [0, 0]], [[0.1, 0.1], [0, 0], [0, 0]]]
    run = trajectory(np.transpose(xs, (1, 0, 2)), diverged_at=[-1, -1, 2, -1])
    np.testing.assert_allclose(race.gap_at_end(run, bowl, last=2)[:2], [2.0, 0.01])
    np.testing.assert_allclose(race.gap_at_end(run, bowl, last=1)[:2], [0.02, 0.0])
    assert np.isnan(race.gap_at_end(run, bowl, last=3)[2])


def test_gap_at_end_refuses_a_problem_without_minimum_and_a_single_run():
    with pytest.raises(ValueError, match="no minimum"):
        race.gap_at_end(trajectory(np.zeros((3, 2, 2)), saddle), saddle)
    with pytest.raises(ValueError, match="sweep"):
        race.gap_at_end(minimize(bowl, SGD(lr=0.1), [1.0, 1.0], steps=3), bowl)
    with pytest.raises(ValueError):
        race.gap_at_end(trajectory(np.zeros((3, 2, 2))), bowl, last=4)


def test_escape_steps_needs_y_beyond_1_with_x_within_its_start():
    xs = np.zeros((4, 3, 2))
    xs[:, :, 0] = 1.5
    xs[:, 0, 1] = [1e-3, 0.5, 1.2, 3]      # escapes at step 2
    xs[:, 1, 1] = [1e-3, 0.1, 0.2, 0.3]    # never
    xs[:, 2, 1] = [1e-3, 2, 2, 2]          # |y| > 1 at step 1, but x is thrown out there
    xs[1, 2, 0] = 5.0
    np.testing.assert_array_equal(race.escape_steps(trajectory(xs, saddle)), [2, -1, 2])


def test_standing_of_gradient_descent_on_the_bowl_matches_the_closed_form():
    # GD on x^2 + y^2: x_k = (1 - 2 lr)^k x_0, so f_k = 41 (1 - 2 lr)^(2k) from (5, 4)
    lrs = np.array([0.01, 0.1, 0.25, 1.0, 1.2])
    run = minimize(bowl, SGD(lr=lrs[:, None]), np.tile([5.0, 4.0], (5, 1)), steps=200, bound=1e6)
    s = race.standing(run, bowl, lrs, tol=1e-6)
    factor = np.abs(1 - 2 * lrs[:3])
    expected = np.ceil(np.log(1e-6 / 41) / (2 * np.log(factor))).astype(int)
    np.testing.assert_array_equal(s.arrival[:3], np.where(expected <= 200, expected, -1))
    assert s.arrival[3] == -1 and not s.diverged[3]   # lr = 1: x_k = -x_(k-1) for ever
    assert s.diverged[4] and np.isnan(s.gap[4])
    assert list(s.reach) == [False, True, True, False, False] and s.fastest == 2 and s.fewest == s.arrival[2] == 13
    assert list(s.held) == [False, True, True, False, False] and list(s.ends) == [False, True, True, False, False]
    np.testing.assert_allclose(s.largest_step[1], 2 * 5.0)  # the first step, lr * 2 x_0, in units of lr
    assert s.window == round(float(np.log10(0.25 / 0.1)), 2)
    assert list(s.above_window) == [False, False, False, True, True]


def test_standing_falls_back_to_the_best_gap_and_to_none():
    lrs = np.array([1e-4, 1e-3])
    s = race.standing(minimize(bowl, SGD(lr=lrs[:, None]), np.tile([5.0, 4.0], (2, 1)), steps=10), bowl, lrs, 1e-6, last=5)
    assert s.fewest is None and s.window is None and s.fastest == s.best_gap == 1 and not s.above_window.any()
    runs = minimize(saddle, SGD(lr=lrs[:, None]), np.tile([1.5, 1e-3], (2, 1)), steps=10)
    on_saddle = race.standing(runs, saddle, lrs, 1e-6, last=5)
    assert on_saddle.fastest is None and on_saddle.best_gap is None and np.isnan(on_saddle.gap).all()


def test_standing_on_the_saddle_counts_escapes():
    lrs = np.array([0.1, 1e-4])
    runs = minimize(saddle, RMSProp(lr=lrs[:, None]), np.tile([1.5, 1e-3], (2, 1)), steps=100)
    s = race.standing(runs, saddle, lrs, 1e-6)
    np.testing.assert_array_equal(s.arrival, race.escape_steps(runs))
    assert s.reach[0] and not s.reach[1] and s.fastest == 0


def test_standing_refuses_mismatched_learning_rates():
    run = trajectory(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="shape"):
        race.standing(run, bowl, [0.1, 0.2, 0.3], 1e-6)
    with pytest.raises(ValueError):
        race.standing(run, bowl, [0.1, 0.2], 0.0)


def test_table_steps_at_and_lr_range():
    lrs = np.geomspace(1e-3, 1, 4)
    sweeps = {name: minimize(bowl, make(lrs[:, None]), np.tile([5.0, 4.0], (4, 1)), steps=300)
              for name, make in {"GD": lambda lr: SGD(lr=lr), "RMSProp": lambda lr: RMSProp(lr=lr)}.items()}
    standings = {name: race.standing(run, bowl, lrs, 1e-6) for name, run in sweeps.items()}
    text = race.table(standings, bowl)
    assert text.splitlines()[0].startswith("bowl: f = x^2 + y^2") and len(text.splitlines()) == 4
    assert "never" in race.steps_at(standings, [1e-3]) and race.steps_at(standings, [0.1, 1]).count("\n") == 2
    assert race.lr_range([0.0051, 0.79, 0.1]) == "0.0051 .. 0.79" and race.lr_range([]) == "-"
    with pytest.raises(ValueError):
        race.table({}, bowl)
    widths = race.windows({"bowl": standings, "again": standings}).splitlines()
    assert len(widths) == 3 and widths[0].split()[-2:] == ["bowl", "again"]
    assert widths[1].split()[0] == "GD" and widths[1].split()[-1] == f"{standings['GD'].window:.1f}"


def _standing(arrival):
    arrival = np.asarray(arrival)
    n = len(arrival)
    return race.Standing(lrs=np.geomspace(0.1, 1, n), arrival=arrival, gap=np.full(n, np.nan), diverged=np.zeros(n, bool),
                         held=np.zeros(n, bool), largest_step=np.ones(n), tol=1e-6)


def test_fastest_names_every_tie_and_ranking_puts_never_last():
    standings = {"A": _standing([5, -1, 3]), "B": _standing([4, 7, 3]), "C": _standing([-1, -1, 9])}
    assert race.fastest(standings) == ["A", "B"]
    assert race.fastest({"C": _standing([-1])}) == []
    order = race.ranking(standings)
    assert order.shape == (3, 3)
    assert list(order[0]) == ["B", "A", "C"] and list(order[1]) == ["B", "A", "C"] and list(order[2]) == ["A", "B", "C"]


def test_cycle_loss_is_f_at_half_the_learning_rate():
    lrs = np.array([0.01, 0.1, 1.0])
    np.testing.assert_allclose(race.cycle_loss(bowl, lrs), lrs**2 / 2)
    np.testing.assert_allclose(race.cycle_loss(problems.ill_conditioned, lrs), 0.525 * lrs**2)
    with pytest.raises(ValueError):
        race.cycle_loss(saddle, lrs)


def test_in_cycle_finds_rmsprop_s_cycle_and_nothing_else():
    run = minimize(bowl, RMSProp(lr=0.1, rho=0.9, eps=1e-6), [5.0, 4.0], steps=300)
    assert race.in_cycle(run, 0.1, rtol=5e-3) is True
    assert race.in_cycle(minimize(bowl, SGD(lr=0.1), [5.0, 4.0], steps=300), 0.1) is False
    lrs = np.array([0.1, 1e-4])
    sweep = minimize(bowl, RMSProp(lr=lrs[:, None]), np.tile([5.0, 4.0], (2, 1)), steps=300)
    np.testing.assert_array_equal(race.in_cycle(sweep, lrs), [True, False])
    with pytest.raises(ValueError):
        race.in_cycle(sweep, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError):
        race.in_cycle(minimize(bowl, SGD(lr=0.1), [5.0, 4.0], steps=0), 0.1)


def test_in_cycle_over_the_last_points_needs_every_one_at_half_lr_and_a_flip_at_every_step():
    # per run, three points: run 0 arrives at the corners only at its second point; run 1 sits at the corners, but
    # its first step flips x alone; run 2 cycles throughout
    runs = [[[0.3, 0.3], [0.05, 0.05], [-0.05, -0.05]],
            [[0.05, 0.05], [-0.05, 0.05], [0.05, -0.05]],
            [[0.05, -0.05], [-0.05, 0.05], [0.05, -0.05]]]
    run = trajectory(np.swapaxes(runs, 0, 1))  # positions of shape (3 points, 3 runs, 2)
    np.testing.assert_array_equal(race.in_cycle(run, 0.1), [True, True, True])
    np.testing.assert_array_equal(race.in_cycle(run, 0.1, last=3), [False, False, True])
    seed = minimize(bowl, RMSProp(lr=0.1, rho=0.9, eps=1e-6), [5.0, 4.0], steps=300)
    assert race.in_cycle(seed, 0.1, rtol=5e-3, last=2) is True
    assert race.in_cycle(seed, 0.1, rtol=5e-3, last=len(seed.xs)) is False  # it starts at (5, 4)
    for last in (1, len(seed.xs) + 1):
        with pytest.raises(ValueError):
            race.in_cycle(seed, 0.1, last=last)
