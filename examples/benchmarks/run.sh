#!/usr/bin/env bash
# Benchmarks cnnc's model jars (-O0 unfused, -O2 fused) against ONNX Runtime and PyTorch, fused kernels
# against their unfused sequences, and the first inference in a fresh JVM; writes RESULTS.md.
#
#   examples/benchmarks/run.sh [--quick|--full] [--networks a,b,...] [--target jvm|tornadovm]
#                              [--rebuild] [--report-only] [--chains] [--paired] [-- JMH options...]
#
#   --quick        (default) 1 fork, short runs: lenet5, cifar_resnet, resnet18 at batch 1,
#                  conv_bn_relu and residual_block at 64×56×56. Minutes.
#   --full         3 rounds, longer runs: lenet5, cifar_resnet, resnet18, resnet50, mobilenet_v2,
#                  vgg16 at batch 1 and 8; kernels at 64×56×56, 128×28×28, 256×14×14.
#                  About 50 minutes, with the models rebuilt.
#   --networks     stdlib networks to run instead of the mode's list (comma-separated)
#   --target       the cnnc target the model jars are built for (default jvm)
#   --rebuild      rebuild every model even if it is up to date
#   --report-only  only rewrite RESULTS.md from the last run's results (e.g. after changing Report)
#   --chains       only time the chains of chains/*.cnn against their parts (ChainVsParts)
#   --paired       only measure the mode's networks' ratios in paired rounds (PairedRounds, part
#                  of --full) and add them to the last run's RESULTS.md
#   -- ...         passed to JMH as is (e.g. -- -f 1 -i 10)
#
# Environment: CNNC (the cnnc command that builds the models; default this checkout's),
# CNNC_BENCH_JVM_ARGS and CNNC_BENCH_CLASSPATH (added to every measuring JVM).
#
# Models go to examples/benchmarks/target/models (rebuilt when missing, or older than the
# compiler or their source), JMH's JSON and logs to examples/benchmarks/target/results.
set -euo pipefail
started=$SECONDS
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/../.." && pwd)"
. "$root/scripts/select-jdk.sh"
cnnc_select_jdk

usage() { sed -n '2,24s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "run.sh: $*" >&2; exit 2; }

mode=quick networks="" target=jvm rebuild=false report_only=false chains=false paired_only=false jmh_extra=()
command_line="${CNNC:+CNNC=$CNNC }examples/benchmarks/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --networks) [ $# -ge 2 ] || die "--networks needs a list, e.g. --networks lenet5,resnet18"; networks="$2"; shift ;;
    --networks=*) networks="${1#--networks=}" ;;
    --target) [ $# -ge 2 ] || die "--target needs jvm or tornadovm"; target="$2"; shift ;;
    --target=*) target="${1#--target=}" ;;
    --rebuild) rebuild=true ;;
    --report-only) report_only=true ;;
    --chains) chains=true ;;
    --paired) paired_only=true ;;
    -h|--help) usage; exit 0 ;;
    --) shift; jmh_extra=("$@"); break ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done
case "$target" in jvm|tornadovm) ;; *) die "--target must be jvm or tornadovm, not '$target'" ;; esac

if [ "$mode" = quick ]; then
  : "${networks:=lenet5,cifar_resnet,resnet18}"
  batches=1
  kernel_shapes=64x56x56
  network_rounds=1
  jmh_network_runs=(-f 1 -wi 4 -w 1s -i 3 -r 1s)   # LeNet-5 needs about 4 s: its worker thread's kernels compile late
  jmh_kernel_runs=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
else
  : "${networks:=lenet5,cifar_resnet,resnet18,resnet50,mobilenet_v2,vgg16}"
  batches=1,8
  kernel_shapes=64x56x56,128x28x28,256x14x14
  # 48 network benchmarks × 3 rounds of one fork × (9 s + 1–8 s start-up and loading) ≈ 33 min,
  # paired rounds ≈ 11 min, kernels ≈ 5 min, cold runs ≈ 4 min. Five seconds of warm-up: C2
  # compiles the last kernel methods 3–5 s into a fork (JMH's allocation per call shows the ones
  # still interpreted or in C1, which box every vector). Rounds rather than 3 forks in a row: on
  # a shared host whose speed drifts over minutes, each engine is then measured in every phase.
  network_rounds=3
  jmh_network_runs=(-f 1 -wi 5 -w 1s -i 4 -r 1s)
  jmh_kernel_runs=(-f 3 -wi 4 -w 1s -i 3 -r 1s)
