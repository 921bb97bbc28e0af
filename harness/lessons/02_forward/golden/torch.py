#!/usr/bin/python3
"""Lesson 02's golden data from real PyTorch: the train-mode forward.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case holds x (N,D), gamma, beta (D) and eps, and
what torch.ops.aten.native_batch_norm returns for them: y, and the mean and rstd it saves
for the backward, with xhat = (x - mean) * rstd, and the fingerprints of the classic
mistakes. Run from the repository root:

    /usr/bin/python3 harness/lessons/02_forward/golden/torch.py
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402


def generate():
    cf = common.CaseFile("lesson 02: x (N,D), gamma, beta (D), eps -> y (N,D), mean (D), rstd (D), xhat (N,D)")

    def one(name, x, gamma, beta, eps, seed=None, naive_exact=False, float32_exact=False):
        n, d = x.shape
        y, mean, rstd = torch.ops.aten.native_batch_norm(x, gamma, beta, None, None, True, 0.1, eps)
        xhat = (x - mean) * rstd
        var = x.var(0, unbiased=False)
        var_u = x.var(0, unbiased=True)
        assert common.close(mean, x.mean(0), 1e-12)
        assert common.close(rstd, 1.0 / torch.sqrt(var + eps), 1e-9 * float(rstd.abs().max()))
        assert common.close(y, gamma * xhat + beta, 1e-9 * (1 + float(y.abs().max())))
        cf.case(name, seed)
        cf.tensor("x", x)
        cf.tensor("gamma", gamma)
        cf.tensor("beta", beta)
        cf.tensor("eps", eps)
        cf.tensor("y", y)
        cf.tensor("mean", mean)
        cf.tensor("rstd", rstd)
        cf.tensor("xhat", xhat)
        for mid, r in [("divides_by_n_minus_1", 1.0 / torch.sqrt(var_u + eps)),
                       ("eps_outside_sqrt", 1.0 / (torch.sqrt(var) + eps))]:
            xh = (x - mean) * r
            cf.mistake(mid, "y", gamma * xh + beta, y)
            cf.mistake(mid, "xhat", xh, xhat)
            cf.mistake(mid, "rstd", r, rstd)
        cf.mistake("forgot_affine", "y", xhat, y)
        if n == d:
            wm, wr, wxh, wy = common.bn1d_wrong_axis(x, gamma, beta, eps)
            cf.mistake("wrong_axis", "y", wy, y)
            cf.mistake("wrong_axis", "mean", wm.reshape(-1), mean)
            cf.mistake("wrong_axis", "rstd", wr.reshape(-1), rstd)
            cf.mistake("wrong_axis", "xhat", wxh, xhat)
        cf.mistake("gamma_beta_swapped", "y", beta * xhat + gamma, y)
        # Statistics that are wrong in themselves: the rest of the forward is done right
        # with them (rstd = 1/sqrt(var + eps), xhat = (x - mean) * rstd, y = gamma*xhat + beta).
        # (No xhat fingerprint for these: mean and rstd in the same check already tell, and
        # the file stays small.)
        wrong_stats = {"pooled_over_whole_tensor": (x.mean().expand(d), x.var(unbiased=False).expand(d))}
        if naive_exact:
            wrong_stats["naive_one_pass_variance"] = (mean, common.one_pass_variance(x))
        if float32_exact:
            fmean, fvar, _ = common.float32_statistics(x)
            wrong_stats["float_accumulation"] = (fmean, fvar)
        for mid, (wmean, wvar) in wrong_stats.items():
            r = 1.0 / torch.sqrt(wvar + eps)
            xh = (x - wmean) * r
            wrote = [cf.mistake(mid, "y", gamma * xh + beta, y), cf.mistake(mid, "mean", wmean, mean),
                     cf.mistake(mid, "rstd", r, rstd)]
            assert wrote[0] or mid == "pooled_over_whole_tensor", f"{name}: {mid} should be visibly wrong"
        cf.end()
        return y, mean, rstd

    x = torch.tensor(common.HAND_X)
    y, _, _ = one("hand_3x2", x, torch.ones(2), torch.zeros(2), 1e-5)
    assert abs(float(y[0, 0]) - (-1.22474)) < 1e-5, float(y[0, 0])
    assert abs(float(y[0, 0]) - (-2.0 / math.sqrt(8 / 3 + 1e-5))) < 1e-12

    for name, seed, (n, d), scale, eps in [
            ("random_16x4", 1201, (16, 4), 1.0, 1e-5),
            ("random_2x3", 1202, (2, 3), 1.0, 1e-5),
            ("random_128x10", 1203, (128, 10), 1.0, 1e-5),
            ("random_6x6", 1204, (6, 6), 1.0, 1e-5),
            ("small_variance_eps_1e-3", 1205, (10, 4), 0.01, 1e-3)]:
        torch.manual_seed(seed)
        gamma = 0.5 + 1.5 * torch.rand(d)
        beta = torch.randn(d)
        x = scale * torch.randn(n, d)
        one(name, x, gamma, beta, eps, seed)

    # Designed large offsets whose wrong answers are exact (see torch_common).
    torch.manual_seed(1206)
    gamma, beta = 0.5 + 1.5 * torch.rand(3), torch.randn(3)
    one("offset_1e8_integers", common.integers_near_1e8(16, 3), gamma, beta, 1e-5, 1206, naive_exact=True)
    torch.manual_seed(1207)
    gamma, beta = 0.5 + 1.5 * torch.rand(4), torch.randn(4)
    one("offset_1e4_float32", common.float32_trap(16, 4), gamma, beta, 1e-5, 1207, float32_exact=True)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
