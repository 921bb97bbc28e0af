#!/usr/bin/python3
"""Golden data of lesson 11 (frozen BatchNorm for fine-tuning), from real PyTorch.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). A BatchNorm1d frozen the PyTorch way: model.train(), then
bn.eval() on the BN layer, so the model trains while BN normalises with its running
statistics and changes no buffer. dx, dgamma and dbeta come from autograd; with frozen
affine parameters (requires_grad False) PyTorch leaves their .grad as None, which the
lesson reports as zeros. Run from the repository root:

    /usr/bin/python3 harness/lessons/11_frozen_bn/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402

F64 = torch.float64

common.MISTAKE_IDS |= {
    "frozen_uses_batch_stats",
    "frozen_backward_batch_terms",
    "frozen_affine_grads_reported",
    "frozen_updates_buffers",
    "frozen_counts_batches",
    "backward_missing_gamma",
    "eps_outside_sqrt",
}


def generate():
    cf = common.CaseFile("lesson 11: nn.BatchNorm1d frozen by bn.eval() inside a model in train mode; "
                         "one forward (y) and autograd backward (dy -> dx, dgamma, dbeta) per case")

    def one(name, x, running_mean, running_var, gamma, beta, *, eps=1e-5, freeze_affine=False, dy=None,
            counter=100):
        c = x.shape[1]
        dims = common.channel_dims(x)

        def per_c(v):  # v (C) shaped to broadcast against x (N,C) or (N,C,L)
            return common.per_channel(v, x)

        bn = torch.nn.BatchNorm1d(c, eps=eps).to(F64)
        with torch.no_grad():
            bn.weight.copy_(gamma)
            bn.bias.copy_(beta)
            bn.running_mean.copy_(running_mean)
            bn.running_var.copy_(running_var)
            bn.num_batches_tracked.fill_(counter)
        if freeze_affine:
            bn.weight.requires_grad_(False)
            bn.bias.requires_grad_(False)
        model = torch.nn.Sequential(torch.nn.Identity(), bn)
        model.train()
        bn.eval()  # the idiom: BN frozen inside a training model
        assert model.training and not bn.training
        if dy is None:
            dy = torch.randn(*x.shape, dtype=F64)
        y, dx = common.call_with_grad(model, x, dy)
        # Nothing moved: the buffers and the counter are exactly as loaded.
        assert torch.equal(bn.running_mean, running_mean) and torch.equal(bn.running_var, running_var)
        assert int(bn.num_batches_tracked) == counter
        if freeze_affine:
            assert bn.weight.grad is None and bn.bias.grad is None
            dgamma, dbeta = torch.zeros(c, dtype=F64), torch.zeros(c, dtype=F64)
        else:
            dgamma, dbeta = bn.weight.grad.detach().clone(), bn.bias.grad.detach().clone()

        # Independent checks: the closed forms of the lesson.
        rstd = 1.0 / torch.sqrt(running_var + eps)
        xhat = (x - per_c(running_mean)) * per_c(rstd)
        ref_y = common.affine(xhat, gamma, beta)
        assert common.close(y, ref_y, 1e-9 * (1 + float(ref_y.abs().max()))), name
        ref_dx = dy * per_c(gamma * rstd)
        assert common.close(dx, ref_dx, 1e-12 * (1 + float(ref_dx.abs().max()))), name
        full_dgamma, full_dbeta = (dy * xhat).sum(dims), dy.sum(dims)
        if not freeze_affine:
            assert common.close(dgamma, full_dgamma, 1e-9 * (1 + float(full_dgamma.abs().max()))), name
            assert common.close(dbeta, full_dbeta, 1e-9 * (1 + float(full_dbeta.abs().max()))), name

        cf.case(name)
        cf.text("freeze_affine", "true" if freeze_affine else "false")
        cf.tensor("eps", eps)
        cf.tensor("num_features", c)
        cf.tensor("gamma", gamma)
        cf.tensor("beta", beta)
        cf.tensor("running_mean", running_mean)
        cf.tensor("running_var", running_var)
        cf.tensor("num_batches_tracked", counter)
        cf.tensor("x", x)
        cf.tensor("y", y)
        cf.tensor("dy", dy)
        cf.tensor("dx", dx)
        cf.tensor("dgamma", dgamma)
        cf.tensor("dbeta", dbeta)
        # Fingerprints of the lesson's mistakes.
        bmean = x.mean(dims)
        bvar = x.var(dims, unbiased=False)
        batch_y = per_c(gamma) * (x - per_c(bmean)) / torch.sqrt(per_c(bvar) + eps) + per_c(beta)
        cf.mistake("frozen_uses_batch_stats", "y", batch_y, y)
        cf.mistake("eps_outside_sqrt", "y",
                   per_c(gamma) * (x - per_c(running_mean)) / (torch.sqrt(per_c(running_var)) + eps)
                   + per_c(beta), y)
        cf.mistake("backward_missing_gamma", "dx", dx / per_c(gamma), dx)
        m = common.per_channel_count(x)
        mdy = dy.sum(dims, keepdim=True) / m
        mdyx = (dy * xhat).sum(dims, keepdim=True) / m
        cf.mistake("frozen_backward_batch_terms", "dx", per_c(gamma * rstd) * (dy - mdy - xhat * mdyx), dx)
        if freeze_affine:
            cf.mistake("frozen_affine_grads_reported", "dgamma", full_dgamma, dgamma)
            cf.mistake("frozen_affine_grads_reported", "dbeta", full_dbeta, dbeta)
        cf.end()
        return y, dx, dgamma, dbeta

    t = lambda *v: torch.tensor(v, dtype=F64)  # noqa: E731

    # The README's numbers (eps = 0 so they come out round): rstd = [0.5, 2].
    y, dx, dgamma, dbeta = one("hand_nc", torch.tensor([[3.0, -1.5], [0.0, -2.5]], dtype=F64),
                               t(1.0, -2.0), t(4.0, 0.25), t(2.0, -1.0), t(0.5, 1.0), eps=0.0,
                               dy=torch.tensor([[1.0, 1.0], [1.0, -1.0]], dtype=F64))
    assert torch.equal(y, torch.tensor([[2.5, 0.0], [-0.5, 2.0]], dtype=F64))
    assert torch.equal(dx, torch.tensor([[1.0, -2.0], [1.0, 2.0]], dtype=F64))
    assert torch.equal(dgamma, t(0.5, 2.0)) and torch.equal(dbeta, t(2.0, 0.0))

    def pretrained(c, loc=0.0, spread=2.0):
        """Loaded statistics and parameters, as a pre-trained model would bring."""
        return (loc + spread * torch.randn(c, dtype=F64), 0.2 + 2.0 * torch.rand(c, dtype=F64),
                0.5 + 1.5 * torch.rand(c, dtype=F64), torch.randn(c, dtype=F64))

    torch.manual_seed(1101)
    rm, rv, gm, bt = pretrained(3)
    one("nc", 1.0 + 2.0 * torch.randn(4, 3, dtype=F64), rm, rv, gm, bt)

    torch.manual_seed(1102)
    rm, rv, gm, bt = pretrained(2)
    one("ncl", -0.5 + 1.5 * torch.randn(3, 2, 5, dtype=F64), rm, rv, gm, bt)

    # A batch of one: refused by train-mode BN, fine when frozen.
    torch.manual_seed(1103)
    rm, rv, gm, bt = pretrained(4)
    one("batch_of_one_nc", torch.randn(1, 4, dtype=F64), rm, rv, gm, bt)
    torch.manual_seed(1104)
    rm, rv, gm, bt = pretrained(3)
    one("batch_of_one_ncl", torch.randn(1, 3, 1, dtype=F64), rm, rv, gm, bt)

    # Frozen affine parameters too: grads None in PyTorch, zeros here; dx still flows.
    torch.manual_seed(1105)
    rm, rv, gm, bt = pretrained(3)
    one("frozen_affine_ncl", 2.0 * torch.randn(3, 3, 4, dtype=F64), rm, rv, gm, bt, freeze_affine=True)
    torch.manual_seed(1106)
    rm, rv, gm, bt = pretrained(2)
    one("frozen_affine_nc", torch.randn(2, 2, dtype=F64), rm, rv, gm, bt, freeze_affine=True)

    # Large running means (features near 1e4 and -5e3): x - running_mean first.
    torch.manual_seed(1107)
    _, rv, gm, bt = pretrained(3)
    rm = t(1e4, -5e3, 2.5e4) + torch.randn(3, dtype=F64)
    one("large_running_mean", rm.view(1, -1, 1) + 0.8 * torch.randn(4, 3, 2, dtype=F64), rm, rv, gm, bt)

    # A larger eps and small running variances, where eps matters.
    torch.manual_seed(1108)
    rm, _, gm, bt = pretrained(3)
    rv = t(0.01, 0.002, 0.05)
    one("custom_eps", rm.view(1, -1) + 0.1 * torch.randn(5, 3, dtype=F64), rm, rv, gm, bt, eps=1e-3)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