fi
# Options after `--` replace the mode's option of the same name (JMH takes each only once).
without_overridden() {   # without_overridden OPTION VALUE ...: the pairs whose OPTION is not after `--`
  local arg keep
  while [ $# -ge 2 ]; do
    keep=true
    for arg in "${jmh_extra[@]}"; do [ "$arg" = "$1" ] && keep=false; done
    $keep && printf '%s\n' "$1" "$2"
    shift 2
  done
}
mapfile -t jmh_network_runs < <(without_overridden "${jmh_network_runs[@]}")
mapfile -t jmh_kernel_runs < <(without_overridden "${jmh_kernel_runs[@]}")
cold_runs=3
kernels=(conv_bn_relu residual_block)
IFS=, read -r -a network_list <<<"$networks"
IFS=, read -r -a shape_list <<<"$kernel_shapes"

models="$bench/target/models"
results="$bench/target/results"
mkdir -p "$models/summaries/kernels" "$models/$target/kernels" "$models/onnx" "$results"

# ---------------------------------------------------------------- the benchmark classes
echo "run.sh: building the benchmarks module (log: target/results/build.log)"
if ! "$root/mvnw" -q -B -pl examples/benchmarks -am package -Dmaven.test.skip=true >"$results/build.log" 2>&1; then
  tail -n 30 "$results/build.log" >&2
  die "building the benchmarks module failed"
fi
# The class path, with private copies of the jars built in this tree (cnnc-runtime): another
# build in the tree may rewrite them while a benchmark JVM has them open.
mkdir -p "$bench/target/lib"
cp="$bench/target/classes"
IFS=: read -r -a entries <"$bench/target/classpath.txt" || true   # the file has no final newline
for entry in "${entries[@]}"; do
  case "$entry" in
    "$root"/*) rm -rf "$bench/target/lib/${entry##*/}"
               cp -R "$entry" "$bench/target/lib/" && entry="$bench/target/lib/${entry##*/}" ;;
  esac
  cp="$cp:$entry"
