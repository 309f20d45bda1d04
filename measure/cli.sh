#!/usr/bin/env bash
# The command line on the scale corpus (measure/scalecorpus): wall time and peak memory
# (GNU time's maximum resident set size) of scan in each format and of the HTML and JSON reports, at
# 1,000, 5,000 and 20,000 files, the reports written to /dev/null. README's command-line
# table comes from here. Usage: measure/cli.sh [SIZES...] (default 1000 5000 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 20000)
[ -x /usr/bin/time ] || { echo "measure/cli.sh needs GNU time (/usr/bin/time; Debian's package time)" >&2; exit 2; }
make build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in "${sizes[@]}"; do
  go run ./measure/scalecorpus "$work/c$n" "$n" >/dev/null
  for f in text json sarif; do
    /usr/bin/time -f "scan --format $f, $n files: %e s, peak RSS %M KB" ./bin/threatls scan --format "$f" "$work/c$n" >/dev/null 2>"$work/err" || true
    tail -n 1 "$work/err"
  done
  for f in html json; do
    /usr/bin/time -f "report --format $f, $n files: %e s, peak RSS %M KB" ./bin/threatls report --format "$f" "$work/c$n" >/dev/null 2>"$work/err" || true
    tail -n 1 "$work/err"
  done
done
