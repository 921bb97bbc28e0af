#!/usr/bin/python3
"""Lesson 03's golden data from real PyTorch: the running statistics of nn.BatchNorm1d.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case feeds train batches x.k (N,D) to one
nn.BatchNorm1d(D, momentum) and records, after each, the batch's mean and biased variance
and the module's running_mean, running_var and num_batches_tracked, checked against
torch_common.RunningSim, with the fingerprints of the buffer mistakes. Run from the
repository root:

    /usr/bin/python3 harness/lessons/03_running_stats/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402


def generate():
    cf = common.CaseFile("lesson 03: nn.BatchNorm1d(D, momentum) buffers after each train batch x.k (N,D)")

    def one(name, momentum, batches, seed=None):
        d = batches[0].shape[1]
        count = batches[0].shape[0]
        bn = torch.nn.BatchNorm1d(d, momentum=momentum).to(common.F64)
        bn.train()
        right = common.RunningSim(d, momentum)
        wrong = common.running_mistakes(d, momentum)
        cf.case(name)
        cf.text("momentum", common.fmt_momentum(momentum))
        if seed is not None:
            cf.text("seed", seed)
        cf.tensor("count", count)
        cf.tensor("steps", len(batches))
        out = []
        for k, x in enumerate(batches, 1):
            assert x.shape == (count, d)
            with torch.no_grad():
                bn(x)
            bmean, bvar = x.mean(0), x.var(0, unbiased=False)
            rm, rv = bn.running_mean.clone(), bn.running_var.clone()
            nbt = int(bn.num_batches_tracked)
            right.update(bmean, bvar, count)
            assert common.close(right.mean, rm, 1e-12) and common.close(right.var, rv, 1e-12) and nbt == right.n
            cf.tensor(f"x.{k}", x)
            cf.tensor(f"batch_mean.{k}", bmean)
            cf.tensor(f"batch_var.{k}", bvar)
            cf.tensor(f"running_mean.{k}", rm)
            cf.tensor(f"running_var.{k}", rv)
            cf.tensor(f"num_batches_tracked.{k}", nbt)
            for mid, sim in wrong.items():
                sim.update(bmean, bvar, count)
                cf.mistake(mid, f"running_mean.{k}", sim.mean, rm)
                cf.mistake(mid, f"running_var.{k}", sim.var, rv)
            out.append((rm, rv, nbt))
        cf.end()
        return out

    out = one("hand_3x2", 0.1, [torch.tensor(common.HAND_X)])
    rm, rv, nbt = out[0]
    assert common.close(rm, [0.3, 0.4], 1e-12) and common.close(rv, [1.3, 1.3], 1e-12) and nbt == 1

    for name, seed, momentum, (k, n, d) in [
            ("momentum_0.1_5steps", 1301, 0.1, (5, 8, 4)),
            ("momentum_0.3_3steps", 1302, 0.3, (3, 5, 3)),
            ("momentum_none_4steps", 1303, None, (4, 6, 4)),
            ("count_2", 1304, 0.1, (2, 2, 3))]:
        torch.manual_seed(seed)
        batches = [2.0 + 3.0 * torch.randn(n, d) for _ in range(k)]
        out = one(name, momentum, batches, seed)
        if momentum is None:  # cumulative average: the plain mean of the batch statistics
            all_mean = torch.stack([b.mean(0) for b in batches]).mean(0)
            all_var = torch.stack([b.var(0, unbiased=True) for b in batches]).mean(0)
            assert common.close(out[-1][0], all_mean, 1e-12) and common.close(out[-1][1], all_var, 1e-12)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
