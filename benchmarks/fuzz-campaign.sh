#!/usr/bin/env bash
# Fuzz campaign: runs each Jazzer @FuzzTest of nats-server-core in fuzzing mode (JAZZER_FUZZ=1) for a while.
#   benchmarks/fuzz-campaign.sh [duration-per-target] [target ...]
# duration: Jazzer's syntax (30s, 5m, 1h; default 5m). Targets: Class#method (default: all four).
# New coverage goes to nats-server-core/.cifuzz-corpus/<class>/<method>/ (not committed); a crashing input is
# written to src/test/resources/<package>/<Class>Inputs/<method>/ and so becomes a regression test of the normal
# build. Commit it together with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-5m}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(ClientProtocolParserFuzzTest#decode ClientConnectionFuzzTest#connection ConfParserFuzzTest#conf
           MonitorQueryFuzzTest#uri)
fi
./mvnw -o -q -pl nats-server-core -am install -DskipTests
status=0
for t in "${targets[@]}"; do
  echo "=== fuzzing $t for $duration"
  # Only the fuzz-regression execution (its own JVM with the Jazzer agent); one fuzz test per run in fuzzing mode.
  if ! JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" ./mvnw -o -q -pl nats-server-core \
      surefire:test@fuzz-regression -Dtest="$t" -Djazzer.max_duration="$duration"; then
    echo "=== $t: finding (see nats-server-core/target/surefire-reports and the Inputs directory)"
    status=1
  fi
  grep -h -E '^#[0-9]+ +(DONE|pulse)|^Done [0-9]+ runs' nats-server-core/target/surefire-reports/*"${t%%#*}"-output.txt \
    2>/dev/null | tail -2 || true
done
exit $status
