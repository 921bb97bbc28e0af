#!/usr/bin/python3
"""Lesson 09's golden data from real PyTorch: BatchNorm folded into Linear and Conv2d.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). A "linear" case holds the Linear layer (weight, bias unless
bias=False), the eval-mode BatchNorm1d after it (gamma and beta when affine, running_mean,
running_var, eps), an input x, and PyTorch's answers: the scale s, the folded weight and
bias from torch.nn.utils.fusion (fuse_linear_bn_eval, or fuse_conv_bn_weights, which also
takes a 2-D weight, when affine=False, where fuse_linear_bn_eval has no ones to use), y_eval
= bn(linear(x)) with both modules in eval mode, and y_train = the same BatchNorm in train
mode (batch statistics). A "conv" case does the same for nn.Conv2d + BatchNorm2d with
fuse_conv_bn_eval, y_eval of shape (N,out,H',W'). Fingerprints of the classic mistakes go
with the folded weight, bias, s and y_eval. Run from the repository root:

    /usr/bin/python3 harness/lessons/09_folding/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402

F64 = torch.float64

# Their sentences: harness/lessons/09_folding/mistakes.inc.
MISTAKES = {
    "fold_scale_on_columns",
    "fold_scale_on_input_channels",
    "fold_eps_outside_sqrt",
    "fold_scale_inverted",
    "fold_missing_running_mean",
    "fold_bias_not_scaled",
    "fold_beta_dropped",
    "fold_bias_ignored",
    "eval_uses_batch_variance",
    "train_uses_running_statistics",
}
common.MISTAKE_IDS.update(MISTAKES)
# Also lesson 04's "batch_stats_in_eval" (the eval output normalised with the batch's statistics).


def fold(w, b, rm, rv, eps, gamma, beta, mistake=None):
    """s, W', b' of the fold, right or with one known mistake (w of any rank >= 2)."""
    out = w.shape[0]
    gam = gamma if gamma is not None else torch.ones(out, dtype=F64)
    bet = beta if beta is not None else torch.zeros(out, dtype=F64)
    bb = b if b is not None else torch.zeros(out, dtype=F64)
    s = gam / torch.sqrt(rv + eps)
    if mistake == "fold_eps_outside_sqrt":
        s = gam / (torch.sqrt(rv) + eps)
    if mistake == "fold_scale_inverted":
        s = gam * torch.sqrt(rv + eps)
    shape = [-1] + [1] * (w.dim() - 1)
    wf = w * s.view(shape)
    if mistake == "fold_scale_on_columns":
        wf = w * s.view(1, -1)
    if mistake == "fold_scale_on_input_channels":
        wf = w * s.view(1, -1, 1, 1)
    if mistake == "fold_bias_ignored":
        bb = torch.zeros(out, dtype=F64)
    bf = s * (bb - rm) + bet
    if mistake == "fold_missing_running_mean":
        bf = s * bb + bet
    if mistake == "fold_bias_not_scaled":
        bf = (bb - rm) + bet
    if mistake == "fold_beta_dropped":
        bf = s * (bb - rm)
    return s, wf, bf


def fold_applies(mistake, w, b, gamma):
    if mistake == "fold_scale_on_columns":
        return w.dim() == 2 and w.shape[0] == w.shape[1]
    if mistake == "fold_scale_on_input_channels":
        return w.dim() == 4 and w.shape[0] == w.shape[1]
    if mistake == "fold_bias_ignored":
        return b is not None
    if mistake == "fold_beta_dropped":
        return gamma is not None
    return mistake.startswith("fold_")


def generate():
    cf = common.CaseFile("lesson 09: a Linear (weight (out,in), bias) or Conv2d (weight (out,in,kh,kw), bias) "
                         "followed by an eval-mode BatchNorm (gamma, beta, running_mean, running_var, eps); "
                         "x -> s, folded weight and bias (torch.nn.utils.fusion), y_eval, y_train")

    def one(name, kind, x, w, b, gamma, beta, rm, rv, eps, seed=None):
        out, inp = w.shape[0], w.shape[1]
        conv = kind == "conv"
        if conv:
            layer = torch.nn.Conv2d(inp, out, tuple(w.shape[2:]), bias=b is not None).double()
            bn = torch.nn.BatchNorm2d(out, eps=eps, affine=gamma is not None).double()
        else:
            layer = torch.nn.Linear(inp, out, bias=b is not None).double()
            bn = torch.nn.BatchNorm1d(out, eps=eps, affine=gamma is not None).double()
        with torch.no_grad():
            layer.weight.copy_(w)
            if b is not None:
                layer.bias.copy_(b)
            if gamma is not None:
                bn.weight.copy_(gamma)
                bn.bias.copy_(beta)
            bn.running_mean.copy_(rm)
            bn.running_var.copy_(rv)
        layer.eval()
        bn.eval()
        with torch.no_grad():
            z = layer(x)
            y_eval = bn(z)
            if conv:
                fused = torch.nn.utils.fusion.fuse_conv_bn_eval(layer, bn)
            elif gamma is not None:
                fused = torch.nn.utils.fusion.fuse_linear_bn_eval(layer, bn)
            else:
                fused = torch.nn.Linear(inp, out).double()
                fused.weight, fused.bias = torch.nn.utils.fusion.fuse_conv_bn_weights(
                    layer.weight, layer.bias, bn.running_mean, bn.running_var, bn.eps, None, None)
            fused.eval()
            wf, bf = fused.weight.detach(), fused.bias.detach()
            y_fused = fused(x)
            bn.train()
            y_train = bn(z)
            bn.eval()
        # Premises: PyTorch's fused layer equals Linear-then-BN, and ours equals PyTorch's.
        scale = 1.0 + float(y_eval.abs().max())
        assert common.close(y_fused, y_eval, 1e-11 * scale), name
        s, w_ok, b_ok = fold(w, b, rm, rv, eps, gamma, beta)
        assert common.close(w_ok, wf, 1e-13 * (1 + float(wf.abs().max()))), name
        assert common.close(b_ok, bf, 1e-13 * (1 + float(bf.abs().max()))), name
        mean, var, _ = common.batch_stats(z)
        y_batch = common.bn_apply(z, mean, var, gamma, beta, eps)
        assert common.close(y_batch, y_train, 1e-11 * (1 + float(y_train.abs().max()))), name

        cf.case(name, seed)
        cf.text("kind", kind)
        cf.text("bias", "true" if b is not None else "false")
        cf.text("affine", "true" if gamma is not None else "false")
        cf.tensor("x", x)
        cf.tensor("weight", w)
        if b is not None:
            cf.tensor("b", b)
        if gamma is not None:
            cf.tensor("gamma", gamma)
            cf.tensor("beta", beta)
        cf.tensor("running_mean", rm)
        cf.tensor("running_var", rv)
        cf.tensor("eps", eps)
        cf.tensor("s", s)
        cf.tensor("folded_weight", wf)
        cf.tensor("folded_bias", bf)
        cf.tensor("y_eval", y_eval)
        cf.tensor("y_train", y_train)
        for mid in sorted(MISTAKES):
            if not mid.startswith("fold_") or not fold_applies(mid, w, b, gamma):
                continue
            if mid == "fold_scale_on_input_channels" and not conv:
                continue
            ms, mw, mb = fold(w, b, rm, rv, eps, gamma, beta, mid)
            cf.mistake(mid, "s", ms, s)
            cf.mistake(mid, "folded_weight", mw, wf)
            cf.mistake(mid, "folded_bias", mb, bf)
            if conv:
                y = torch.nn.functional.conv2d(x, mw, mb)
            else:
                y = x @ mw.T + mb
            cf.mistake(mid, "y_eval", y, y_eval)
        if not conv:
            cf.mistake("batch_stats_in_eval", "y_eval", y_batch, y_eval)
            cf.mistake("eval_uses_batch_variance", "y_eval", common.bn_apply(z, rm, var, gamma, beta, eps), y_eval)
            cf.mistake("train_uses_running_statistics", "y_train",
                       common.bn_apply(z, rm, rv, gamma, beta, eps), y_train)
        cf.end()
        return s, wf, bf, y_eval

    t = lambda v: torch.tensor(v, dtype=F64)  # noqa: E731

    # By hand (the README's numbers): W = [[1, 2], [3, -1]], b = [1, 0], gamma = [2, 1],
    # beta = [0.5, -1], running_mean = [3, 2], running_var = [3, 15], eps = 1:
    # s = [2/2, 1/4] = [1, 0.25]; W' = [[1, 2], [0.75, -0.25]]; b' = [1*(1-3)+0.5, 0.25*(0-2)-1]
    # = [-1.5, -1.5]. x = [1, 1]: z = [4, 2], y = [1*(4-3)+0.5, 0.25*(2-2)-1] = [1.5, -1].
    s, wf, bf, y = one("hand_linear", "linear", t([[1.0, 1.0], [0.0, 2.0], [2.0, -1.0]]),
                       t([[1.0, 2.0], [3.0, -1.0]]), t([1.0, 0.0]), t([2.0, 1.0]), t([0.5, -1.0]),
                       t([3.0, 2.0]), t([3.0, 15.0]), 1.0)
    assert s.tolist() == [1.0, 0.25] and bf.tolist() == [-1.5, -1.5], (s, bf)
    assert wf.tolist() == [[1.0, 2.0], [0.75, -0.25]] and y[0].tolist() == [1.5, -1.0], (wf, y)

    def layer_draw(out, inp, kernel, bias, affine, rm_loc=0.0, rm_scale=1.0, rv_lo=0.2, rv_hi=3.0):
        shape = (out, inp) + kernel
        w = torch.randn(*shape, dtype=F64) * 0.7
        b = torch.randn(out, dtype=F64) if bias else None
        gamma = (torch.sign(torch.randn(out, dtype=F64)) * (0.5 + torch.rand(out, dtype=F64))) if affine else None
        beta = torch.randn(out, dtype=F64) if affine else None
        rm = rm_loc + rm_scale * torch.randn(out, dtype=F64)
        rv = rv_lo + (rv_hi - rv_lo) * torch.rand(out, dtype=F64)
        return w, b, gamma, beta, rm, rv

    # (name, seed, kind, N, out, in, kernel, bias, affine, eps, running-mean location, small var)
    for name, seed, kind, n, out, inp, kernel, bias, affine, eps, rm_loc, small in [
            ("linear_4x3", 901, "linear", 6, 4, 3, (), True, True, 1e-5, 0.0, False),
            ("linear_square_5x5", 902, "linear", 8, 5, 5, (), True, True, 1e-3, 0.0, False),
            ("linear_no_bias", 903, "linear", 7, 3, 4, (), False, True, 1e-5, 0.0, False),
            ("linear_affine_false", 904, "linear", 5, 4, 4, (), True, False, 1e-5, 0.0, False),
            ("linear_no_bias_affine_false", 905, "linear", 4, 3, 2, (), False, False, 1e-5, 0.0, False),
            ("linear_large_running_mean", 906, "linear", 6, 3, 3, (), True, True, 1e-5, 1e4, False),
            ("linear_small_running_var", 907, "linear", 6, 4, 4, (), True, True, 1e-3, 0.0, True),
            ("conv_3x2_k3", 911, "conv", 2, 3, 2, (3, 3), True, True, 1e-5, 0.0, False),
            ("conv_square_4x4_k2", 912, "conv", 2, 4, 4, (2, 2), True, True, 1e-3, 0.0, True),
            ("conv_no_bias_k1x3", 913, "conv", 3, 2, 3, (1, 3), False, True, 1e-5, 0.0, False),
            ("conv_affine_false", 914, "conv", 2, 3, 3, (2, 2), True, False, 1e-5, 0.0, False),
            ("conv_large_running_mean", 915, "conv", 2, 2, 2, (3, 3), True, True, 1e-5, 1e4, False)]:
        torch.manual_seed(seed)
        w, b, gamma, beta, rm, rv = layer_draw(out, inp, kernel, bias, affine, rm_loc=rm_loc,
                                               rm_scale=1.0 if rm_loc == 0 else 100.0,
                                               rv_lo=1e-4 if small else 0.2, rv_hi=1e-3 if small else 3.0)
        if kind == "conv":
            x = torch.randn(n, inp, kernel[0] + 2, kernel[1] + 3, dtype=F64)
        else:
            x = torch.randn(n, inp, dtype=F64)
        if rm_loc and b is not None:
            # A trained layer's running mean sits near its outputs' mean: a bias near 1e4 puts
            # z there too, and b' = s * (b - running_mean) + beta is a small difference of
            # large numbers (exact in double, b and running_mean both near 1e4).
            b = rm + torch.randn(out, dtype=F64)
        one(name, kind, x, w, b, gamma, beta, rm, rv, eps, seed)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