done
cp="$cp${CNNC_BENCH_CLASSPATH:+:$CNNC_BENCH_CLASSPATH}"
# What every measuring JVM gets (JMH forks and first-inference runs); CNNC_BENCH_JVM_ARGS adds
# to it, e.g. the TornadoVM runtime's options.
# Temporary files under target/: ONNX Runtime leaves the empty directory it unpacks its native
# libraries into behind in every JVM that loads it.
mkdir -p "$bench/target/tmp"
fork_args="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=$bench/target/tmp -Dcnnc.threads=2 -Dcnnc.bench.threads=2${CNNC_BENCH_JVM_ARGS:+ $CNNC_BENCH_JVM_ARGS}"
props=(-Dcnnc.bench.models="$models" -Dcnnc.bench.target="$target")
if [ "$(cnnc_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
  # JMH 1.37 calls sun.misc.Unsafe, which JDK 24+ warns about (JMH's forks inherit this)
  props+=(--sun-misc-unsafe-memory-access=allow)
fi

# The 1-minute load average after each measuring stage: the benchmarks themselves account for
# about 2; more means other processes competed for the cores.
loads=()
note_load() { [ -r /proc/loadavg ] && loads+=("$(cut -d' ' -f1 /proc/loadavg)"); return 0; }
report() {   # writes RESULTS.md; its arguments are kept for --report-only
  local args=(--networks "$(IFS=,; echo "${network_files[*]}")" --kernels "$results/kernels.json" --cold "$results/cold.jsonl"
    --models "$models" --mode "$mode" --target "$target" --command "$command_line"
    --elapsed "$((SECONDS - started))" --out "$bench/RESULTS.md")
  [ -z "${peak:-}" ] || args+=(--peak "$peak")
  [ ! -s "$results/paired.jsonl" ] || args+=(--paired "$results/paired.jsonl")
  [ ${#loads[@]} -eq 0 ] || args+=(--load "$(IFS=,; echo "${loads[*]}")")
  printf '%s\n' "${args[@]}" >"$results/report-args"
  java -cp "$cp" org.cnnc.benchmarks.Report "${args[@]}"
}
if $report_only; then
  [ -s "$results/report-args" ] || die "no results yet: run run.sh first"
  mapfile -t args <"$results/report-args"
  exec java -cp "$cp" org.cnnc.benchmarks.Report "${args[@]}"
fi

# The engines' ratios in paired rounds: the engines of a network in one JVM, timed in turn
# (PairedRounds), at each of the mode's batch sizes. About a minute per network and batch.
measure_paired() {
  echo "run.sh: ratios in paired rounds"
  : >"$results/paired.jsonl"; : >"$results/paired.log"
  for batch in ${batches//,/ }; do
    for net in "${network_list[@]}"; do
      # shellcheck disable=SC2086 # fork_args is a list of options
      if ! java $fork_args "${props[@]}" -cp "$cp" org.cnnc.benchmarks.PairedRounds --batch "$batch" "$net" \
          >>"$results/paired.jsonl" 2>>"$results/paired.log"; then
        tail -n 20 "$results/paired.log" >&2
        die "the paired rounds of $net at batch $batch failed"
      fi
      echo "  $net, batch $batch"
    done
  done
}

# The FMA peak this machine reaches from Java, for the report's fraction of peak: measured
# before and after the benchmarks, the larger kept (a shared machine is slower at times).
measure_peak() {
  # shellcheck disable=SC2086 # fork_args is a list of options
  java $fork_args -cp "$cp" org.cnnc.benchmarks.PeakFlops 2 2>/dev/null || die "measuring the peak failed"
}

# ---------------------------------------------------------------- the models
cnnc="${CNNC:-$root/cnnc}"   # CNNC: another checkout's cnnc command, to benchmark its models
"$cnnc" --version >/dev/null   # builds the compiler if its sources changed, which touches the stamp
stamp="$(dirname "$cnnc")/.cnnc-build/stamp"
target_args=()
if [ "$target" != jvm ]; then
  if ! "$cnnc" build --help | grep -q -- '--target'; then
    die "--target $target needs \`cnnc build --target $target\`, which this cnnc does not have yet"
  fi
  target_args=(--target "$target")
fi

# up_to_date OUT [SOURCE...]: OUT exists and is newer than the compiler and every SOURCE.
up_to_date() {
  local out="$1" src
  shift
  ! $rebuild && [ -s "$out" ] && [ "$out" -nt "$stamp" ] || return 1
  for src in "$@"; do [ "$out" -nt "$src" ] || return 1; done
}
# make OUT DESCRIPTION COMMAND...: runs the cnnc COMMAND writing OUT unless OUT is up to date.
make_model() {
  local out="$1" what="$2"
  shift 2
  up_to_date "$out" "${sources[@]}" && return 0
  echo "run.sh: $what"
  if ! "$@" >>"$results/models.log" 2>&1; then
    tail -n 20 "$results/models.log" >&2
    die "failed: $*"
  fi
}
summary_to() {   # summary_to OUT ARGS...: cnnc summary --json into OUT
  local out="$1"
  shift
  "$cnnc" summary "$@" --json >"$out.tmp" && mv "$out.tmp" "$out"
}

if $chains; then
  # each file: the network Chain, then its parts; ChainVsParts takes the chain first
  mkdir -p "$models/$target/chains"
  : >"$results/models.log"
  for src in "$bench"/chains/*.cnn; do
    file="$(basename "$src" .cnn)"
    sources=("${BASH_SOURCE[0]}" "$src")
    jars=()
    for net in $(sed -n 's/^network \([A-Za-z0-9_]*\).*/\1/p' "$src"); do
      jar="$models/$target/chains/$file-$net.jar"
      make_model "$jar" "cnnc build $file -n $net" "$cnnc" build "$src" -n "$net" --seed 1 "${target_args[@]}" \
        --package "cnnc.bench.chain.$file" -o "$jar"
      jars+=("$jar")
    done
    echo "run.sh: $file"
    # shellcheck disable=SC2086 # fork_args is a list of options
    java $fork_args -cp "$cp" org.cnnc.benchmarks.ChainVsParts "${jars[@]}" 2>/dev/null | sed 's/^/  /'
  done
  exit 0
fi

: >"$results/models.log"
for net in "${network_list[@]}"; do
  sources=("${BASH_SOURCE[0]}")
  make_model "$models/summaries/$net.json" "summary $net" summary_to "$models/summaries/$net.json" "$net"
  for level in 0 2; do
    make_model "$models/$target/$net-O$level.jar" "cnnc build $net -O$level" \
      "$cnnc" build "$net" -O$level --seed 1 "${target_args[@]}" --package "cnnc.bench.o$level" \
      -o "$models/$target/$net-O$level.jar"
  done
  make_model "$models/onnx/$net.onnx" "cnnc export $net" "$cnnc" export "$net" --seed 1 -o "$models/onnx/$net.onnx"
done
for kernel in "${kernels[@]}"; do
  src="$bench/kernels/$kernel.cnn"
  sources=("${BASH_SOURCE[0]}" "$src")
  for shape in "${shape_list[@]}"; do
    IFS=x read -r c h w <<<"$shape"
    [ "$h" = "$w" ] || die "kernel shapes must be square (C×S×S), not $shape"
    name="$kernel-$shape"
    make_model "$models/summaries/kernels/$name.json" "summary $name" \
      summary_to "$models/summaries/kernels/$name.json" "$src" -P c="$c" -P size="$h"
    for level in 0 2; do
      make_model "$models/$target/kernels/$name-O$level.jar" "cnnc build $name -O$level" \
        "$cnnc" build "$src" -P c="$c" -P size="$h" -O$level --seed 1 "${target_args[@]}" \
        --package "cnnc.bench.k$shape.o$level" \
        -o "$models/$target/kernels/$name-O$level.jar"
    done
  done
done

# A target other than jvm may need its model classes on the class path of the measuring JVM
# (TornadoVM does): every model jar gets its own package, so they can all be there at once.
if [ "$target" != jvm ]; then
  for jar in "$models/$target"/*.jar "$models/$target"/kernels/*.jar; do
    [ -e "$jar" ] && cp="$cp:$jar"
  done
fi

# ---------------------------------------------------------------- JMH
run_jmh() {   # run_jmh NAME CLASS JMH-ARGS...: results to $results/NAME.json, output to NAME.log
  local name="$1" class="$2" status
  shift 2
  echo "run.sh: JMH $class (log: target/results/$name.log)"
  rm -f "$results/$name.json"
  set +e
  java "${props[@]}" -cp "$cp" org.openjdk.jmh.Main "org\\.cnnc\\.benchmarks\\.$class\\.predict\$" \
    "$@" -prof gc -foe true -rf json -rff "$results/$name.json" \
    -jvmArgsAppend "$fork_args" "${jmh_extra[@]}" 2>&1 \
    | tee "$results/$name.log" | grep --line-buffered -E '^# (Run progress|Parameters)'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ] || [ ! -s "$results/$name.json" ]; then
    tail -n 40 "$results/$name.log" >&2
    die "JMH $class failed (exit $status)"
  fi
}
if $paired_only; then
  measure_paired
  [ -s "$results/report-args" ] || { echo "run.sh: no earlier run to add the ratios to; see $results/paired.jsonl"; exit 0; }
  mapfile -t args <"$results/report-args"
  # the earlier run's report, with these ratios in place of any it had
  kept=()
  for ((i = 0; i < ${#args[@]}; i += 2)); do
    case "${args[i]}" in --paired|--paired-command) ;; *) kept+=("${args[i]}" "${args[i + 1]}") ;; esac
  done
  kept+=(--paired "$results/paired.jsonl" --paired-command "$command_line")
  printf '%s\n' "${kept[@]}" >"$results/report-args"
  exec java -cp "$cp" org.cnnc.benchmarks.Report "${kept[@]}"
fi

echo "run.sh: measuring the FP32 FMA peak on 2 threads"
peak="$(measure_peak)"
rm -f "$results"/networks*.json
network_files=()
for ((round = 1; round <= network_rounds; round++)); do
  [ "$network_rounds" -eq 1 ] || echo "run.sh: network benchmarks, round $round of $network_rounds"
  run_jmh "networks-$round" NetworkBenchmark -p network="$networks" -p batch="$batches" \
    -p variant=cnnc-O0,cnnc-O2,onnxruntime,pytorch "${jmh_network_runs[@]}"
  network_files+=("$results/networks-$round.json")
done
note_load
if [ "$mode" = full ]; then measure_paired; note_load; else rm -f "$results/paired.jsonl"; fi
run_jmh kernels KernelBenchmark -p kernel="$(IFS=,; echo "${kernels[*]}")" -p shape="$kernel_shapes" \
  -p variant=cnnc-O0,cnnc-O2 "${jmh_kernel_runs[@]}"
note_load

# ---------------------------------------------------------------- first inference, cold JIT
echo "run.sh: first inference in a fresh JVM, $cold_runs runs each"
rm -f "$results/cold.jsonl" "$results/cold.log"
for net in "${network_list[@]}"; do
  for ((i = 1; i <= cold_runs; i++)); do
    for variant in cnnc-O2 onnxruntime pytorch; do
      # shellcheck disable=SC2086 # fork_args is a list of options
      if ! java $fork_args "${props[@]}" -cp "$cp" org.cnnc.benchmarks.FirstInference "$net" "$variant" 1 \
          "$results/cold.jsonl" 2>>"$results/cold.log" | sed 's/^/  /'; then
        tail -n 20 "$results/cold.log" >&2
        die "the first-inference run of $net ($variant) failed"
      fi
    done
  done
done

note_load
echo "run.sh: measuring the FP32 FMA peak on 2 threads again"
peak_after="$(measure_peak)"
[ "$peak_after" -gt "$peak" ] && peak="$peak_after"
report
echo "run.sh: done in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s"
