#!/usr/bin/env bash
# make build: the provider, the reference backend and the demo client into BIN, in one go build
# (its packages compile in parallel). The first build compiles every dependency, a few minutes on
# two cores: it says so, and names a package every 25 it compiles, so a newcomer sees it move.
#
#   scripts/build.sh BIN LDFLAGS
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1" ldflags="$2"
pkgs=(. ./internal/cmd/wrike-backend ./internal/cmd/wrike-demo)
start=$SECONDS
if [ -x "$bin/terraform-provider-wrike" ] && [ -x "$bin/wrike-backend" ] && [ -x "$bin/wrike-demo" ]; then
	CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/" "${pkgs[@]}"
	exit 0
fi
echo "==> First build: compiling the provider (bin/terraform-provider-wrike), the reference backend" \
	"(bin/wrike-backend), the demo client (bin/wrike-demo) and the several hundred packages they depend on." \
	"This takes a few minutes once; later builds take seconds."
# go build -v names each package as it compiles it; errors (lines with a space) pass through.
CGO_ENABLED=0 go build -v -trimpath -ldflags "$ldflags" -o "$bin/" "${pkgs[@]}" 2>&1 |
	awk '/^[^ ]+$/ { n++; if (n % 25 == 0) { printf "    %4d packages compiled, now %s\n", n, $0; fflush() } next }
		{ print; fflush() }'
echo "==> Built bin/terraform-provider-wrike, bin/wrike-backend and bin/wrike-demo in $((SECONDS - start)) s"
