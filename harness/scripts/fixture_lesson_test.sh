#!/usr/bin/env bash
# A lesson is three folders: this proves it. It copies the kit without its lessons (and
# without the adversarial submissions, which name them), adds only the fixture lesson
# 13_center from harness/trusted/selftest/fixture_lesson_tree/ (lessons/, solutions/ and its
# kit folder), configures and builds that kit from scratch, and checks that the lesson is
# graded both ways: the stub is "not started" (without a build, then built), the reference
# earns every point, and the stub, mutant, isolation and reference proofs pass.
#   fixture_lesson_test.sh KIT_ROOT WORK_DIR
set -euo pipefail
root="$1" work="$2"
fixture="$root/harness/trusted/selftest/fixture_lesson_tree"
kit="$work/kit"
rm -rf "$work"
mkdir -p "$kit/harness" "$kit/lessons" "$kit/solutions" "$kit/harness/lessons"
cp "$root/CMakeLists.txt" "$kit/"
tar -C "$root/harness" --exclude=./lessons --exclude=./adversarial -cf - . | tar -C "$kit/harness" -xf -
cp -r "$fixture/lessons/13_center" "$kit/lessons/"
cp -r "$fixture/solutions/13_center" "$kit/solutions/"
cp -r "$fixture/kit/13_center" "$kit/harness/lessons/"

step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }

step "configure a kit whose only lesson is 13_center"
cmake -S "$kit" -B "$kit/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "the fixture kit does not configure"; }
grep -q '"id": "13_center"' "$kit/build/lessons.json" || fail "the lessons manifest does not list 13_center"

step "build the CLI and the lesson's targets"
cmake --build "$kit/build" --target bnkit-cli bnkit-selftest lesson13_tests lesson13_student lesson13_reference \
  lesson13_mutant_returns_x >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fail "the fixture kit does not build"; }

cli="$kit/build/harness/trusted/cli/bnkit-cli"
step "grade the untouched stub: not started, from its fingerprint"
out="$(NO_COLOR=1 "$cli" grade 13 2>&1)" || fail "grade 13 failed: $out"
echo "$out"
grep -q "13 · Centering (a fixture).*0/3.*not started" <<<"$out" || fail "the untouched stub is not reported 0/3, not started"

step "grade the reference: every point"
out="$(NO_COLOR=1 "$cli" grade 13 --reference --strict 2>&1)" || { echo "$out"; fail "the reference does not earn every point"; }
grep -q "3/3" <<<"$out" || { echo "$out"; fail "the reference's line does not read 3/3"; }

step "the lesson's proofs: stub, mutant, isolation, reference"
ctest --test-dir "$kit/build" -R '13_center' --output-on-failure --no-tests=error >"$work/ctest.log" 2>&1 ||
  { cat "$work/ctest.log"; fail "a proof of the fixture lesson failed"; }
grep -E "tests passed|Test +#" "$work/ctest.log"
for proof in stub/13_center/fails-every-test mutant/13_center/returns_x isolation/13_center/build-graph \
             reference/13_center/Center.ColumnsHaveMeanZero; do
  grep -q "$proof .*Passed" "$work/ctest.log" || fail "no passing $proof"
done

step "edit the stub: now it is built, and still fails every test"
echo "// edited" >>"$kit/lessons/13_center/center.cpp"
out="$(NO_COLOR=1 "$cli" grade 13 2>&1)" || fail "grade 13 after an edit failed: $out"
grep -q "building 13_center" <<<"$out" || fail "an edited lesson was not built"
grep -q "0/3.*not started" <<<"$out" || fail "the edited stub does not read 0/3, not started"
echo "ok: a lesson made of three folders is graded both ways"
