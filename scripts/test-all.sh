#!/usr/bin/env bash
# The whole test suite: bootstrap, type-check, unit tests, the tests that boot
# the real guest under QEMU (one VM at a time), then the Electron specs (which
# skip with one line where no Electron binary exists). Prints one closing line
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 1
npm run --silent typecheck || exit 1

out=$(mktemp -d)
status=0
for project in unit vm electron; do
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile="$out/$project.json" || status=1
done
node -e '
  const fs = require("fs");
  let p = 0, f = 0, s = 0;
  for (const file of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests + (r.numTodoTests || 0);
  }
  console.log(`${p} passed, ${f} failed, ${s} skipped`);
' "$out"
rm -rf "$out"
exit $status
