#!/usr/bin/env bash
# Compiler launcher for files a student wrote (CMake's CXX_COMPILER_LAUNCHER):
#   compile_sandbox.sh SOURCE_ROOT BUILD_DIR COMPILER ARGS...
# With bubblewrap, the compiler runs where solutions/ and the build tree are empty (only
# its own output folder and the precompiled header are there), with no network: neither
# #include nor an assembler .incbin can reach reference code. Without it, the compile runs
# as is and its dependency list is checked: any file under solutions/ fails the build.
set -u
root="$1" build="$2"
shift 2

out="" pch_dir="" depfile=""
prev=""
for a in "$@"; do
  case "$prev" in
    -o) out="$a" ;;
    -MF) depfile="$a" ;;
    -include) case "$a" in *cmake_pch*) pch_dir="$(dirname "$a")" ;; esac ;;
  esac
  prev="$a"
done

refuse() {
  echo "error: $1" >&2
  [ -n "$out" ] && rm -f "$out"
  exit 1
}

if [ -x /usr/bin/bwrap ] && [ -n "$out" ]; then
  out_dir="$(cd "$(dirname "$out")" && pwd)"
  args=(--unshare-all --die-with-parent --new-session --ro-bind / / --dev /dev --proc /proc
        --tmpfs /tmp --tmpfs "$build")
  [ -d "$root/solutions" ] && args+=(--tmpfs "$root/solutions")
  [ -d "$root/harness/hidden" ] && args+=(--tmpfs "$root/harness/hidden")
  if [ -n "$pch_dir" ]; then
    case "$pch_dir" in /*) ;; *) pch_dir="$PWD/$pch_dir" ;; esac
    args+=(--ro-bind "$pch_dir" "$pch_dir")
  fi
  args+=(--bind "$out_dir" "$out_dir" --chdir "$PWD")
  if bwrap "${args[@]}" -- /bin/true 2>/dev/null; then
    exec bwrap "${args[@]}" -- "$@"
  fi
fi

# No usable bubblewrap: compile, then refuse any dependency under solutions/.
"$@" || exit $?
if [ -n "$depfile" ] && [ -f "$depfile" ]; then
  solutions="$(cd "$root" && pwd -P)/solutions/"
  for dep in $(tr -d '\\' <"$depfile" | tr ' ' '\n' | grep -v ':$'); do
    [ -e "$dep" ] || continue
    real="$(readlink -f "$dep")"
    case "$real" in "$solutions"*) refuse "$dep is reference code (solutions/): a submission may not include it" ;; esac
  done
fi
