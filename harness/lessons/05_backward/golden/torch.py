#!/usr/bin/python3
"""Lesson 05's golden data: the train-mode backward pass, node by node, from PyTorch's autograd.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case builds the forward graph of backward.hpp one node
at a time,

    mean = x.mean(dims); xc = x - mean; var = (xc**2).mean(dims); rstd = (var + eps)**-0.5
    xhat = xc * rstd; y = gamma * xhat + beta

keeps every intermediate with retain_grad(), and calls y.backward(dy): autograd then holds
the gradient at each node (dims = (0,) for (N,C), (0, 2) for (N,C,L)). dx, dgamma and dbeta
are checked against F.batch_norm's own backward as well. The fingerprints of the backward
mistakes are this graph's backward done by hand with one step changed, from PyTorch's
forward nodes (the ones the tests hand to the student's backward). Run from the repository
root:

    /usr/bin/python3 harness/lessons/05_backward/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

NEW_MISTAKES = {
    "forgot_mean_path",
    "dmean_not_divided_by_m",
    "dgamma_wrong_axis",
    "dgamma_dbeta_swapped",
    "dxhat_without_gamma",
    "rstd_without_eps",
    "variance_node_sign",
    "forgot_variance_path",
    "count_ignores_length",
}
common.MISTAKE_IDS.update(NEW_MISTAKES)

NODES = ["dbeta", "dgamma", "dxhat", "drstd", "dxc", "dmean", "dx"]


def autograd_nodes(x, gamma, beta, eps, dy):
    """The forward graph node by node, and autograd's gradient at every node."""
    dims = common.channel_dims(x)
    x = x.clone().requires_grad_(True)
    params = []
    if gamma is not None:
        gamma = gamma.clone().requires_grad_(True)
        beta = beta.clone().requires_grad_(True)
        params = [gamma, beta]
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(dims, keepdim=True)
    rstd = (var + eps) ** -0.5
    xhat = xc * rstd
    for t in (mean, xc, var, rstd, xhat):
        t.retain_grad()
    y = common.per_channel(gamma, x) * xhat + common.per_channel(beta, x) if gamma is not None else xhat * 1.0
    y.backward(dy)
    flat = lambda t: t.detach().reshape(-1)
    fwd = {"mean": flat(mean), "xc": xc.detach(), "var": flat(var), "rstd": flat(rstd),
           "xhat": xhat.detach(), "y": y.detach()}
    grads = {"dxhat": xhat.grad, "drstd": flat(rstd.grad), "dxc": xc.grad, "dmean": flat(mean.grad),
             "dx": x.grad}
    if gamma is not None:
        grads["dbeta"], grads["dgamma"] = beta.grad, gamma.grad

    # PyTorch's own BatchNorm backward agrees on dx, dgamma, dbeta.
    x2 = x.detach().clone().requires_grad_(True)
    p2 = [p.detach().clone().requires_grad_(True) for p in params]
    y2 = F.batch_norm(x2, None, None, *(p2 or [None, None]), training=True, eps=eps)
    y2.backward(dy)
    scale = 1e-9 * (1.0 + float(x2.grad.abs().max()))
    assert common.close(y2, y, 1e-9 * (1.0 + float(y.abs().max()))), "the graph's forward is not F.batch_norm's"
    assert common.close(x2.grad, grads["dx"], scale), "autograd's dx differs from F.batch_norm's"
    if p2:
        assert common.close(p2[0].grad, grads["dgamma"], scale) and common.close(p2[1].grad, grads["dbeta"], scale)
    return fwd, grads


def by_hand(fwd, dy, gamma, x, mistake=None):
    """The backward of the graph done by hand from the forward nodes; `mistake` changes the
    step it names, everything downstream follows from the changed value."""
    dims = common.channel_dims(x)
    m = common.per_channel_count(x)
    if mistake == "count_ignores_length":
        m = x.shape[0]
    xc, xhat = fwd["xc"], fwd["xhat"]
    rstd, var = common.per_channel(fwd["rstd"], x), common.per_channel(fwd["var"], x)
    out = {}
    if gamma is not None:
        out["dbeta"] = dy.sum(dims)
        out["dgamma"] = (dy * xhat).sum(dims)
        if mistake == "dgamma_dbeta_swapped":
            out["dbeta"], out["dgamma"] = out["dgamma"], out["dbeta"]
        if mistake == "dgamma_wrong_axis":  # per sample, over the channels (square (N,C) only)
            out["dbeta"], out["dgamma"] = dy.sum(1), (dy * xhat).sum(1)
    gscale = common.per_channel(gamma, x) if gamma is not None and mistake != "dxhat_without_gamma" else 1.0
    dxhat = dy * gscale
    drstd = (dxhat * xc).sum(dims, keepdim=True)
    if mistake == "rstd_without_eps":
        dvar = -0.5 * var ** -1.5 * drstd
    elif mistake == "variance_node_sign":
        dvar = 0.5 * rstd ** 3 * drstd
    else:
        dvar = -0.5 * rstd ** 3 * drstd
    count_var = m - 1 if mistake == "divides_by_n_minus_1" else m
    dxc = dxhat * rstd
    if mistake != "forgot_variance_path":
        dxc = dxc + dvar * 2.0 * xc / count_var
    dmean = -dxc.sum(dims, keepdim=True)
    if mistake == "forgot_mean_path":
        dx = dxc
    elif mistake == "dmean_not_divided_by_m":
        dx = dxc + dmean
    else:
        dx = dxc + dmean / m
    out.update({"dxhat": dxhat, "drstd": drstd.reshape(-1), "dxc": dxc, "dmean": dmean.reshape(-1), "dx": dx})
    return out


