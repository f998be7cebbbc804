#!/usr/bin/env bash
# Runs every Go fuzz target of the packages below for FUZZTIME each (default
# 4s: the bounded run inside `make test`; `make fuzz` passes a longer time).
# A failing input is written to the package's testdata/fuzz/ by Go and makes
# this script fail; commit it as a regression seed once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-4s}"
packages=(${FUZZ_PACKAGES:-./internal/scim ./internal/backend/wrike})
total=0
for pkg in "${packages[@]}"; do
	[ -d "$pkg" ] || continue
	targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	for target in $targets; do
		echo "== fuzz $pkg $target ($fuzztime)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 |
			awk '/^fuzz: elapsed/ { last = $0; next } { print } END { if (last != "") print last }' ||
			{ echo "fuzz: $target failed"; exit 1; }
		total=$((total + 1))
	done
done
echo "fuzz: $total targets passed, $fuzztime each"
