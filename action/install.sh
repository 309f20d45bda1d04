#!/usr/bin/env bash
# Installs threatls for the GitHub Action (action.yml): the release binary of this runner's
# system, checked against the release's SHA-256 sums, on the job's PATH. Nothing is built.
#
#   THREATLS_VERSION      a release tag (v0.3.0), "latest", or "path" to use a threatls already
#                         on the PATH
#   THREATLS_RELEASES     where releases are (default: this repository's GitHub releases)
set -euo pipefail

version=${THREATLS_VERSION:-latest}
if [[ $version == path ]]; then
  command -v threatls >/dev/null || { echo "::error::threatls is not on the PATH"; exit 2; }
  exit 0
fi
case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS*) os=windows ;;
  *) echo "::error::no threatls release for ${RUNNER_OS:-$(uname -s)}"; exit 2 ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | aarch64 | arm64) arch=arm64 ;;
  *) echo "::error::no threatls release for ${RUNNER_ARCH:-$(uname -m)}"; exit 2 ;;
esac
name=threatls-$os-$arch
[[ $os == windows ]] && name=$name.exe
releases=${THREATLS_RELEASES:-https://github.com/threatls/threatls/releases}
if [[ $version == latest ]]; then
  base=$releases/latest/download
else
  base=$releases/download/$version
fi
dir=${RUNNER_TEMP:-/tmp}/threatls-bin
mkdir -p "$dir"
curl -fsSL --retry 3 -o "$dir/$name" "$base/$name"
curl -fsSL --retry 3 -o "$dir/SHA256SUMS" "$base/SHA256SUMS"
(cd "$dir" && grep " $name\$" SHA256SUMS | sha256sum -c -) || { echo "::error::$name does not match the release's SHA256SUMS"; exit 2; }
target=$dir/threatls
[[ $os == windows ]] && target=$target.exe
mv "$dir/$name" "$target"
chmod +x "$target"
echo "$dir" >> "${GITHUB_PATH:-/dev/null}"
"$target" version
