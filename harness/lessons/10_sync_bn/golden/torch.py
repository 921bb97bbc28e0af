#!/usr/bin/python3
"""Golden data of lesson 10 (SyncBatchNorm's statistics merged from shards), from real PyTorch.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). torch.batch_norm_gather_stats_with_counts runs on CUDA
only, so the oracle is what
SyncBatchNorm must reproduce: the statistics of the WHOLE batch (the shards concatenated)
and the buffers of one nn.BatchNorm1d after one train-mode step on that batch.

Each case: shards = S, channels = C, momentum; per shard k: count.k, x.k (absent when the
shard is empty), shard_mean.k and shard_m2.k (zeros when empty); the whole batch: count,
mean, m2 (= biased var * count); buffers before (running_mean.0, running_var.0,
num_batches_tracked.0) and after (running_mean, running_var, num_batches_tracked).

Fingerprints (FORMAT.md) on mean and m2: the wrong merges folded left to right over the
golden shard statistics, as the tests fold; on running_var: lesson 03's buffer mistakes.
Run from the repository root:

    /usr/bin/python3 harness/lessons/10_sync_bn/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402

F64 = torch.float64

common.MISTAKE_IDS |= {
    "mean_of_means",
    "merge_one_side_count",
    "m2_divided_before_merging",
    "sum_of_variances",
    "missing_between_term",
    "delta_not_squared",
    "swapped_merge_weights",
}


def merge(a, b, rule="right"):
    """Chan's merge of (count, mean, m2), and the classic wrong versions of it."""
    na, ma, qa = a
    nb, mb, qb = b
    if na == 0:
        return b
    if nb == 0:
        return a
    n = na + nb
    d = mb - ma
    mean = ma + d * (nb / n)
    m2 = qa + qb + d * d * (na * nb / n)
    if rule == "mean_of_means":
        mean = (ma + mb) / 2
    elif rule == "swapped_merge_weights":
        mean = ma + d * (na / n)
    elif rule == "merge_one_side_count":
        m2 = qa + qb + d * d * nb
    elif rule == "m2_divided_before_merging":
        m2 = qa / na + qb / nb + d * d * (na * nb / n)
    elif rule == "sum_of_variances":
        m2 = (qa / na + qb / nb) * n
    elif rule == "missing_between_term":
        m2 = qa + qb
    elif rule == "delta_not_squared":
        m2 = qa + qb + d * (na * nb / n)
    return (n, mean, m2)


def fold(shards, rule="right"):
    total = shards[0]
    for s in shards[1:]:
        total = merge(total, s, rule)
    return total


MEAN_RULES = ("mean_of_means", "swapped_merge_weights")
M2_RULES = ("merge_one_side_count", "m2_divided_before_merging", "sum_of_variances",
            "missing_between_term", "delta_not_squared")


def generate():
    cf = common.CaseFile("lesson 10: shards of one batch; their statistics, the whole batch's "
                         "(count, mean, m2) and one nn.BatchNorm1d step's buffers")

    def one(name, sizes, c, *, momentum=0.1, offset=0.0, scale=1.0, seed=None, fresh=True):
        if seed is not None:
            torch.manual_seed(seed)
        # per-channel offsets and spreads, so any channel mix-up shows
        loc = offset + 3.0 * torch.randn(c)
        spread = scale * (0.5 + torch.rand(c))
        xs = [loc + spread * torch.randn(m, c, dtype=F64) for m in sizes]
        bn = torch.nn.BatchNorm1d(c, momentum=momentum).to(F64)
        if not fresh:
            with torch.no_grad():
                bn.running_mean.copy_(torch.randn(c))
                bn.running_var.copy_(0.5 + torch.rand(c))
                bn.num_batches_tracked.fill_(7)
        start_mean = bn.running_mean.clone()
        start_var = bn.running_var.clone()
        start_count = int(bn.num_batches_tracked)
        whole = torch.cat(xs, 0)
        n = whole.shape[0]
        bn.train()
        with torch.no_grad():
            bn(whole)
        mean = whole.mean(0)
        m2 = whole.var(0, unbiased=False) * n
        cf.case(name)
        cf.tensor("shards", len(sizes))
        cf.tensor("channels", c)
        cf.tensor("momentum", momentum)
        shards = []
        for k, x in enumerate(xs, 1):
            m = x.shape[0]
            cf.tensor(f"count.{k}", m)
            if m > 0:
                cf.tensor(f"x.{k}", x)
                smean = x.mean(0)
                sm2 = x.var(0, unbiased=False) * m
            else:
                smean = torch.zeros(c, dtype=F64)
                sm2 = torch.zeros(c, dtype=F64)
            cf.tensor(f"shard_mean.{k}", smean)
            cf.tensor(f"shard_m2.{k}", sm2)
            shards.append((m, smean, sm2))
        cf.tensor("count", n)
        cf.tensor("mean", mean)
        cf.tensor("m2", m2)
        # Chan's merge of the golden shard statistics must give BatchNorm's whole-batch values.
        _, fmean, fm2 = fold(shards)
        assert torch.allclose(fmean, mean, rtol=1e-12, atol=1e-12) and torch.allclose(fm2, m2, rtol=1e-9, atol=1e-9), name
        for rule in MEAN_RULES:
            cf.mistake(rule, "mean", fold(shards, rule)[1], mean)
        for rule in M2_RULES:
            cf.mistake(rule, "m2", fold(shards, rule)[2], m2)
        cf.tensor("running_mean.0", start_mean)
        cf.tensor("running_var.0", start_var)
        cf.tensor("num_batches_tracked.0", start_count)
        running_var = bn.running_var.detach()
        cf.tensor("running_mean", bn.running_mean.detach())
        cf.tensor("running_var", running_var)
        cf.tensor("num_batches_tracked", int(bn.num_batches_tracked))
        # check the oracle against the formula of the contract
        assert torch.allclose((1 - momentum) * start_var + momentum * m2 / (n - 1), running_var, rtol=1e-12, atol=1e-12), name
        cf.mistake("biased_variance_stored", "running_var",
                   (1 - momentum) * start_var + momentum * m2 / n, running_var)
        cf.mistake("keras_momentum", "running_var",
                   momentum * start_var + (1 - momentum) * m2 / (n - 1), running_var)
        cf.end()

    one("equal_shards_4x8", [8, 8, 8, 8], 3, seed=1001)
    one("unequal_shards", [1, 7, 3, 12, 2], 4, seed=1002, fresh=False)
    one("empty_shards", [0, 5, 0, 0, 3, 0], 3, seed=1003, momentum=0.3)
    one("leading_empty_pair", [0, 0, 4, 6], 2, seed=1004)
    one("one_value_shards", [1, 1, 1, 1, 1, 1], 3, seed=1005, fresh=False)
    one("offset_1e4", [5, 2, 9], 3, seed=1006, offset=1e4)
    one("offset_1e5_small_spread", [3, 1, 6, 4], 2, seed=1007, offset=1e5, scale=0.01, fresh=False)
    one("two_values_in_total", [1, 0, 1], 2, seed=1008, momentum=1.0)
    one("many_shards_momentum_0.01", [2, 3, 4, 5, 6, 7, 8, 9], 5, seed=1009, momentum=0.01)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
