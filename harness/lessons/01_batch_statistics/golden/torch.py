#!/usr/bin/python3
"""Lesson 01's golden data from real PyTorch: per-feature mean, biased and unbiased variance.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case holds x (N,D) and mean, var (biased) and
var_unbiased (nan when N == 1), each (D), with the fingerprints of the classic mistakes.
Torch's statistics are cross-checked against exact rational arithmetic (the statistics
module). Run from the repository root:

    /usr/bin/python3 harness/lessons/01_batch_statistics/golden/torch.py
"""

import math
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import numpy as np  # noqa: E402
import torch  # noqa: E402


def generate():
    cf = common.CaseFile("lesson 01: x (N,D) -> mean (D), var (D, biased), var_unbiased (D, nan when N == 1)")

    def one(name, x, seed=None, naive_always=False, naive_exact=False, float32_exact=False):
        n, d = x.shape
        mean = x.mean(0)
        var = x.var(0, unbiased=False)
        var_unbiased = x.var(0, unbiased=True) if n > 1 else torch.full((d,), math.nan)
        # cross-check torch against exact rational arithmetic (statistics module); the
        # 1e8 offset costs torch ~1e-8 relative (the inputs' own rounding), hence 1e-7
        cols = [x[:, j].tolist() for j in range(d)]
        assert np.allclose(mean.numpy(), [statistics.fmean(c) for c in cols], rtol=1e-14, atol=0)
        assert np.allclose(var.numpy(), [statistics.pvariance(c) for c in cols], rtol=1e-7, atol=0)
        if n > 1:
            assert np.allclose(var_unbiased.numpy(), [statistics.variance(c) for c in cols],
                               rtol=1e-7, atol=0)
        cf.case(name, seed)
        cf.tensor("x", x)
        cf.tensor("mean", mean)
        cf.tensor("var", var)
        cf.tensor("var_unbiased", var_unbiased)
        cf.mistake("divides_by_n_minus_1", "var", var_unbiased, var)
        cf.mistake("divides_by_n", "var_unbiased", var, var_unbiased)
        # The one-pass variance: visibly wrong only at a large offset, and a fingerprint
        # only where its rounding is exact (elsewhere, e.g. offset_1e8, it is noise that
        # depends on the order of the sums, and no fingerprint could tell it).
        naive = common.one_pass_variance(x)
        assert common.differs(naive, var) or not naive_always, f"{name}: naive variance should be visibly wrong"
        assert naive_exact or not common.differs(naive, var) or naive_always, f"{name}: an inexact naive variance"
        if naive_exact:
            cf.mistake("naive_one_pass_variance", "var", naive, var)
        if n == d:
            cf.mistake("wrong_axis", "mean", x.mean(1), mean)
            cf.mistake("wrong_axis", "var", x.var(1, unbiased=False), var)
            if d > 1:
                cf.mistake("wrong_axis", "var_unbiased", x.var(1, unbiased=True), var_unbiased)
        # count / (count - 1) in integers: 1 from count 3 on, so the biased variance there
        if n > 1:
            cf.mistake("integer_bessel", "var_unbiased", var * (n // (n - 1)), var_unbiased)
        if n == 1:
            cf.mistake("special_cased_single_row", "var_unbiased", torch.zeros(d), var_unbiased)
        everything = x.reshape(-1)
        cf.mistake("pooled_over_whole_tensor", "mean", everything.mean().expand(d), mean)
        cf.mistake("pooled_over_whole_tensor", "var", everything.var(unbiased=False).expand(d), var)
        if everything.numel() > 1:
            cf.mistake("pooled_over_whole_tensor", "var_unbiased",
                       everything.var(unbiased=True).expand(d), var_unbiased)
        if float32_exact:
            fmean, fvar, fvar_unbiased = common.float32_statistics(x)
            wrote = [cf.mistake("float_accumulation", "mean", fmean, mean),
                     cf.mistake("float_accumulation", "var", fvar, var),
                     cf.mistake("float_accumulation", "var_unbiased", fvar_unbiased, var_unbiased)]
            assert wrote[1] and wrote[2], f"{name}: float32 statistics should be visibly wrong"
        cf.end()
        return mean, var, var_unbiased

    x = torch.tensor(common.HAND_X)
    mean, var, var_u = one("hand_3x2", x)
    assert common.close(mean, [3.0, 4.0], 1e-15)
    assert common.close(var, [8 / 3, 8 / 3], 1e-12) and common.close(var_u, [4.0, 4.0], 1e-12)

    for name, seed, (n, d) in [("random_8x5", 1101, (8, 5)), ("random_2x3", 1102, (2, 3)),
                               ("random_64x7", 1103, (64, 7)), ("random_5x5", 1104, (5, 5)),
                               ("single_row_1x4", 1105, (1, 4))]:
        torch.manual_seed(seed)
        one(name, torch.randn(n, d), seed)

    torch.manual_seed(1106)
    x = 1e8 + torch.randn(16, 3)
    mean, var, _ = one("offset_1e8", x, 1106, naive_always=True)
    assert bool(((var > 0.1) & (var < 10)).all()), var

    # Designed large offsets whose wrong answers are exact (see torch_common): the one-pass
    # variance, and statistics computed in float32.
    torch.manual_seed(1107)
    x = common.integers_near_1e8(16, 2)  # (not 16x3: the adversarial submissions single out offset_1e8 by shape)
    _, var, _ = one("offset_1e8_integers", x, 1107, naive_always=True, naive_exact=True)
    assert bool((common.one_pass_variance(x) != var).all()), "every column should show the rounding"
    torch.manual_seed(1108)
    one("offset_1e4_float32", common.float32_trap(16, 4), 1108, float32_exact=True)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
