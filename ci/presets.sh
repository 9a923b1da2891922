# What ci/test runs in each preset, and so what it builds there. Sourced by
# ci/build, ci/test, ci/leakgate and ci/matrix (each CI job's shard of it).
#
#   dev       every label (benchmarks at the end, alone on the machine)
#   asan      every label but bench (benchmarks under a sanitizer measure
#             the sanitizer)
#   heapprof  gate, hostile and bench: the heap gates on tcmalloc
#   tsan      unit, integration, gate and hostile under ThreadSanitizer
#   fuzz      only the libFuzzer targets (ci/fuzz)

# The labels a preset's test pass runs, as a ctest -L regex (bench apart).
preset_labels() {
  case $1 in
    dev | asan) echo 'unit|integration|interop|gate|hostile' ;;
    heapprof) echo 'gate|hostile' ;;
    tsan) echo 'unit|integration|gate|hostile' ;;
    *) echo '' ;;
  esac
}

# The tests a preset's test pass leaves out, as a ctest -E regex (empty:
# none). The hostile canaries (each lifts a limit and runs its gate in a
# child, reading hundreds of MB) prove that a gate fails without its limit,
# and the hardening canaries that retain_heap, leak_fd and leak_thread fail
# the hardening gates, and the hardening gates' sensitivity tests; that does
# not depend on the sanitizer, so they run in dev and heapprof only
# (ci/leakgate runs the canaries in asan too). Under tsan the heap gauge
# (glibc mallinfo2) does not see TSan's allocator and PSS includes its
# shadow memory: the tests that measure the heap by it (the gauge, the
# sampling PeakMeter) are left to dev, asan and heapprof; the exact heap
# (sanitizer hooks) is tested there too.
preset_excludes() {
  case $1 in
    tsan) echo '^HeapGaugeTest\.|^PeakMeterTest\.TheSampler|^LeakGate\.(Canary.*Heap|Sensitivity)|^LeakcheckTest\.((OurServer|AttachedServer)IsClean|LeakyServerIsCaughtFromOutside)|HostileCanary\.|HardeningCanary\.|HardeningSensitivity\.' ;;
    asan) echo 'HostileCanary\.|HardeningCanary\.|HardeningSensitivity\.' ;;
    *) echo '' ;;
  esac
}

# Whether the preset also runs the benchmark gate (label bench).
preset_runs_bench() {
  [[ $1 == dev || $1 == heapprof ]]
}

# The build targets of a preset's test pass: one per label (tests_<label>,
# cmake/Testing.cmake), and the programs the main job uses.
preset_targets() {
  local labels targets=()
  labels=$(preset_labels "$1")
  for label in ${labels//|/ }; do targets+=("tests_$label"); done
  preset_runs_bench "$1" && targets+=(tests_bench)
  targets+=(goose-api mock-llm mock-mcp leakcheck leakgate-report)
  echo "${targets[@]}"
}
