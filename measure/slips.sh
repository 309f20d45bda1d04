#!/bin/bash
# slips.sh BIN MUTATION: for every file of the repository's testdata, scan it alone, then
# changed by MUTATION, and print the files whose threats (not TLS-*) the change took away.
# A file's threats must survive what cannot hide them from Terraform, kubectl or Docker:
#   tailnul   a line holding a NUL byte appended      midnul  the same line halfway through
#   tailff    a line holding the byte 0xFF appended    tailjunk  a line holding "]" appended
#   bom       a UTF-8 byte order mark first            crlf    CRLF line ends
# Needs jq. Prints "N of M files lost threats" last. Run from anywhere:
#   go build -o /tmp/threatls ./cmd/threatls && measure/slips.sh /tmp/threatls tailnul
set -euo pipefail
bin=$(realpath "$1")
mut=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
threats() {
	(cd "$1" && "$bin" scan --format json . 2>/dev/null || true) |
		jq -r '.findings[]? | select(.threat_id | startswith("TLS") | not) | .threat_id + " " + .element' | sort -u
}
cd "$repo"
files=0 lost=0
while IFS= read -r f; do
	rel=${f#*/testdata/}
	[ "$rel" = "$f" ] && rel=${f#testdata/examples/}
	for side in a b; do
		rm -rf "${work:?}/$side"
		mkdir -p "$work/$side/$(dirname "$rel")"
		cp "$f" "$work/$side/$rel"
	done
	b="$work/b/$rel"
	case $mut in
	tailnul) printf '\n\x00\n' >>"$b" ;;
	tailff) printf '\n\xff\n' >>"$b" ;;
	tailjunk) printf '\n]\n' >>"$b" ;;
	bom) { printf '\xef\xbb\xbf'; cat "$f"; } >"$b" ;;
	crlf) sed -i 's/$/\r/' "$b" ;;
	midnul) awk -v n="$(($(wc -l <"$f") / 2))" '{print} NR==n {printf "%c\n", 0}' "$f" >"$b" ;;
	*) echo "unknown mutation $mut" >&2; exit 2 ;;
	esac
	before=$(threats "$work/a")
	after=$(threats "$work/b")
	files=$((files + 1))
	n=$(comm -23 <(echo "$before") <(echo "$after") | grep -c . || true)
	if [ "$n" != 0 ]; then
		echo "$f: lost $n of $(echo -n "$before" | grep -c . || true)"
		lost=$((lost + 1))
	fi
done < <(find analyzers/*/testdata testdata/examples -type f \( -name '*.tf' -o -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name 'Dockerfile*' -o -name '*.md' -o -name '*.py' -o -name '*.go' -o -name '*.ts' -o -name '*.js' -o -name '*.java' -o -name '*.cs' \) -not -path '*/golden/*' | sort)
echo "$lost of $files files lost threats ($mut)"
