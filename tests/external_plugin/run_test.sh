#!/usr/bin/env bash
# nnc tests: installs nnc, builds tests/external_plugin against the install only, and runs it through the host.
#
# usage: run_test.sh <nnc build dir> <nnc source dir>
# env:   NNC_CMAKE (cmake binary), NNC_CMAKE_GENERATOR, NNC_CXX_COMPILER (set by tests/external_plugin.cmake),
#        NNC_KEEP_TMP=1 keeps the scratch directory for inspection.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <nnc build dir> <nnc source dir>" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
cmake_cmd=${NNC_CMAKE:-cmake}
generator=${NNC_CMAKE_GENERATOR:-Ninja}
model="$source_dir/examples/models/tiny_cnn.onnx"

work=$(mktemp -d "${TMPDIR:-/tmp}/nnc-external-plugin.XXXXXX")
if [[ ${NNC_KEEP_TMP:-0} == 1 ]]; then
  echo "scratch directory kept: $work"
else
  trap 'rm -rf "$work"' EXIT
fi
prefix="$work/prefix"
ext_build="$work/ext-build"
run_dir="$work/run"
host="$prefix/bin/host"

fail() {
  echo "external_plugin_against_install: FAIL: $*" >&2
  exit 1
}
step() { echo "== $*"; }
# Runs a command with its output in a log file; on failure shows the log and stops.
run_logged() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "command failed: $*"
  fi
}

[[ -x $build_dir/bin/host ]] || fail "$build_dir/bin/host missing: build nnc (ninja -C build) before running ctest"
[[ -f $model ]] || fail "bundled model missing: $model"

step "install nnc into $prefix"
run_logged "$work/install.log" "$cmake_cmd" --install "$build_dir" --prefix "$prefix"
[[ -x $host ]] || fail "the install has no bin/host"

step "configure tests/external_plugin against the install only"
cxx_args=()
[[ -n ${NNC_CXX_COMPILER:-} ]] && cxx_args=("-DCMAKE_CXX_COMPILER=$NNC_CXX_COMPILER")
run_logged "$work/configure.log" "$cmake_cmd" -S "$source_dir/tests/external_plugin" -B "$ext_build" -G "$generator" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${cxx_args[@]}"
nnc_dir=$(sed -n 's/^nnc_DIR:[A-Z]*=//p' "$ext_build/CMakeCache.txt")
[[ $nnc_dir == "$prefix"/* ]] || fail "find_package(nnc) found '$nnc_dir', not the install in $prefix"

step "build the external plugin"
run_logged "$work/build.log" "$cmake_cmd" --build "$ext_build" -j 2
plugin_file="$ext_build/libnnc_pass_external_demo.so"
[[ -f $plugin_file ]] || fail "$plugin_file was not built"
if grep -Fq -e "$source_dir/sdk" -e "$source_dir/core" -e "$build_dir/" "$ext_build/compile_commands.json"; then
  grep -F -e "$source_dir/sdk" -e "$source_dir/core" -e "$build_dir/" "$ext_build/compile_commands.json" >&2
  fail "the external plugin was compiled with paths into the nnc source or build tree"
fi

# Only the install's default plugin dir and --plugin-dir: nothing from the caller's environment.
unset NNC_PLUGIN_PATH

step "host plugins --plugin-dir <external build>"
"$host" plugins --plugin-dir "$ext_build" >"$work/plugins.txt" 2>&1 || {
  cat "$work/plugins.txt" >&2
  fail "host plugins exited with $?"
}
cat "$work/plugins.txt"
# Everything before "rejected plugin files:" lists loaded plugins and their components.
loaded_section=$(sed '/^rejected plugin files:/,$d' "$work/plugins.txt")
grep -q "external_demo 1\.0\.0 .*libnnc_pass_external_demo\.so" <<<"$loaded_section" ||
  fail "the external plugin is not listed as loaded by host plugins"
grep -q "pass\.external_demo" <<<"$loaded_section" || fail "pass.external_demo is not listed among loaded components"

step "host run: tiny_cnn.onnx through pass.external_demo"
mkdir -p "$run_dir"
cp "$model" "$run_dir/tiny_cnn.onnx"
cat >"$run_dir/pipeline.toml" <<'TOML'
# external plugin smoke test: load the bundled model, run the out-of-tree pass, dump the IR.
[job]
verify_each = true

[[models]]
path = "tiny_cnn.onnx"

[[stage]]
plugin = "pass.external_demo"
node_prefix = "ext_"

[outputs]
dir = "out"
ir = ["text", "json"]
TOML
status=0
"$host" run "$run_dir/pipeline.toml" --plugin-dir "$ext_build" -v >"$work/run.txt" 2>&1 || status=$?
cat "$work/run.txt"
[[ $status -eq 0 ]] || fail "host run exited with $status"

shopt -s nullglob
json_dumps=("$run_dir"/out/*.ir.json)
text_dumps=("$run_dir"/out/*.ir.txt)
[[ ${#json_dumps[@]} -eq 1 ]] || fail "expected one IR JSON dump in $run_dir/out, found ${#json_dumps[@]}"
[[ ${#text_dumps[@]} -eq 1 ]] || fail "expected one IR text dump in $run_dir/out, found ${#text_dumps[@]}"
grep -q '"ext_' "${json_dumps[0]}" || fail "node names in ${json_dumps[0]} lack the pass's prefix 'ext_'"
grep -q "ext_" "${text_dumps[0]}" || fail "node names in ${text_dumps[0]} lack the pass's prefix 'ext_'"
grep -Eq '"external_demo\.op_count": *"[A-Za-z]+=[0-9]+' "${json_dumps[0]}" ||
  fail "graph metadata in ${json_dumps[0]} lacks external_demo.op_count = \"Op=count,...\""
grep -q "external_demo.op_count" "$work/run.txt" || fail "-v log lacks the pass's op count line"

echo "external_plugin_against_install: PASS"
