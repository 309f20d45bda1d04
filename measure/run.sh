#!/bin/sh
# Measure threatls against the scanners users would otherwise run (measure/README.md).
# Never run in CI. Needs Go and network access to the Go module proxy the first time.
#   measure/run.sh [WORKDIR] [STACKS]
set -eu
work=${1:-$(mktemp -d)}
stacks=${2:-24}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$work/bin"
mkdir -p "$bin"
# The peers, pinned, built into a directory outside the repository.
[ -x "$bin/tfsec" ] || GOBIN="$bin" go install github.com/aquasecurity/tfsec/cmd/tfsec@v1.26.0
[ -x "$bin/kube-score" ] || GOBIN="$bin" go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0
[ -x "$bin/console" ] || GOBIN="$bin" go install github.com/Checkmarx/kics/v2/cmd/console@v2.2.0
kics="$(go env GOMODCACHE)/github.com/!checkmarx/kics/v2@v2.2.0/assets"
(cd "$repo" && go build -o "$bin/threatls" ./cmd/threatls)

corpus="$work/corpus"
rm -rf "$corpus"
(cd "$repo" && go run ./measure/gencorpus "$corpus" "$stacks")
echo "corpus: $(find "$corpus" -type f | wc -l) files"

cd "$corpus"
for i in 1 2 3; do
	/usr/bin/time -f "threatls: %e s wall, %U s user, %S s sys" "$bin/threatls" scan --format json -o "$work/threatls.json" . || true
	/usr/bin/time -f "tfsec: %e s wall, %U s user, %S s sys" "$bin/tfsec" . --format json --no-color -O "$work/tfsec.json" >/dev/null || true
done
cd "$work"
/usr/bin/time -f "kics: %e s wall, %U s user, %S s sys" "$bin/console" scan -p corpus -q "$kics/queries" \
	--libraries-path "$kics/libraries" -o "$work/kics" --report-formats json --no-progress --disable-secrets \
	--log-level ERROR >/dev/null 2>&1 || true
"$bin/kube-score" score --output-format json $(find corpus -path '*k8s*' -name '*.yaml') >"$work/kube-score.json" || true

cd "$repo"
go run ./measure/compare -root "$corpus" -threatls "$work/threatls.json" -tfsec "$work/tfsec.json" \
	-kics "$work/kics/results.json" -kube-score "$work/kube-score.json" ${DETAILS:+-details}
