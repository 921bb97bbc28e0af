#!/usr/bin/python3
"""Regenerates every lesson's PyTorch golden data.

Runs each lesson's generator, harness/lessons/NN_topic/golden/torch.py (which rewrites
torch.cases beside itself; the helpers they share are in torch_common.py beside this
script), in lesson order, each in a process of its own, exactly as when it is run alone.
Run from anywhere with Debian's PyTorch (python3-torch):

    /usr/bin/python3 harness/golden/regenerate_torch.py

Exits 1 when any generator failed (after running the others), 0 otherwise.
"""

import glob
import os
import subprocess
import sys

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def main():
    scripts = sorted(glob.glob(os.path.join(REPO_ROOT, "harness", "lessons", "*", "golden", "torch.py")))
    if not scripts:
        print("regenerate_torch.py: no harness/lessons/*/golden/torch.py", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        rel = os.path.relpath(script, REPO_ROOT)
        if subprocess.run([sys.executable, rel], cwd=REPO_ROOT).returncode != 0:
            failed.append(rel)
    for rel in failed:
        print(f"regenerate_torch.py: {rel} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
