"""FullMatrixRMSProp's first step against its closed form, before and after issue 20.

The first state is :math:`S_1 = (1-\\rho) g g^\\top`, of rank 1 with its one
non-zero eigenvalue :math:`(1-\\rho)\\|g\\|^2` along :math:`g`, so the exact
first step is

.. math::
    u_1 = \\text{lr}\\, g / (\\sqrt{1-\\rho}\\,\\|g\\| + \\epsilon).

"before" is the rule as it was computed before issue 20 (every eigenvalue of
``eigh``, rounding included, divided into :math:`Q^\\top g`); "after" is
:class:`rmsprop_lib.FullMatrixRMSProp`. Each cell is the relative error
``max|u - exact| / max|exact|`` against the closed form in 60-digit decimals,
float64, lr = 0.1, rho = 0.9, for a gradient ``scale * (0.6, -0.8)`` and a
gradient ``scale * (1, 1e-3)``. A relative error near 1e-16 is a correct
step; 1 or more is a wrong one.

Usage: ``python benchmarks/full_matrix_first_step.py``.
"""

from __future__ import annotations

import decimal

import numpy as np

from rmsprop_lib import FullMatrixRMSProp

CTX = decimal.Context(prec=60, Emin=-100_000, Emax=100_000)
LR, RHO = 0.1, 0.9


def exact(g: np.ndarray, eps: float) -> np.ndarray:
    gs = [CTX.create_decimal_from_float(float(v)) for v in g]
    norm = sum((CTX.multiply(v, v) for v in gs), decimal.Decimal(0)).sqrt(CTX)
    d = CTX.add(CTX.multiply((1 - CTX.create_decimal_from_float(RHO)).sqrt(CTX), norm), CTX.create_decimal_from_float(eps))
    return np.array([float(CTX.divide(CTX.multiply(CTX.create_decimal_from_float(LR), v), d)) for v in gs])


def before(g: np.ndarray, eps: float) -> np.ndarray:
    """The pre-issue-20 update (rmsprop_lib/preconditioners.py at a456f73^), on the first step."""
    s = (1 - RHO) * (g[:, None] * g[None, :])
    eigenvalues, q = np.linalg.eigh(s)
    coordinates = (q.T @ g) / (np.sqrt(np.maximum(eigenvalues, 0)) + eps)
    return LR * (q @ coordinates)


def after(g: np.ndarray, eps: float) -> np.ndarray:
    opt = FullMatrixRMSProp(LR, rho=RHO, eps=eps)
    return opt.update(g, opt.init(np.zeros_like(g)))[0]


def error(step: np.ndarray, want: np.ndarray) -> float:
    return float(np.abs(step - want).max() / np.abs(want).max())


def main() -> None:
    scales = [1e-100, 1e-10, 1.0, 1e10, 1e100, 1e150]
    for direction in ([0.6, -0.8], [1.0, 1e-3]):
        print(f"g = scale * {direction}: relative error of the first step, before -> after")
        print("eps      " + "".join(f"{s:>22.0e}" for s in scales))
        for eps in [0.0, 1e-300, 1e-12, 1e-8, 1e-6]:
            cells = []
            for scale in scales:
                g = np.array(direction) * scale
                want = exact(g, eps)
                with np.errstate(all="ignore"):
                    old = error(before(g, eps), want)
                new = error(after(g, eps), want)
                cells.append(f"{old:9.1e} -> {new:7.1e}")
            print(f"{eps:<9.0e}" + "".join(f"{c:>22}" for c in cells))
        print()


if __name__ == "__main__":
    main()
