#!/usr/bin/env bash
# Compiler launcher for files a student wrote (CMake's CXX_COMPILER_LAUNCHER):
#   compile_sandbox.sh SOURCE_ROOT BUILD_DIR COMPILER ARGS...
# With bubblewrap, the compiler sees /usr (the toolchain, Eigen), lessons/, the headers of
# harness/include, wire/ and worker/, the lessons' binding files (harness/lessons/*/
# binding.cpp, not their folders), the folder of the file it compiles, its own output folder
# and the precompiled header; nothing else of the machine, the kit or any build folder, and
# no network: neither #include nor an assembler .incbin can reach reference code, tests or
# another file. Without bubblewrap, the compile runs as is and its dependency list is
# checked: any file under solutions/ or a lesson's hidden tests fails the build. Either way the compiler gets at most 4 GiB of memory.
set -u
ulimit -v 4194304 2>/dev/null
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
  # Only what a compile needs: the toolchain, the contract and helper headers, the folder
  # of the file being compiled; no other build folder, no .git, no solutions/.
  args=(--unshare-all --die-with-parent --new-session --ro-bind /usr /usr
        --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin
        --dev /dev --proc /proc --tmpfs /tmp --tmpfs "$root")
  [ -f /etc/ld.so.cache ] && args+=(--ro-bind /etc/ld.so.cache /etc/ld.so.cache)
  [ -d /etc/alternatives ] && args+=(--ro-bind /etc/alternatives /etc/alternatives)
  for part in lessons harness/include harness/wire harness/worker; do
    [ -d "$root/$part" ] && args+=(--ro-bind "$root/$part" "$root/$part")
  done
  for binding in "$root"/harness/lessons/*/binding.cpp; do
    [ -f "$binding" ] && args+=(--ro-bind "$binding" "$binding")
  done
  for a in "$@"; do
    case "$a" in
      */harness/lessons/*/binding.cpp) ;;  # bound above, without its folder
      *.cpp | *.cc) [ -f "$a" ] && args+=(--ro-bind "$(cd "$(dirname "$a")" && pwd)" "$(cd "$(dirname "$a")" && pwd)") ;;
    esac
  done
  if [ -n "$pch_dir" ]; then
    case "$pch_dir" in /*) ;; *) pch_dir="$PWD/$pch_dir" ;; esac
    args+=(--ro-bind "$pch_dir" "$pch_dir")
  fi
  # Ninja runs the compile from the build folder, with paths relative to it.
  args+=(--bind "$out_dir" "$out_dir" --chdir "$PWD")
  if bwrap "${args[@]}" -- /bin/true 2>/dev/null; then
    exec bwrap "${args[@]}" -- "$@"
  fi
fi

# No usable bubblewrap: compile, then refuse any dependency under solutions/.
"$@" || exit $?
if [ -n "$depfile" ] && [ -f "$depfile" ]; then
  top="$(cd "$root" && pwd -P)"
  for dep in $(tr -d '\\' <"$depfile" | tr ' ' '\n' | grep -v ':$'); do
    [ -e "$dep" ] || continue
    real="$(readlink -f "$dep")"
    case "$real" in
      "$top/solutions/"* | "$top/harness/lessons/"*/hidden/*)
        refuse "$dep is instructor code: a submission may not include it" ;;
    esac
  done
fi
