#!/usr/bin/env bash
# nnc bench: times nnc's reference executor against ONNX Runtime on resnet50 and mobilenet_v2 at 1 and 2 threads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build models="" runs=10 warmup=2 threads="1 2" names="resnet50 mobilenet_v2"
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --only) names=$2; shift 2 ;;
    -h|--help) sed -n '2p' "$0"; echo "usage: bench/run.sh [--build DIR] [--models DIR] [--runs N] [--warmup W] [--threads '1 2'] [--only 'resnet50 ...']"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
models=${models:-$build/models}
bench=$build/bin/nnc_bench
[ -x "$bench" ] || { echo "bench/run.sh: $bench not built: ninja -C $build nnc_bench" >&2; exit 1; }
/usr/bin/python3 "$root/scripts/gen_torchvision_models.py" --out "$models" $names >&2
ort=$("$root/../shared/tools/ort/setup.sh")
mem=()

field() { grep -o "\"$1\":[0-9.]*" | cut -d: -f2; }
median() { field median_ms; }
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "runs: $runs after $warmup warm-up(s); batch 1; median latency"
echo
echo "| model | threads | nnc ms | ORT ms | nnc/ORT |"
echo "|---|---:|---:|---:|---:|"
for m in $names; do
  for t in $threads; do
    args=("$models/$m/model.onnx" -i "input=$models/$m/input_0.npy" --threads "$t" --bench "$runs" --warmup "$warmup")
    report=$("$bench" "${args[@]}")
    n=$(median <<<"$report")
    o=$(node "$ort/ort_run.js" "${args[@]}" | median)
    echo "| $m | $t | $n | $o | $(awk "BEGIN { printf \"%.2f\", $n / $o }") |"
    [ "$t" = "${threads%% *}" ] && mem+=("| $m | $(field weights_mib <<<"$report") | $(field peak_live_activations_mib <<<"$report") | $(field activation_arena_mib <<<"$report") | $(field run_anon_rss_over_baseline_mib <<<"$report") | $(field memory_bound_mib <<<"$report") | $(field memory_ratio <<<"$report") |")
  done
done
echo
echo "nnc memory during steady-state inference (MiB): the peak RSS counter is restarted after the first run"
echo "(which records the memory plan); file-backed pages (library code) and the anonymous memory the libraries"
echo "hold before the model is loaded are taken off. bound = 1.5 x weights + largest set of live activations."
echo
echo "| model | weights | peak live activations | activation arena | peak anon RSS over baseline | bound | RSS/bound |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${mem[@]}"
