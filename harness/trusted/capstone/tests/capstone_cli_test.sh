#!/usr/bin/env bash
# End-to-end checks of `./bnkit capstone` on the graded subset (3,000/1,000 images):
#   capstone_cli_test.sh CLI SUBSET_DIR WORK_DIR CASE
# CASE: reference (one epoch: table, CSV rows, plots or the note), interrupt (SIGINT mid-run
# keeps the CSV and exits 130), not-started (the pristine stubs: one plain sentence),
# corrupt-data (a truncated file: a clear error, nothing built or run), experiment-NAME
# (experiment NAME for one epoch: exit 0, its CSV and plots).
set -u
cli="$1" subset="$2" work="$3" case="$4"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out.txt" 2>/dev/null; exit 1; }

case "$case" in
  reference)
    "$cli" capstone --reference --epochs 1 --data "$subset" --out "$work/out" >"$work/out.txt" 2>&1
    rc=$?
    [ "$rc" = 0 ] || fail "exit code $rc"
    grep -q "epoch  |   BatchNorm: train loss" "$work/out.txt" || fail "no table"
    grep -qE "^ +1  \| +[0-9.]+ +0\.[0-9]+" "$work/out.txt" || fail "no row for epoch 1"
    [ "$(wc -l <"$work/out/capstone.csv")" = 3 ] || fail "the CSV should have a header and 2 rows"
    grep -q "^capstone,BatchNorm,BatchNorm,batch,before" "$work/out/capstone.csv" || fail "no BatchNorm row"
    grep -q "^capstone,plain,plain,none,before" "$work/out/capstone.csv" || fail "no plain row"
    if [ -x /usr/bin/gnuplot ]; then
      [ -s "$work/out/capstone.png" ] && [ -s "$work/out/capstone.svg" ] || fail "no plots"
    else
      grep -q "no plots: gnuplot is not installed" "$work/out.txt" || fail "no note about the plots"
    fi
    ;;
  interrupt)
    "$cli" capstone --reference --epochs 400 --data "$subset" --out "$work/out" >"$work/out.txt" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
      [ -f "$work/out/capstone.csv" ] && [ "$(wc -l <"$work/out/capstone.csv")" -ge 3 ] && break
      sleep 0.1
    done
    [ "$(wc -l <"$work/out/capstone.csv" 2>/dev/null || echo 0)" -ge 3 ] || { kill "$pid"; fail "no epoch in 60 s"; }
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" = 130 ] || fail "exit code $rc, not 130"
    grep -q "stopped (Ctrl-C): kept what was written so far" "$work/out.txt" || fail "no word about the stop"
    rows=$(($(wc -l <"$work/out/capstone.csv") - 1))
    [ "$rows" -ge 2 ] || fail "the CSV lost its rows"
    grep -q "capstone.csv ($rows rows)" "$work/out.txt" || fail "does not say where the rows went"
    pgrep -f "bnkit-capstone-reference.*--epochs 400" >/dev/null && fail "a trainer is still running"
    ;;
  not-started)
    "$cli" capstone --epochs 1 --data "$subset" --out "$work/out" >"$work/out.txt" 2>&1
    rc=$?
    [ "$rc" = 1 ] || fail "exit code $rc, not 1"
    grep -q "is not finished: .*() is not implemented yet" "$work/out.txt" || fail "no plain sentence"
    grep -q "./bnkit capstone --reference" "$work/out.txt" || fail "does not point at --reference"
    [ "$(grep -c "not implemented" "$work/out.txt")" = 1 ] || fail "more than one error"
    ;;
  corrupt-data)
    mkdir -p "$work/data"
    cp "$subset"/* "$work/data/"
    head -c 100000 "$subset/train-images-idx3-ubyte.gz" >"$work/data/train-images-idx3-ubyte.gz"
    "$cli" capstone --reference --data "$work/data" --out "$work/out" >"$work/out.txt" 2>&1
    rc=$?
    [ "$rc" = 1 ] || fail "exit code $rc, not 1"
    grep -q "the data cannot be used: .*train-images-idx3-ubyte.gz: .*\(truncated\|corrupt\)" "$work/out.txt" || fail "no clear error"
    grep -q "building" "$work/out.txt" && fail "built before checking the data"
    cp "$subset/train-images-idx3-ubyte.gz" "$work/data/"
    gzip -dc "$subset/t10k-labels-idx1-ubyte.gz" | head -c 508 | gzip >"$work/data/t10k-labels-idx1-ubyte.gz"
    printf '\x00\x00\x08\x01\x00\x00\x01\xf4' | cat - <(gzip -dc "$subset/t10k-labels-idx1-ubyte.gz" | tail -c +9 | head -c 500) | gzip >"$work/data/t10k-labels-idx1-ubyte.gz"
    "$cli" capstone --reference --data "$work/data" --out "$work/out" >"$work/out.txt" 2>&1
    grep -q "has 500 labels but .* has 1000 images" "$work/out.txt" || fail "no label-count error"
    ;;
  experiment-*)
    # Every experiment runs end to end (one epoch on the subset): a table, a CSV, plots.
    name="${case#experiment-}"
    "$cli" capstone --reference --experiment "$name" --epochs 1 --data "$subset" --out "$work/out" >"$work/out.txt" 2>&1
    rc=$?
    [ "$rc" = 0 ] || fail "exit code $rc"
    [ "$(wc -l <"$work/out/$name.csv")" -ge 3 ] || fail "$name.csv should have a header and a row per run"
    if [ -x /usr/bin/gnuplot ]; then
      [ -s "$work/out/$name.png" ] && [ -s "$work/out/$name.svg" ] || fail "no plots"
    fi
    grep -q "$name.csv" "$work/out.txt" || fail "does not say where the CSV went"
    ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
echo "OK: $case"
