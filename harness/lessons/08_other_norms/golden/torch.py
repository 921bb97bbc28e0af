#!/usr/bin/python3
"""Golden data of lesson 08 (LayerNorm, GroupNorm, RMSNorm), from real PyTorch.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Every case holds the inputs (x, weight, bias, eps, for
GroupNorm num_groups), y, a random upstream gradient dy and what autograd returns for it:
dx, dweight, dbias.

LayerNorm and GroupNorm come from torch.nn.functional.layer_norm / group_norm. PyTorch 1.13
(the version installed here) has no RMSNorm (torch.nn.RMSNorm arrived in 2.4), so the RMS
cases are computed by hand in float64, y = x / sqrt(mean(x^2) + eps) * weight, and their
gradients by autograd through that expression; the formula is PyTorch 2.4's definition
(eps inside the root, mean over the normalised trailing axes, no bias).

The identity cases record what GroupNorm(1, C) and GroupNorm(C, C) must equal, from
PyTorch's own LayerNorm (with the per-channel weight spread over H and W) and InstanceNorm.

Fingerprints (FORMAT.md): LayerNorm with statistics per feature across the batch (that is
BatchNorm), GroupNorm grouping channels by stride (c % G) instead of by block, RMSNorm
that subtracts the mean (LayerNorm without bias), eps outside the root, the unbiased
variance, weight and bias swapped, and a backward that treats the statistics as constants.
Run from the repository root:

    /usr/bin/python3 harness/lessons/08_other_norms/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

F64 = torch.float64

common.MISTAKE_IDS |= {
    "layer_norm_across_batch",
    "group_norm_strided_groups",
    "rms_norm_subtracts_mean",
    "rms_eps_outside_root",
    "unbiased_variance_in_norm",
    "norm_backward_stats_as_constants",
}


def trailing(x, k):
    return tuple(range(x.dim() - k, x.dim()))


def rms_norm(x, weight, eps, subtract_mean=False, eps_outside=False):
    dims = trailing(x, weight.dim())
    v = x - x.mean(dims, keepdim=True) if subtract_mean else x
    ms = (v * v).mean(dims, keepdim=True)
    r = torch.sqrt(ms) + eps if eps_outside else torch.sqrt(ms + eps)
    return v / r * weight


def group_view(x, groups):
    return x.reshape(x.shape[0], groups, -1)


def strided_group_norm(x, groups, weight, bias, eps):
    """Group g = channels g, g+G, g+2G, ...: the channels permuted so those groups become
    blocks, normalised, permuted back."""
    c = x.shape[1]
    order = [ch for gi in range(groups) for ch in range(gi, c, groups)]
    back = [order.index(ch) for ch in range(c)]
    xp = x[:, order]
    yp = group_view(common.unit_norm(group_view(xp, groups), (2,), eps).reshape(xp.shape), groups).reshape(xp.shape)
    y = yp[:, back]
    shape = (1, c) + (1,) * (x.dim() - 2)
    return y * weight.view(shape) + bias.view(shape)


def const_stats_dx(dy, x, weight_elem, dims, eps):
    """dx as if mean and rstd were constants: dy * weight * rstd."""
    var = x.var(dims, unbiased=False, keepdim=True)
    return dy * weight_elem / torch.sqrt(var + eps)


def record(cf, name, seed, tensors):
    cf.case(name, seed)
    for key, value in tensors:
        cf.tensor(key, value)


def generate():
    cf = common.CaseFile("Lesson 08: LayerNorm, GroupNorm, RMSNorm forward and backward.")

    # ------------------------------------------------------------------ LayerNorm
    def layer(name, seed, shape, k, eps=1e-5, loc=0.0, scale=1.0):
        torch.manual_seed(seed)
        x = (loc + scale * torch.randn(*shape, dtype=F64)).requires_grad_()
        nshape = shape[len(shape) - k:]
        weight = (0.5 + 1.5 * torch.rand(*nshape, dtype=F64)).requires_grad_()
        bias = torch.randn(*nshape, dtype=F64).requires_grad_()
        dy = torch.randn(*shape, dtype=F64)
        y = F.layer_norm(x, nshape, weight, bias, eps)
        dx, dweight, dbias = torch.autograd.grad(y, (x, weight, bias), dy)
        x, weight, bias, y = x.detach(), weight.detach(), bias.detach(), y.detach()
        dims = trailing(x, k)
        assert common.close(y, common.unit_norm(x, dims, eps) * weight + bias, 1e-12)
        record(cf, name, seed, [("eps", eps), ("x", x), ("weight", weight), ("bias", bias), ("y", y),
                                ("dy", dy), ("dx", dx), ("dweight", dweight), ("dbias", dbias)])
        across = common.unit_norm(x, tuple(range(x.dim() - k)), eps) * weight + bias  # per feature over the batch
        cf.mistake("layer_norm_across_batch", "y", across, y)
        cf.mistake("unbiased_variance_in_norm", "y", common.unit_norm(x, dims, eps, unbiased=True) * weight + bias, y)
        cf.mistake("eps_outside_sqrt", "y", common.unit_norm(x, dims, eps, eps_outside=True) * weight + bias, y)
        cf.mistake("gamma_beta_swapped", "y", common.unit_norm(x, dims, eps) * bias + weight, y)
        cf.mistake("norm_backward_stats_as_constants", "dx", const_stats_dx(dy, x, weight, dims, eps), dx)
        cf.end()

    layer("ln_rows", 801, (4, 6), 1, eps=0.1)               # (N, D), a large eps so it shows
    layer("ln_last_axis", 802, (2, 3, 5), 1, loc=2.0, scale=3.0)
    layer("ln_two_axes", 803, (3, 2, 4), 2, eps=1e-3)
    layer("ln_image", 804, (2, 3, 2, 2), 3, eps=1e-2)       # over (C, H, W)

    # ------------------------------------------------------------------ GroupNorm
    def group(name, seed, shape, groups, eps=1e-5, loc=0.0, scale=1.0):
        torch.manual_seed(seed)
        c = shape[1]
        x = (loc + scale * torch.randn(*shape, dtype=F64)).requires_grad_()
        weight = (0.5 + 1.5 * torch.rand(c, dtype=F64)).requires_grad_()
        bias = torch.randn(c, dtype=F64).requires_grad_()
        dy = torch.randn(*shape, dtype=F64)
        y = F.group_norm(x, groups, weight, bias, eps)
        dx, dweight, dbias = torch.autograd.grad(y, (x, weight, bias), dy)
        x, weight, bias, y = x.detach(), weight.detach(), bias.detach(), y.detach()
        cshape = (1, c) + (1,) * (x.dim() - 2)
        w, b = weight.view(cshape), bias.view(cshape)

        def by_block(**kw):
            return common.unit_norm(group_view(x, groups), (2,), eps, **kw).reshape(x.shape)

        assert common.close(y, by_block() * w + b, 1e-12)
        record(cf, name, seed, [("eps", eps), ("num_groups", groups), ("x", x), ("weight", weight),
                                ("bias", bias), ("y", y), ("dy", dy), ("dx", dx), ("dweight", dweight),
                                ("dbias", dbias)])
        cf.mistake("group_norm_strided_groups", "y", strided_group_norm(x, groups, weight, bias, eps), y)
        cf.mistake("unbiased_variance_in_norm", "y", by_block(unbiased=True) * w + b, y)
        cf.mistake("eps_outside_sqrt", "y", by_block(eps_outside=True) * w + b, y)
        cf.mistake("gamma_beta_swapped", "y", by_block() * b + w, y)
        gv = group_view(x, groups)
        rstd = 1.0 / torch.sqrt(gv.var(2, unbiased=False, keepdim=True) + eps)
        const_dx = (group_view(dy * w, groups) * rstd).reshape(x.shape)
        cf.mistake("norm_backward_stats_as_constants", "dx", const_dx, dx)
        cf.end()

    group("gn_image", 811, (2, 6, 2, 2), 3, eps=1e-3)
    group("gn_sequence", 812, (3, 4, 5), 2, loc=1.0, scale=2.0)
    group("gn_rows", 813, (4, 6), 2, eps=0.1)               # (N, C): L = 1
    group("gn_many_groups", 814, (2, 8, 3, 1), 4)

    # ------------------------------------------------------------------ identities
    torch.manual_seed(821)
    x = torch.randn(2, 4, 3, 2, dtype=F64)
    weight, bias = 0.5 + torch.rand(4, dtype=F64), torch.randn(4, dtype=F64)
    y_gn1 = F.group_norm(x, 1, weight, bias, 1e-5)
    spread_w = weight.view(4, 1, 1).expand(4, 3, 2)  # per-channel weight as a (C, H, W) LayerNorm weight
    spread_b = bias.view(4, 1, 1).expand(4, 3, 2)
    y_ln = F.layer_norm(x, (4, 3, 2), spread_w, spread_b, 1e-5)
    y_gnc = F.group_norm(x, 4, weight, bias, 1e-5)
    y_in = F.instance_norm(x, weight=weight, bias=bias, eps=1e-5)
    assert common.close(y_gn1, y_ln, 1e-12) and common.close(y_gnc, y_in, 1e-12)
    record(cf, "identities", 821, [("eps", 1e-5), ("x", x), ("weight", weight), ("bias", bias),
                                    ("layer_norm_y", y_ln), ("instance_norm_y", y_in)])
    cf.end()

    # ------------------------------------------------------------------ RMSNorm (by hand)
    def rms(name, seed, shape, k, eps=1e-6, loc=0.0, scale=1.0):
        torch.manual_seed(seed)
        x = (loc + scale * torch.randn(*shape, dtype=F64)).requires_grad_()
        weight = (0.5 + 1.5 * torch.rand(*shape[len(shape) - k:], dtype=F64)).requires_grad_()
        dy = torch.randn(*shape, dtype=F64)
        y = rms_norm(x, weight, eps)
        dx, dweight = torch.autograd.grad(y, (x, weight), dy)
        x, weight, y = x.detach(), weight.detach(), y.detach()
        record(cf, name, seed, [("eps", eps), ("x", x), ("weight", weight), ("y", y), ("dy", dy), ("dx", dx),
                                ("dweight", dweight)])
        cf.mistake("rms_norm_subtracts_mean", "y", rms_norm(x, weight, eps, subtract_mean=True), y)
        cf.mistake("rms_eps_outside_root", "y", rms_norm(x, weight, eps, eps_outside=True), y)
        cf.end()

    rms("rms_rows", 831, (3, 6), 1, eps=0.1, loc=1.0)       # offset: subtracting the mean shows
    rms("rms_two_axes", 832, (2, 3, 4), 2, eps=1e-2, loc=0.5, scale=2.0)
    rms("rms_small_values", 833, (4, 5), 1, eps=1e-2, scale=0.05)  # mean(x^2) ~ eps: where eps sits matters
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
