"""Golden data of lesson 07 (BatchNorm2d on NCHW tensors), from real PyTorch.

Imported by generate_torch.py (lesson_generators()), which writes torch/07_conv_axes.cases.
Each case is a sequence of calls on one torch.nn.BatchNorm2d; every call runs with autograd
on, so besides y.k and the buffers after step k it records dy.k (a random upstream
gradient) and what autograd returns for it: dx.k, dgamma.k, dbeta.k. Batch-statistics calls
also record save_mean.k and save_rstd.k (what native_batch_norm saves for backward).

Fingerprints (FORMAT.md): the classic wrong axes of BatchNorm2d on every batch-statistics
y.k (statistics per sample = InstanceNorm, over C at each position = LayerNorm-like, over N
only, and NHWC indexing of NCHW memory), lesson 03/04's buffer mistakes, and two backward
mistakes on dx.k.
"""

import torch

import generate_torch as g

F64 = torch.float64

g.MISTAKE_IDS |= {
    "instance_norm_axes",
    "layer_norm_axes",
    "statistics_over_n_only",
    "nhwc_indexing",
    "backward_missing_gamma",
    "backward_stats_as_constants",
}

SHAPE4 = (1, -1, 1, 1)


def batch_stats(x):
    """Per-channel mean, biased var and count M = N*H*W of (N,C,H,W)."""
    n, _, h, w = x.shape
    return x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False), n * h * w


def bn_apply(x, mean, var, gamma, beta, eps):
    """gamma * (x - mean) / sqrt(var + eps) + beta, per channel (axis 1) of (N,C,H,W)."""
    y = (x - mean.view(SHAPE4)) / torch.sqrt(var.view(SHAPE4) + eps)
    if gamma is not None:
        y = gamma.view(SHAPE4) * y + beta.view(SHAPE4)
    return y


def normalised_over(x, dims, gamma, beta, eps):
    """Train-mode BN whose statistics run over `dims` (keepdim), with per-channel affine."""
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if gamma is not None:
        y = gamma.view(SHAPE4) * y + beta.view(SHAPE4)
    return y


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
    xhat = (x - mean.view(SHAPE4)) * rstd.view(SHAPE4)
    g4 = 1.0 if gamma is None else gamma.view(SHAPE4)
    mdy = dy.mean((0, 2, 3), keepdim=True)
    mdyx = (dy * xhat).mean((0, 2, 3), keepdim=True)
    return g4 * rstd.view(SHAPE4) * (dy - mdy - xhat * mdyx), (dy * xhat).sum((0, 2, 3)), dy.sum((0, 2, 3))


def channels(c, loc, scale):
    """Per-channel offsets and spreads, so a reduction over the wrong axis never fits."""
    offsets = loc + 2.0 * torch.randn(c)
    spreads = scale * (0.5 + torch.rand(c))
    return offsets, spreads


