#!/usr/bin/env bash
# release.sh: the release binaries of the commit at HEAD, reproducibly.
#
#   .ci/release.sh           build every platform into $DIST (default dist/)
#   .ci/release.sh -check    build twice, in two fresh copies of the commit,
#                            the second with an empty Go build cache, and
#                            fail unless both SHA256SUMS are identical
#
# The sources are `git archive HEAD` (uncommitted changes are never in a
# release), built with CGO_ENABLED=0, -trimpath and -buildvcs=false, and
# the version, commit and date linked in with -X: the date is the commit's
# (git log -1 --format=%ct), never the clock, so a rebuild of the same
# commit gives the same bytes. docs/releasing.md describes the release.
#
# PLATFORMS="linux/amd64 ..." narrows the matrix (the Go test builds only
# the host's); NBAC_RELEASE_SHARED_CACHE=1 lets -check reuse the build cache
# (fast, but then only linking is rebuilt from scratch).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
DIST=${DIST:-dist}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}

version=$(sed -n 's/^const releaseVersion = "\(.*\)"$/\1/p' cmd/nbac/version.go)
[ -n "$version" ] || { echo >&2 'release: no releaseVersion constant in cmd/nbac/version.go'; exit 1; }
commit=$(git rev-parse HEAD)
date=$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo >&2 "release: the working tree has uncommitted changes; building the commit $commit as it is"
fi

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

# build OUT [GOCACHE]: every platform of HEAD into OUT, with SHA256SUMS.
build() {
  local out=$1 cache=${2:-} src
  src=$(mktemp -d)
  git archive "$commit" | tar -x -C "$src"
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  rm -f "$out"/nbac_* "$out"/SHA256SUMS
  for p in $PLATFORMS; do
    local os=${p%/*} arch=${p#*/} ext=''
    [ "$os" = windows ] && ext=.exe
    local bin="nbac_${version}_${os}_${arch}${ext}"
    (cd "$src" && env ${cache:+GOCACHE=$cache} CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" GOFLAGS= \
      "$GO" build -trimpath -buildvcs=false \
      -ldflags "-s -w -buildid= -X main.version=v$version -X main.commit=$commit -X main.date=$date" \
      -o "$out/$bin" ./cmd/nbac)
    echo "built $out/$bin"
  done
  rm -rf "$src"
  (cd "$out" && sha256 nbac_* > SHA256SUMS)
}

if [ "${1:-}" = -check ]; then
  tmp=$(mktemp -d)
  trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
  build "$tmp/a"
  cache=''
  [ "${NBAC_RELEASE_SHARED_CACHE:-}" = 1 ] || cache="$tmp/gocache"
  build "$tmp/b" "$cache"
  if ! diff "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS"; then
    echo >&2 "release: NOT reproducible: two builds of $commit differ"
    exit 1
  fi
  cat "$tmp/a/SHA256SUMS"
  echo "release: reproducible: two builds of $commit ($version, $date) have identical SHA256SUMS"
  exit 0
fi

build "$DIST"
echo "release: nbac $version ($commit, $date) in $DIST/; SHA256SUMS:"
cat "$DIST/SHA256SUMS"
