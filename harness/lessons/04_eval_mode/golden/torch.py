#!/usr/bin/python3
"""Lesson 04's golden data from real PyTorch: train and eval calls on one nn.BatchNorm1d.

Writes torch.cases beside this file (format: harness/golden/FORMAT.md; the shared helpers:
harness/golden/torch_common.py). Each case is a sequence of calls on one nn.BatchNorm1d
(torch_common.CallSequence): y.k and the buffers after step k, on (N,C) and (N,C,L) inputs,
with and without affine parameters and running statistics, with the fingerprints of the
classic mistakes. Run from the repository root:

    /usr/bin/python3 harness/lessons/04_eval_mode/golden/torch.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "golden"))
import torch_common as common  # noqa: E402  (first: this file is torch.py, see there)

import torch  # noqa: E402


def generate():
    cf = common.CaseFile("lesson 04: call sequences on one nn.BatchNorm1d; y.k and buffers after step k")

    def one(name, c, steps, *, eps=1e-5, momentum=0.1, affine=True, track=True,
            seed=None, random_affine=True):
        """steps: list of (mode, x-maker); x-makers are called in order after the seed."""
        seq = common.CallSequence(cf, name, torch.nn.BatchNorm1d, c, steps, eps=eps, momentum=momentum,
                                  affine=affine, track=track, seed=seed, random_affine=random_affine)
        for call in seq.calls():
            with torch.no_grad():
                y = seq.bn(call.x).clone()
            seq.record(call, y)
            wrong_y = {}
            if call.mode == "train" and call.x.dim() == 3 and call.x.numel() > 0:
                wrong_y["wrong_axis"] = common.bn1d_wrong_axis(call.x, seq.gamma, seq.beta, eps)[3]
            seq.fingerprints(call, y, wrong_y)
        return seq.end()

    def randn(*shape, loc=0.0, scale=1.0):
        return lambda: loc + scale * torch.randn(*shape)

    one("nc_train3_eval2", 3,
        [("train", randn(6, 3, loc=1.0, scale=2.0))] * 3 +
        [("eval", randn(4, 3, loc=1.0, scale=2.0)), ("eval", randn(1, 3, loc=1.0, scale=2.0))],
        seed=1401)

    one("ncl_train2_eval1", 3,
        [("train", randn(4, 3, 5, loc=1.0, scale=2.0))] * 2 +
        [("eval", randn(4, 3, 5, loc=1.0, scale=2.0))],
        seed=1402)

    # channel c of sample n holds [1,2,3,4] + 4c + n
    hand = torch.tensor([[[1.0 + l + 4 * c + n for l in range(4)] for c in range(3)]
                         for n in range(4)])
    res = one("hand_4x3x4", 3, [("train", lambda: hand.clone())], random_affine=False)
    _, bvar, _ = common.batch_stats(hand)
    assert common.close(bvar, [2.5] * 3, 1e-12)
    assert common.close(hand.var([0, 2], unbiased=True), [8 / 3] * 3, 1e-12)
    assert common.close(res[0][2], [1.1667] * 3, 1e-4)

    one("affine_false", 4,
        [("train", randn(5, 4, loc=1.0, scale=2.0))] * 2 + [("eval", randn(3, 4, loc=1.0, scale=2.0))],
        affine=False, seed=1404)

    res = one("no_tracking", 3,
              [("train", randn(5, 3, loc=1.0, scale=2.0)), ("eval", randn(5, 3, loc=1.0, scale=2.0))],
              track=False, seed=1405)

    one("momentum_none", 3,
        [("train", randn(4, 3, loc=1.0, scale=2.0))] * 3 + [("eval", randn(2, 3, loc=1.0, scale=2.0))],
        momentum=None, seed=1406)

    res = one("empty_batch", 3,
              [("train", randn(5, 3, loc=1.0, scale=2.0)), ("train", lambda: torch.empty(0, 3)),
               ("eval", randn(2, 3, loc=1.0, scale=2.0))],
              seed=1407)
    assert tuple(res[1][0].shape) == (0, 3)
    assert torch.equal(res[0][1], res[1][1]) and torch.equal(res[0][2], res[1][2])
    assert res[1][3] == 2  # PyTorch counts the empty batch

    one("custom_eps_momentum", 2,
        [("train", randn(3, 2, loc=1.0, scale=2.0))] * 2 + [("eval", randn(3, 2, loc=1.0, scale=2.0))],
        eps=1e-3, momentum=0.25, seed=1408)
    return cf


if __name__ == "__main__":
    sys.exit(common.main(generate, __file__))
