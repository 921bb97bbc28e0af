#!/usr/bin/python3
"""Lesson 06's golden data from real PyTorch: the train-mode backward pass, from autograd.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case holds the forward's input x, the upstream
gradient dy, gamma (when affine), eps, what PyTorch's forward saved for its backward
(save_mean and save_invstd, here "mean" and "rstd"), and autograd's dx, dgamma, dbeta, with
the fingerprints of the closed form's classic mistakes. Run from the repository root:

    /usr/bin/python3 harness/lessons/06_backward_fast/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402

# The closed form's mistakes (their sentences: harness/lessons/06_backward_fast/mistakes.inc).
MISTAKES = {
    "missing_sum_dy_term",
    "missing_xhat_term",
    "bessel_corrected_backward",
    "dx_divides_by_m_minus_1",
    "rstd_squared",
    "dx_without_gamma",
    "xhat_term_sign_flipped",
    "sums_over_n_only",
    "dgamma_without_xhat",
}
common.MISTAKE_IDS.update(MISTAKES)

HAND_DY = [[1.0, 4.0], [2.0, 4.0], [6.0, 4.0]]


def closed_form(x, dy, mean, rstd, gamma, mistake=None):
    """dx (and dgamma) of the closed form, right or with one known mistake.
    dx = gamma * rstd / M * (M * dy - sum(dy) - xhat * sum(dy * xhat)), sums per channel."""
    dims = common.channel_dims(x)
    if mistake == "sums_over_n_only":  # one sum per (channel, position): over N alone
        dims = (0,)
    m = 1
    for d in dims:
        m *= x.shape[d]
    xhat = (x - common.per_channel(mean, x)) * common.per_channel(rstd, x)
    s1 = dy.sum(dims, keepdim=True)
    s2 = (dy * xhat).sum(dims, keepdim=True)
    g_ = common.per_channel(gamma, x) if gamma is not None and mistake != "dx_without_gamma" else 1.0
    r = common.per_channel(rstd, x)
    scale, k, sign, div = r, 1.0, -1.0, m
    if mistake == "rstd_squared":
        scale = r * r
    if mistake == "bessel_corrected_backward":  # makemore's n/(n-1) on the variance term
        k = m / (m - 1)
    if mistake == "xhat_term_sign_flipped":
        sign = 1.0
    if mistake == "dx_divides_by_m_minus_1":
        div = m - 1
    if mistake == "missing_sum_dy_term":
        s1 = torch.zeros_like(s1)
    if mistake == "missing_xhat_term":
        s2 = torch.zeros_like(s2)
    dx = g_ * scale / div * (m * dy - s1 + sign * k * xhat * s2)
    dgamma = (dy * xhat).sum(common.channel_dims(x))
    return dx, dgamma


def node_by_node(x, dy, mean, rstd, gamma):
    """The same gradient the long way (lesson 05's nodes), as a check of the generator."""
    dims = common.channel_dims(x)
    m = common.per_channel_count(x)
    xc = x - common.per_channel(mean, x)
    r = common.per_channel(rstd, x)
    dxhat = dy * (common.per_channel(gamma, x) if gamma is not None else 1.0)
    dvar = (dxhat * xc).sum(dims, keepdim=True) * -0.5 * r ** 3
    dxc = dxhat * r + dvar * 2.0 * xc / m
    return dxc - dxc.sum(dims, keepdim=True) / m


def exact_mean_batch(shape, offsets, spread):
    """(N,C) or (N,C,L) values offset_c + t with t a multiple of 2^-20, |t| ~ spread, and the
    t of each channel summing to exactly 0: every x is exact, every sum of them is exact in
    any order (all below 2^33), so the mean PyTorch saves is offset_c exactly and x - mean is
    exact. A large offset then tests the backward alone, not the rounding of the mean."""
    n, c = shape[0], shape[1]
    l = shape[2] if len(shape) == 3 else 1
    m = n * l
    q = 2.0 ** -20
    x = torch.empty(n, c, l, dtype=common.F64)
    for ch in range(c):
        t = torch.round(spread * torch.randn(m) / q) * q
        t[-1] = -t[:-1].sum()
        x[:, ch, :] = (offsets[ch] + t).view(n, l)
    return x.view(shape)


def generate():
    cf = common.CaseFile("lesson 06: x (N,C) or (N,C,L), dy (x's shape), gamma (C) if affine, eps; "
                         "mean, rstd (C) as PyTorch's forward saved them -> dx, dgamma, dbeta (autograd)")

    def one(name, x, dy, gamma, eps, seed=None):
        affine = gamma is not None
        beta = torch.randn(x.shape[1]) if affine else None
        _, mean, rstd = torch.ops.aten.native_batch_norm(x, gamma, beta, None, None, True, 0.1, eps)
        xg = x.clone().requires_grad_(True)
        params = []
        if affine:
            gamma_g, beta_g = gamma.clone().requires_grad_(True), beta.clone().requires_grad_(True)
            params = [gamma_g, beta_g]
        y = torch.nn.functional.batch_norm(xg, None, None, *(params or [None, None]), training=True, eps=eps)
        y.backward(dy)
        dx = xg.grad
        want, dgamma = closed_form(x, dy, mean, rstd, gamma)
        xhat = (x - common.per_channel(mean, x)) * common.per_channel(rstd, x)
        scale = float((common.per_channel(rstd * (gamma.abs() if affine else 1.0), x)).max()) * \
            float(dy.abs().max()) * (2.0 + float(xhat.abs().max()))
        assert common.close(dx, want, 1e-13 * scale), name
        assert common.close(node_by_node(x, dy, mean, rstd, gamma), want, 1e-13 * scale), name
        cf.case(name, seed)
        cf.text("affine", "true" if affine else "false")
        cf.tensor("x", x)
        cf.tensor("dy", dy)
        if affine:
            cf.tensor("gamma", gamma)
        cf.tensor("eps", eps)
        cf.tensor("mean", mean)
        cf.tensor("rstd", rstd)
        cf.tensor("dx", dx)
        mistakes = sorted(MISTAKES - {"dgamma_without_xhat"})
        for mid in mistakes:
            if mid == "dx_without_gamma" and not affine:
                continue
            if mid == "sums_over_n_only" and (x.dim() == 2 or x.shape[2] == 1):
                continue
            cf.mistake(mid, "dx", closed_form(x, dy, mean, rstd, gamma, mid)[0], dx)
        if affine:
            cf.tensor("dgamma", gamma_g.grad)
            cf.tensor("dbeta", beta_g.grad)
            assert common.close(gamma_g.grad, dgamma, 1e-13 * float((dy * xhat).abs().sum())), name
            cf.mistake("dgamma_without_xhat", "dgamma", beta_g.grad, gamma_g.grad)
        cf.end()
        return dx

    # By hand (the README's numbers): eps = 0, so rstd = sqrt(3/8) exactly. Column 1's dy is
    # constant: a loss that moves every y of a channel alike does not depend on x, so dx = 0.
    x = torch.tensor(common.HAND_X)
    dx = one("hand_3x2", x, torch.tensor(HAND_DY), torch.tensor([2.0, 1.0]), 0.0)
    assert abs(float(dx[1, 0]) + 1.5 ** 0.5) < 1e-12 and float(dx[:, 1].abs().max()) < 1e-12

    def randn(*shape, loc=0.0, scale=1.0):
        return loc + scale * torch.randn(*shape)

    # (name, seed, shape, affine, eps, x's spread, dy's offset)
    for name, seed, shape, affine, eps, spread, dy_offset in [
            ("random_16x4", 1601, (16, 4), True, 1e-5, 2.0, 0.0),
            ("random_6x6", 1602, (6, 6), True, 1e-5, 0.5, 0.0),
            ("random_48x5", 1603, (48, 5), True, 1e-3, 3.0, 0.0),
            ("batch_of_two_2x3", 1604, (2, 3), True, 1e-3, 1.0, 0.0),
            ("no_affine_12x3", 1605, (12, 3), False, 1e-5, 1.5, 0.0),
            ("dy_offset_32x3", 1606, (32, 3), True, 1e-5, 1.0, 1e3),
            ("ncl_4x3x5", 1611, (4, 3, 5), True, 1e-5, 2.0, 0.0),
            ("ncl_6x4x8", 1612, (6, 4, 8), True, 1e-5, 0.7, 0.0),
            ("ncl_batch_of_two_1x3x2", 1613, (1, 3, 2), True, 1e-3, 1.0, 0.0),
            ("ncl_no_affine_3x2x4", 1614, (3, 2, 4), False, 1e-5, 1.0, 0.0),
            ("ncl_length_one_5x3x1", 1615, (5, 3, 1), True, 1e-5, 1.0, 0.0)]:
        torch.manual_seed(seed)
        c = shape[1]
        gamma = torch.sign(torch.randn(c)) * (0.5 + 1.5 * torch.rand(c)) if affine else None
        x = randn(*shape, loc=0.0, scale=1.0) * spread + torch.randn(c).view((1, -1) + (1,) * (len(shape) - 2))
        dy = randn(*shape) + dy_offset
        one(name, x, dy, gamma, eps, seed)

    # Large offsets: channels near 1e5 and -5e4 with a spread near 1 (see exact_mean_batch).
    for name, seed, shape in [("offset_1e5_32x3", 1621, (32, 3)), ("offset_1e5_ncl_4x3x8", 1622, (4, 3, 8))]:
        torch.manual_seed(seed)
        offsets = [1e5, -5e4, 1e5 + 0.5][:shape[1]]
        x = exact_mean_batch(shape, offsets, 1.0)
        gamma = 0.5 + 1.5 * torch.rand(shape[1])
        dy = torch.randn(*shape)
        one(name, x, dy, gamma, 1e-5, seed)
        _, mean, _ = torch.ops.aten.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)
        assert mean.tolist() == offsets, (name, mean.tolist())
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
