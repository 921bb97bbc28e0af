#!/usr/bin/env bash
# Why compile_feedback reads g++'s text diagnostics and not -fdiagnostics-format=json:
# compiles one wrong Eigen line both ways and prints, for each format, the lines of the
# student's file that g++ names. With g++ 12 the text names the student's line (through
# "required from here"); the JSON names only Eigen's headers, so a student would be told
# nothing about their own line. Run it again on a newer g++ before switching.
#
#   harness/scripts/gcc_json_diagnostics.sh
set -euo pipefail
cxx=${CXX:-g++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/student.cpp" <<'CPP'
#include <Eigen/Dense>
Eigen::MatrixXd scaled(const Eigen::MatrixXd& x, const Eigen::MatrixXf& gamma) {
  return x + gamma;  // line 3: double plus float
}
CPP
compile() { "$cxx" -std=c++17 -I/usr/include/eigen3 -c "$work/student.cpp" -o /dev/null "$@" 2>&1 || true; }
echo "$("$cxx" --version | head -1)"
echo "text: lines of student.cpp named: $(compile | grep -o 'student\.cpp:[0-9]*' | sort -u | tr '\n' ' ')"
json_lines=$(compile -fdiagnostics-format=json | /usr/bin/python3 -c '
import json, sys
seen = set()
def walk(d):
    for loc in d.get("locations", []):
        for end in ("caret", "start"):
            if end in loc and loc[end]["file"].endswith("student.cpp"):
                seen.add("student.cpp:%d" % loc[end]["line"])
    for child in d.get("children", []):
        walk(child)
for d in json.load(sys.stdin):
    walk(d)
print(" ".join(sorted(seen)))')
echo "json: lines of student.cpp named: ${json_lines:-(none)}"
