#!/usr/bin/env bash
# The whole test suite: bootstrap, type-check, unit tests, the tests that boot
# the real guest under QEMU (two lanes, one guest per core), the Electron specs (which skip
# with one line where no Electron binary exists), then the guests' payload
# budget, measured in the background meanwhile. Prints one closing line
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 1
npm run --silent typecheck || exit 1

out=$(mktemp -d)
# Where chrt (util-linux) or nproc are missing (a Mac), the same steps run without them.
idle() { if command -v chrt >/dev/null; then chrt --idle 0 "$@"; else nice -n 19 "$@"; fi; }
cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1)
# The guests' payload measurement (zstd at its strongest level: minutes of one
# core) runs alongside the tests at idle priority, taking only the CPU they
# leave; under software emulation QEMU keeps one core busy and leaves the other
# mostly free. The payload project checks the result once it is done.
idle bash -c 'npm run --silent vm-assets -- --arch amd64 --measure && npm run --silent vm-assets -- --arch arm64 --measure' \
  > "$out/measure.log" 2>&1 &
measure=$!
status=0
# vitest PROJECT [NAME FILES...]: one run, its JSON report kept as NAME (default: PROJECT).
vitest() {
  local project=$1 name=${2:-$1}
  shift $(($# > 1 ? 2 : 1))
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile="$out/$name.json" "$@" || status=1
}
vitest unit
# The VM files run in two lanes, one guest per core: under software emulation
# each QEMU runs its guest on one host thread, so a second guest uses the core
# the first leaves idle. Lane a holds the files that share fixed host ports
# (ports-mounts, dashboard); each lane runs its files one after another.
lane_a=()
lane_b=()
for f in e2e/vm/*.test.ts; do
  case "$(basename "$f" .test.ts)" in
    sleep-wake|ports-mounts|dashboard|tray-app|accel-fallback|bad-input|file-sharing|synced-folders) lane_a+=("$f") ;;
    *) lane_b+=("$f") ;;
  esac
done
if [ "$cores" -ge 2 ]; then
  # Each lane's lines carry its name.
  (vitest vm vm-a "${lane_a[@]}"; exit $status) > >(sed -u 's/^/[vm a] /') 2>&1 &
  lane_a_pid=$!
  (vitest vm vm-b "${lane_b[@]}"; exit $status) > >(sed -u 's/^/[vm b] /') 2>&1 || status=1
  wait "$lane_a_pid" || status=1
else
  vitest vm
fi
vitest electron
wait "$measure" || echo "test-all: the payload measurement failed"
cat "$out/measure.log"
vitest payload
node -e '
  const fs = require("fs");
  let p = 0, f = 0, s = 0;
  for (const file of fs.readdirSync(process.argv[1]).filter((f) => f.endsWith(".json"))) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + (r.numTodoTests || 0);
  }
  console.log(`${p} passed, ${f} failed, ${s} skipped`);
' "$out"
rm -rf "$out"
exit $status
