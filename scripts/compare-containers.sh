#!/bin/sh
# Compares threatls with kube-score and KICS on a corpus of Kubernetes manifests,
# Dockerfiles, Compose files and GitHub Actions workflows (docs/compare-containers.md).
# Measurement only: never run in CI. The peer tools are installed into a directory outside
# the repository, pinned; nothing of theirs is a dependency of threatls.
#
#   scripts/compare-containers.sh [CORPUS]     (default: testdata/corpus/boutique)
#
# Environment: TOOLS, where the tools go (default: a temporary directory; reuse one to skip
# the builds); OUT, where the reports go (default: $TOOLS/out).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(cd "${1:-$repo/testdata/corpus/boutique}" && pwd)
TOOLS=${TOOLS:-$(mktemp -d)}
OUT=${OUT:-$TOOLS/out}
mkdir -p "$TOOLS" "$OUT"

install() { # name module@version
	if [ ! -x "$TOOLS/$1" ]; then
		echo "installing $2 into $TOOLS" >&2
		GOBIN=$TOOLS GOFLAGS=-mod=mod go install "$2"
	fi
}
install kube-score github.com/zegl/kube-score/cmd/kube-score@v1.20.0
install console github.com/Checkmarx/kics/v2/cmd/console@v2.2.0
(cd "$repo" && go build -o "$TOOLS/threatls" ./cmd/threatls)

# KICS reads its queries and their libraries from its module's assets.
kics=$(cd "$repo" && GOFLAGS=-mod=mod go mod download -json github.com/Checkmarx/kics/v2@v2.2.0 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')

cd "$corpus"
time_of() { # label command...: runs the command (a failure is a finding count, not an error), prints its wall time
	label=$1
	shift
	start=$(date +%s%N)
	"$@" || true
	end=$(date +%s%N)
	echo "$label: $(((end - start) / 1000000)) ms" >&2
}

time_of threatls sh -c "'$TOOLS/threatls' scan --format json . > '$OUT/threatls.json'"
# kube-score reads manifests only: not kustomizations, skaffold, Helm templates, Compose or
# workflows.
find . \( -name '*.yaml' -o -name '*.yml' \) ! -path './.github/*' ! -path './helm/*' \
	! -name 'kustomization.y*ml' ! -name 'skaffold.yaml' ! -name '*compose*' | sort > "$OUT/manifests.txt"
time_of kube-score sh -c "'$TOOLS/kube-score' score --output-format json \$(cat '$OUT/manifests.txt') > '$OUT/kube-score.json' 2> '$OUT/kube-score.err'"
rm -rf "$OUT/kics"
time_of kics "$TOOLS/console" scan -p . -q "$kics/assets/queries" --libraries-path "$kics/assets/libraries" \
	-o "$OUT/kics" --report-formats json --type Kubernetes,Dockerfile,DockerCompose,CICD \
	--disable-secrets --no-progress --silent

cd "$repo"
go run scripts/compare/containers.go -threatls "$OUT/threatls.json" -kubescore "$OUT/kube-score.json" \
	-kics "$OUT/kics/results.json" -root "$corpus"
echo "reports: $OUT" >&2
