#!/usr/bin/env bash
# Refreshes the "## Compile" section of docs/performance.md: runs the
# compile benchmarks (nbac by stage, nbac vs Helm vs CUE, `nbac build` as a
# process with peak RSS) in one run and writes the tables.
#
#   bench/run-compile.sh                     # N = 10, 100, 1000, 5000
#   NBAC_BENCH_N=10,100 bench/run-compile.sh # a quick look
#   NBAC_BENCH_CUE_MAX=1000 bench/run-compile.sh      # skip CUE above N=1000
#   NBAC_BENCH_PROCESS_MAX=1000 bench/run-compile.sh  # skip the whole-process
#       builds above N=1000
#
# The raw benchmark output is kept in $TMPDIR/nbac-compile-results.txt
# for benchstat.
set -euo pipefail
cd "$(dirname "$0")"
out=${TMPDIR:-/tmp}/nbac-compile-results.txt
go test -run '^$' -bench 'Compile|Kubernetes|Anchors|BuildProcess' -benchmem -cpu 2 -timeout 120m ./compile | tee "$out"
go run ./compile/cmd/benchtable -doc ../docs/performance.md < "$out"
echo "updated docs/performance.md (## Compile)"