def generate():
    cf = common.CaseFile("lesson 05: x (N,C) or (N,C,L), gamma, beta (C) unless affine false, eps, dy (x's shape) "
                         "-> forward nodes mean, xc, var, rstd, xhat, y and autograd's gradient at every node: "
                         "dbeta, dgamma, dxhat, drstd, dxc, dmean, dx")

    def one(name, x, gamma, beta, eps, dy, seed=None):
        fwd, grads = autograd_nodes(x, gamma, beta, eps, dy)
        hand = by_hand(fwd, dy, gamma, x)
        for k, v in grads.items():  # the hand-written backward is autograd's, to rounding
            assert common.close(hand[k], v, 1e-9 * (1.0 + float(v.abs().max()))), (name, k)
        cf.case(name, seed)
        cf.text("affine", "true" if gamma is not None else "false")
        cf.tensor("x", x)
        if gamma is not None:
            cf.tensor("gamma", gamma)
            cf.tensor("beta", beta)
        cf.tensor("eps", eps)
        cf.tensor("dy", dy)
        for k in ["mean", "xc", "var", "rstd", "xhat", "y"]:
            cf.tensor(k, fwd[k])
        for k in NODES:
            if k in grads:
                cf.tensor(k, grads[k])

        # The forward the backward assumes, with makemore's Bessel-corrected variance.
        dims = common.channel_dims(x)
        var_u = x.var(dims, unbiased=True)
        rstd_u = (var_u + eps) ** -0.5
        xhat_u = fwd["xc"] * common.per_channel(rstd_u, x)
        cf.mistake("divides_by_n_minus_1", "var", var_u, fwd["var"])
        cf.mistake("divides_by_n_minus_1", "rstd", rstd_u, fwd["rstd"])
        cf.mistake("divides_by_n_minus_1", "xhat", xhat_u, fwd["xhat"])
        y_u = common.per_channel(gamma, x) * xhat_u + common.per_channel(beta, x) if gamma is not None else xhat_u
        cf.mistake("divides_by_n_minus_1", "y", y_u, fwd["y"])

        mistakes = ["forgot_mean_path", "dmean_not_divided_by_m", "divides_by_n_minus_1", "dxhat_without_gamma",
                    "rstd_without_eps", "variance_node_sign", "forgot_variance_path"]
        if gamma is not None:
            mistakes.append("dgamma_dbeta_swapped")
            if x.dim() == 2 and x.shape[0] == x.shape[1]:
                mistakes.append("dgamma_wrong_axis")
        if x.dim() == 3 and x.shape[2] > 1:
            mistakes.append("count_ignores_length")
        for mid in mistakes:
            wrong = by_hand(fwd, dy, gamma, x, mid)
            for k in NODES:
                if k in grads:
                    cf.mistake(mid, k, wrong[k], grads[k])
        cf.end()
        return fwd, grads

    # Hand-checkable: column 0 of [[1,2],[3,4],[5,6]] with dy = 1 at [0, 0] only; see the README.
    x = torch.tensor(common.HAND_X)
    dy = torch.zeros(3, 2)
    dy[0, 0] = 1.0
    _, grads = one("hand_3x2", x, torch.ones(2), torch.zeros(2), 1e-5, dy)
    r = (8.0 / 3.0 + 1e-5) ** -0.5
    assert abs(float(grads["dxhat"][0, 0]) - 1.0) < 1e-15 and abs(float(grads["drstd"][0]) + 2.0) < 1e-12
    assert abs(float(grads["dmean"][0]) + r) < 1e-12 and abs(float(grads["dgamma"][0]) + 2.0 * r) < 1e-12
    assert abs(float(grads["dx"][1, 0]) + 2.0 * r / 6.0) < 1e-5

    # (shape, affine, eps, data offset, data scale): each feature its own location and spread.
    for name, seed, shape, affine, eps, offset, scale in [
            ("random_16x4", 1501, (16, 4), True, 1e-5, 0.0, 1.0),
            ("random_2x3", 1502, (2, 3), True, 1e-5, 0.0, 1.0),
            ("square_6x6", 1503, (6, 6), True, 1e-5, 0.0, 1.0),
            ("not_affine_10x3", 1504, (10, 3), False, 1e-5, 0.0, 1.0),
            ("small_variance_eps_0.1_12x4", 1505, (12, 4), True, 0.1, 0.0, 0.05),
            ("ncl_4x3x5", 1506, (4, 3, 5), True, 1e-5, 0.0, 1.0),
            ("ncl_not_affine_3x2x4", 1507, (3, 2, 4), False, 1e-3, 0.0, 1.0),
            ("ncl_length_1_5x3x1", 1508, (5, 3, 1), True, 1e-5, 0.0, 1.0),
            ("ncl_batch_of_one_1x4x6", 1509, (1, 4, 6), True, 1e-5, 0.0, 1.0),
            ("offset_1e5_16x3", 1510, (16, 3), True, 1e-5, 1e5, 1.0),
            ("offset_ncl_5e4_4x3x6", 1511, (4, 3, 6), False, 1e-5, -5e4, 0.8)]:
        torch.manual_seed(seed)
        c = shape[1]
        loc = offset + torch.randn(c) * (3.0 if offset == 0.0 else 1.0)
        spread = scale * (0.5 + torch.rand(c))
        like = torch.zeros(shape)
        x = common.per_channel(loc, like) + common.per_channel(spread, like) * torch.randn(shape)
        gamma = (0.5 + 1.5 * torch.rand(c)) * (1.0 - 2.0 * (torch.rand(c) < 0.3).double()) if affine else None
        beta = torch.randn(c) if affine else None
        dy = torch.randn(shape)
        one(name, x, gamma, beta, eps, dy, seed)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
