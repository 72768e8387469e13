#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers (Sources/MJFuzz) with libFuzzer.
#
#   scripts/fuzz/libfuzzer.sh [seconds] [libFuzzer flags…]      (default 60 s; CI runs the default)
#
# The run is seeded (MJPROXY_LIBFUZZER_SEED, default 1) so a CI failure reproduces with the same
# command; `MJPROXY_LIBFUZZER_SEED=0` (libFuzzer: random seed) explores further in longer runs.
#
# Builds MJFuzz with -sanitize=fuzzer in its own scratch path (.build-fuzz: the first build is a cold
# build of every dependency, many minutes on 2 cores, hence `nice`), then fuzzes for the given time
# starting from scripts/fuzz/corpus (the seed corpus, kept in git) and .build-fuzz/corpus (what
# earlier runs found, kept between runs). A crash stops the run with a non-zero exit and leaves the
# input in .build-fuzz/artifacts/; replay it with the normal build: `.build/debug/MJFuzz <file>`.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_TO_RUN=${1:-60}
shift || true
SCRATCH=.build-fuzz

echo "==> building MJFuzz with -sanitize=fuzzer (scratch path $SCRATCH)"
nice -n 19 swift build -c debug --scratch-path "$SCRATCH" --product MJFuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DMJFUZZ_LIBFUZZER

BIN="$SCRATCH/debug/MJFuzz"
mkdir -p "$SCRATCH/corpus" "$SCRATCH/artifacts"
echo "==> fuzzing for ${SECONDS_TO_RUN}s"
status=0
nice -n 19 "$BIN" -seed="${MJPROXY_LIBFUZZER_SEED:-1}" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$SCRATCH/artifacts/" -print_final_stats=1 "$@" "$SCRATCH/corpus" scripts/fuzz/corpus || status=$?
if [ "$status" != 0 ]; then
    echo "libFuzzer found a failing input (exit $status): see $SCRATCH/artifacts/" >&2
    for f in "$SCRATCH"/artifacts/*; do
        [ -f "$f" ] || continue
        echo "--- $f (base64):" >&2
        base64 -w 0 "$f" >&2 && echo >&2
    done
fi
exit "$status"
