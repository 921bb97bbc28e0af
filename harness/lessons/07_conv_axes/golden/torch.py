#!/usr/bin/python3
"""Golden data of lesson 07 (BatchNorm2d on NCHW tensors), from real PyTorch.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case is a sequence of calls on one
torch.nn.BatchNorm2d (torch_common.CallSequence, as lesson 04's on BatchNorm1d); every call
runs with autograd on, so besides y.k and the buffers after step k it records dy.k (a random
upstream gradient) and what autograd returns for it: dx.k, dgamma.k, dbeta.k.
Batch-statistics calls also record save_mean.k and save_rstd.k (what native_batch_norm
saves for backward).

Fingerprints (FORMAT.md): the classic wrong axes of BatchNorm2d on every batch-statistics
y.k (statistics per sample = InstanceNorm, over C at each position = LayerNorm-like, over N
only, and NHWC indexing of NCHW memory), lesson 03/04's buffer mistakes, and two backward
mistakes on dx.k. Run from the repository root:

    /usr/bin/python3 harness/lessons/07_conv_axes/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402

common.MISTAKE_IDS |= {
    "instance_norm_axes",
    "layer_norm_axes",
    "statistics_over_n_only",
    "nhwc_indexing",
    "backward_missing_gamma",
    "backward_stats_as_constants",
}


def normalised_over(x, dims, gamma, beta, eps):
    """Train-mode BN whose statistics run over `dims` (keepdim), with per-channel affine."""
    return common.affine(common.unit_norm(x, dims, eps), gamma, beta)


def nhwc_y(x, gamma, beta, eps):
    """Train-mode BN of code that indexes NCHW memory as NHWC: its 'x[n, c, h, w]' is the
    value at ((n*H + h)*W + w)*C + c, its channel c is every C-th value from c on. It
    normalises those groups and writes back at the same places."""
    n, c, h, w = x.shape
    v = x.reshape(-1).view(n, h, w, c)
    mean = v.mean((0, 1, 2))
    var = v.var((0, 1, 2), unbiased=False)
    out = (v - mean) / torch.sqrt(var + eps)
    if gamma is not None:
        out = gamma * out + beta
    return out.reshape(-1).view(n, c, h, w)


def wrong_axes(x, gamma, beta, eps):
    """{mistake id: y} for the classic wrong reductions of an NCHW tensor."""
    return {
        "instance_norm_axes": normalised_over(x, (2, 3), gamma, beta, eps),
        "layer_norm_axes": normalised_over(x, (1,), gamma, beta, eps),
        "statistics_over_n_only": normalised_over(x, (0,), gamma, beta, eps),
        "nhwc_indexing": nhwc_y(x, gamma, beta, eps),
    }


def batch_backward(dy, x, mean, rstd, gamma):
    """dx of the batch-statistics forward, by the closed form (checks autograd)."""
    r = common.per_channel(rstd, x)
    xhat = (x - common.per_channel(mean, x)) * r
    g4 = 1.0 if gamma is None else common.per_channel(gamma, x)
    mdy = dy.mean((0, 2, 3), keepdim=True)
    mdyx = (dy * xhat).mean((0, 2, 3), keepdim=True)
    return g4 * r * (dy - mdy - xhat * mdyx), (dy * xhat).sum((0, 2, 3)), dy.sum((0, 2, 3))


def channels(c, loc, scale):
    """Per-channel offsets and spreads, so a reduction over the wrong axis never fits."""
    offsets = loc + 2.0 * torch.randn(c)
    spreads = scale * (0.5 + torch.rand(c))
    return offsets, spreads


def generate():
    cf = common.CaseFile("lesson 07: call sequences on one nn.BatchNorm2d; y.k, buffers and "
                         "gradients (dy.k -> dx.k, dgamma.k, dbeta.k) after step k")

    def one(name, c, steps, *, eps=1e-5, momentum=0.1, affine=True, track=True, seed=None,
            random_affine=True, backward=True):
        """steps: list of (mode, x-maker); x-makers are called in order after the seed."""
        seq = common.CallSequence(cf, name, torch.nn.BatchNorm2d, c, steps, eps=eps, momentum=momentum,
                                  affine=affine, track=track, seed=seed, random_affine=random_affine)
        bn, gamma, beta = seq.bn, seq.gamma, seq.beta
        dys = [torch.randn(*x.shape) for _, x in seq.steps]
        for call, dy in zip(seq.calls(), dys):
            k, x = call.k, call.x
            assert x.dim() == 4
            if affine:
                bn.weight.grad = None
                bn.bias.grad = None
            y, dx = common.call_with_grad(bn, x, dy)
            seq.record(call, y)
            if x.numel() > 0:  # independent check of the gradients
                rstd = 1.0 / torch.sqrt(call.used[1] + eps)
                g4 = 1.0 if gamma is None else common.per_channel(gamma, x)
                # the eval formula: the statistics are constants
                const_dx = g4 * common.per_channel(rstd, x) * dy
                if call.batch:
                    rdx, rdg, rdb = batch_backward(dy, x, call.bmean, rstd, gamma)
                else:
                    xhat = (x - common.per_channel(call.used[0], x)) * common.per_channel(rstd, x)
                    rdx, rdg, rdb = const_dx, (dy * xhat).sum((0, 2, 3)), dy.sum((0, 2, 3))
                assert common.close(dx, rdx, 1e-9 * (1 + float(rdx.abs().max()))), (name, k)
                if affine:
                    assert common.close(bn.weight.grad, rdg, 1e-8 * (1 + float(rdg.abs().max()))), (name, k)
                    assert common.close(bn.bias.grad, rdb, 1e-8 * (1 + float(rdb.abs().max()))), (name, k)
            if x.numel() > 0 and call.batch:
                _, save_mean, save_rstd = torch.ops.aten.native_batch_norm(
                    x, gamma, beta, None, None, True, 0.0, eps)
                assert common.close(save_mean, call.bmean, 1e-12)
                cf.tensor(f"save_mean.{k}", save_mean)
                cf.tensor(f"save_rstd.{k}", save_rstd)
            if x.numel() > 0 and backward:
                cf.tensor(f"dy.{k}", dy)
                cf.tensor(f"dx.{k}", dx)
                if affine:
                    cf.tensor(f"dgamma.{k}", bn.weight.grad)
                    cf.tensor(f"dbeta.{k}", bn.bias.grad)
                    cf.mistake("backward_missing_gamma", f"dx.{k}", dx / g4, dx)  # dx without the factor gamma
                if call.batch:  # the statistics treated as constants: the eval formula in train mode
                    cf.mistake("backward_stats_as_constants", f"dx.{k}", const_dx, dx)
            # the forward's mistakes, on y
            seq.fingerprints(call, y, wrong_axes(x, gamma, beta, eps) if x.numel() > 0 and call.batch else {})
        return seq.end()

    def nchw(n, c, h, w, offsets, spreads):
        return lambda: offsets.view(1, -1, 1, 1) + spreads.view(1, -1, 1, 1) * torch.randn(n, c, h, w)

    # Several train steps, then eval (a batch, then a single pixel: fine in eval).
    torch.manual_seed(1701)
    o, s = channels(4, 1.0, 2.0)
    one("train3_eval2", 4,
        [("train", nchw(3, 4, 2, 3, o, s))] * 3 +
        [("eval", nchw(2, 4, 3, 2, o, s)), ("eval", nchw(1, 4, 1, 1, o, s))],
        seed=1702)

    # A single image trains (M = H*W): M = 4, then M = 2 (the Bessel factor is 2 there),
    # then M = 6; then eval.
    torch.manual_seed(1703)
    o, s = channels(3, 0.5, 1.5)
    res = one("single_image", 3,
              [("train", nchw(1, 3, 2, 2, o, s)), ("train", nchw(1, 3, 1, 2, o, s)),
               ("train", nchw(1, 3, 3, 2, o, s)), ("eval", nchw(1, 3, 2, 2, o, s))],
              seed=1704)
    assert res[2][3] == 3

    # channel c of sample n holds [[1, 2], [3, 4]] + 4n + 8c: every channel's 8 values are
    # 1..8 shifted, so biased var 5.25, unbiased 6.
    hand = torch.tensor([[[[1.0 + 2 * h + w + 4 * n + 8 * c for w in range(2)] for h in range(2)]
                          for c in range(2)] for n in range(2)])
    res = one("hand_2x2x2x2", 2, [("train", lambda: hand.clone()), ("eval", lambda: hand.clone())],
              random_affine=False, seed=1705)
    bmean, bvar, _ = common.batch_stats(hand)
    assert common.close(bmean, [4.5, 12.5], 1e-12) and common.close(bvar, [5.25, 5.25], 1e-12)
    assert abs(float(res[0][0][0, 0, 0, 0]) - (-3.5 / (5.25 + 1e-5) ** 0.5)) < 1e-12
    assert common.close(res[0][1], [0.45, 1.25], 1e-12) and common.close(res[0][2], [1.5, 1.5], 1e-12)
    assert abs(float(res[1][0][0, 0, 0, 0]) - (1 - 0.45) / (1.5 + 1e-5) ** 0.5) < 1e-12

    torch.manual_seed(1706)
    o, s = channels(3, 1.0, 2.0)
    one("affine_false", 3,
        [("train", nchw(2, 3, 2, 2, o, s))] * 2 + [("eval", nchw(3, 3, 2, 1, o, s))],
        affine=False, seed=1707)

    torch.manual_seed(1708)
    o, s = channels(3, 1.0, 2.0)
    one("no_tracking", 3,
        [("train", nchw(2, 3, 2, 3, o, s)), ("eval", nchw(3, 3, 1, 2, o, s))],
        track=False, seed=1709)

    torch.manual_seed(1710)
    o, s = channels(3, 1.0, 2.0)
    one("momentum_none", 3,
        [("train", nchw(2, 3, 2, 2, o, s))] * 3 + [("eval", nchw(2, 3, 2, 2, o, s))],
        momentum=None, seed=1711)

    torch.manual_seed(1712)
    o, s = channels(3, 1.0, 2.0)
    res = one("empty_batch", 3,
              [("train", nchw(2, 3, 2, 2, o, s)), ("train", lambda: torch.empty(0, 3, 2, 2)),
               ("train", lambda: torch.empty(2, 3, 0, 2)), ("eval", nchw(2, 3, 2, 2, o, s))],
              seed=1713)
    assert tuple(res[1][0].shape) == (0, 3, 2, 2) and tuple(res[2][0].shape) == (2, 3, 0, 2)
    assert torch.equal(res[0][1], res[2][1]) and torch.equal(res[0][2], res[2][2])
    assert res[2][3] == 3  # PyTorch counts the empty batches

    torch.manual_seed(1714)
    o, s = channels(2, 1.0, 2.0)
    one("custom_eps_momentum", 2,
        [("train", nchw(3, 2, 2, 2, o, s))] * 2 + [("eval", nchw(2, 2, 2, 2, o, s))],
        eps=1e-3, momentum=0.25, seed=1715)

    # backward reads the statistics the forward saved, not ones recomputed from x:
    # native_batch_norm_backward with a save_mean / save_rstd of another batch.
    torch.manual_seed(1716)
    c = 3
    x = 1.0 + 2.0 * torch.randn(2, c, 2, 3)
    dy = torch.randn(2, c, 2, 3)
    gamma, beta = 0.5 + 1.5 * torch.rand(c), torch.randn(c)
    other = 3.0 + 0.5 * torch.randn(4, c, 2, 2)  # the batch whose statistics were saved
    _, save_mean, save_rstd = torch.ops.aten.native_batch_norm(other, gamma, beta, None, None, True, 0.0, 1e-5)
    dx, dgamma, dbeta = torch.ops.aten.native_batch_norm_backward(
        dy, x, gamma, None, None, save_mean, save_rstd, True, 1e-5, [True, True, True])
    rdx, rdg, rdb = batch_backward(dy, x, save_mean, save_rstd, gamma)
    assert common.close(dx, rdx, 1e-10) and common.close(dgamma, rdg, 1e-10) and common.close(dbeta, rdb, 1e-10)
    _, own_mean, own_rstd = torch.ops.aten.native_batch_norm(x, gamma, beta, None, None, True, 0.0, 1e-5)
    assert common.differs(batch_backward(dy, x, own_mean, own_rstd, gamma)[0], dx)
    cf.case("saved_statistics", 1716)
    cf.tensor("eps", 1e-5)
    cf.tensor("num_features", c)
    cf.tensor("gamma", gamma)
    cf.tensor("beta", beta)
    cf.tensor("save_mean", save_mean)
    cf.tensor("save_rstd", save_rstd)
    cf.tensor("x", x)
    cf.tensor("dy", dy)
    cf.tensor("dx", dx)
    cf.tensor("dgamma", dgamma)
    cf.tensor("dbeta", dbeta)
    cf.end()
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