def generate():
    cf = g.CaseFile("07_conv_axes.cases",
                    "lesson 07: call sequences on one nn.BatchNorm2d; y.k, buffers and "
                    "gradients (dy.k -> dx.k, dgamma.k, dbeta.k) after step k")

    def one(name, c, steps, *, eps=1e-5, momentum=0.1, affine=True, track=True, seed=None,
            random_affine=True, backward=True):
        """steps: list of (mode, x-maker); x-makers are called in order after the seed."""
        if seed is not None:
            torch.manual_seed(seed)
        bn = torch.nn.BatchNorm2d(c, eps=eps, momentum=momentum, affine=affine,
                                  track_running_stats=track).to(F64)
        gamma = beta = None
        if affine:
            with torch.no_grad():
                if random_affine:
                    bn.weight.copy_(0.5 + 1.5 * torch.rand(c))
                    bn.bias.copy_(torch.randn(c))
            gamma, beta = bn.weight.detach().clone(), bn.bias.detach().clone()
        xs = [make() for _, make in steps]
        dys = [torch.randn(*x.shape) for x in xs]
        wrong = g.running_mistakes(c, momentum) if track else {}
        right = g.RunningSim(c, momentum) if track else None

        cf.case(name)
        if seed is not None:
            cf.text("seed", seed)
        cf.text("affine", "true" if affine else "false")
        cf.text("track_running_stats", "true" if track else "false")
        cf.text("momentum", g.fmt_momentum(momentum))
        cf.tensor("eps", eps)
        cf.tensor("num_features", c)
        cf.tensor("steps", len(steps))
        if affine:
            cf.tensor("gamma", gamma)
            cf.tensor("beta", beta)
        results = []
        for k, ((mode, _), x, dy) in enumerate(zip(steps, xs, dys), 1):
            assert mode in ("train", "eval") and x.dim() == 4
            bn.train(mode == "train")
            batch = mode == "train" or not track  # normalised with the batch's statistics
            xin = x.clone().requires_grad_(True)
            if affine:
                bn.weight.grad = None
                bn.bias.grad = None
            y = bn(xin)
            y.backward(dy)
            y = y.detach().clone()
            dx = xin.grad.detach().clone()
            assert y.shape == x.shape
            bmean, bvar, count = batch_stats(x)
            before = (right.mean.clone(), right.var.clone()) if track else None
            if mode == "train" and track:
                right.update(bmean, bvar, count)
            if x.numel() > 0:  # independent checks of the module's output and gradients
                used = (bmean, bvar) if batch else (right.mean, right.var)
                ref = bn_apply(x, *used, gamma, beta, eps)
                assert g.close(y, ref, 1e-9 * (1 + float(ref.abs().max()))), (name, k)
                rstd = 1.0 / torch.sqrt(used[1] + eps)
                if batch:
                    rdx, rdg, rdb = batch_backward(dy, x, bmean, rstd, gamma)
                else:
                    xhat = (x - used[0].view(SHAPE4)) * rstd.view(SHAPE4)
                    g4 = 1.0 if gamma is None else gamma.view(SHAPE4)
                    rdx, rdg, rdb = g4 * rstd.view(SHAPE4) * dy, (dy * xhat).sum((0, 2, 3)), dy.sum((0, 2, 3))
                assert g.close(dx, rdx, 1e-9 * (1 + float(rdx.abs().max()))), (name, k)
                if affine:
                    assert g.close(bn.weight.grad, rdg, 1e-8 * (1 + float(rdg.abs().max()))), (name, k)
                    assert g.close(bn.bias.grad, rdb, 1e-8 * (1 + float(rdb.abs().max()))), (name, k)
            cf.text(f"mode.{k}", mode)
            cf.tensor(f"x.{k}", x)
            cf.tensor(f"y.{k}", y)
            if track:
                rm, rv = bn.running_mean.clone(), bn.running_var.clone()
                nbt = int(bn.num_batches_tracked)
                assert g.close(rm, right.mean, 1e-12) and g.close(rv, right.var, 1e-12), (name, k)
                assert nbt == right.n, (name, k)
                cf.tensor(f"running_mean.{k}", rm)
                cf.tensor(f"running_var.{k}", rv)
                cf.tensor(f"num_batches_tracked.{k}", nbt)
            if x.numel() > 0 and batch:
                _, save_mean, save_rstd = torch.ops.aten.native_batch_norm(
                    x, gamma, beta, None, None, True, 0.0, eps)
                assert g.close(save_mean, bmean, 1e-12)
                cf.tensor(f"save_mean.{k}", save_mean)
                cf.tensor(f"save_rstd.{k}", save_rstd)
            if x.numel() > 0 and backward:
                cf.tensor(f"dy.{k}", dy)
                cf.tensor(f"dx.{k}", dx)
                if affine:
                    cf.tensor(f"dgamma.{k}", bn.weight.grad)
                    cf.tensor(f"dbeta.{k}", bn.bias.grad)
                rstd = 1.0 / torch.sqrt(used[1] + eps)
                if affine:  # dx without the factor gamma
                    cf.mistake("backward_missing_gamma", f"dx.{k}", dx / gamma.view(SHAPE4), dx)
                if batch:  # the statistics treated as constants: the eval formula in train mode
                    g4 = 1.0 if gamma is None else gamma.view(SHAPE4)
                    cf.mistake("backward_stats_as_constants", f"dx.{k}", g4 * rstd.view(SHAPE4) * dy, dx)
            # the forward's mistakes, on y
            if x.numel() > 0 and batch:
                for mid, wy in wrong_axes(x, gamma, beta, eps).items():
                    cf.mistake(mid, f"y.{k}", wy, y)
            if mode == "eval" and track and x.numel() > 0:
                cf.mistake("batch_stats_in_eval", f"y.{k}", bn_apply(x, bmean, bvar, gamma, beta, eps), y)
            for mid, sim in wrong.items():
                if mode == "train":
                    sim.update(bmean, bvar, count)
                cf.mistake(mid, f"running_mean.{k}", sim.mean, rm)
                cf.mistake(mid, f"running_var.{k}", sim.var, rv)
                if mode == "eval" and x.numel() > 0:
                    cf.mistake(mid, f"y.{k}", bn_apply(x, sim.mean, sim.var, gamma, beta, eps), y)
            if x.numel() > 0:
                used = (bmean, bvar) if batch else (right.mean, right.var)
                if affine:
                    cf.mistake("gamma_beta_swapped", f"y.{k}", bn_apply(x, *used, beta, gamma, eps), y)
                    cf.mistake("forgot_affine", f"y.{k}", bn_apply(x, *used, None, None, eps), y)
                if mode == "train" and track:  # normalised with the buffers of the call before
                    cf.mistake("stale_statistics", f"y.{k}", bn_apply(x, *before, gamma, beta, eps), y)
            results.append((y, bn.running_mean.clone() if track else None,
                            bn.running_var.clone() if track else None,
                            int(bn.num_batches_tracked) if track else None))
        cf.end()
        return results

    def nchw(n, c, h, w, offsets, spreads):
        return lambda: offsets.view(SHAPE4) + spreads.view(SHAPE4) * torch.randn(n, c, h, w)

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
    bmean, bvar, _ = batch_stats(hand)
    assert g.close(bmean, [4.5, 12.5], 1e-12) and g.close(bvar, [5.25, 5.25], 1e-12)
    assert abs(float(res[0][0][0, 0, 0, 0]) - (-3.5 / (5.25 + 1e-5) ** 0.5)) < 1e-12
    assert g.close(res[0][1], [0.45, 1.25], 1e-12) and g.close(res[0][2], [1.5, 1.5], 1e-12)
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
    assert g.close(dx, rdx, 1e-10) and g.close(dgamma, rdg, 1e-10) and g.close(dbeta, rdb, 1e-10)
    _, own_mean, own_rstd = torch.ops.aten.native_batch_norm(x, gamma, beta, None, None, True, 0.0, 1e-5)
    assert g.differs(batch_backward(dy, x, own_mean, own_rstd, gamma)[0], dx)
    cf.case("saved_statistics")
    cf.text("seed", 1716)
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
