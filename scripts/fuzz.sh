#!/usr/bin/env bash
# Runs every Go fuzz target of the packages below for FUZZTIME each: a
# duration (`make fuzz`, default 2m) or an execution count such as 20000x
# (the bounded run inside `make test`). A failing input is written to the
# package's testdata/fuzz/ by Go and makes this script fail; commit it as a
# regression seed once the bug is fixed.
#
# Go 1.26's fuzz coordinator can fail a duration-bounded run at its deadline
# with a bare "context deadline exceeded" and no failing input
# (go.dev/issue/75804, fixed in Go 1.27). `make test` therefore bounds runs by
# count, which sets no deadline. For duration runs, such a failure is accepted
# only when Go wrote no new failing input and a replay of the whole corpus
# passes; anything else fails.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-2m}"
packages=(${FUZZ_PACKAGES:-./internal/scim ./internal/mailaddr ./internal/jsonkeys ./internal/backend/wrike})
total=0
# count_inputs DIR: the number of committed or newly written inputs in DIR.
count_inputs() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for pkg in "${packages[@]}"; do
	[ -d "$pkg" ] || continue
	echo "== fuzz $pkg: compiling its tests to list the fuzz targets"
	targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
	first=1
	for target in $targets; do
		if [ "$first" = 1 ]; then
			# go test -fuzz instruments every package of the binary for coverage: a second compile of
			# the dependency tree (the SQLite driver's for the backend targets), cached afterwards.
			echo "== fuzz $pkg $target ($fuzztime; the first target also compiles the package and its dependencies with coverage instrumentation, minutes when the build cache is cold)"
			first=0
		else
			echo "== fuzz $pkg $target ($fuzztime)"
		fi
		start=$SECONDS
		corpus="$pkg/testdata/fuzz/$target"
		before=$(count_inputs "$corpus")
		rc=0
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$out" 2>&1 || rc=$?
		awk '/^fuzz: elapsed/ { last = $0; next } { print } END { if (last != "") print last }' "$out"
		if [ "$rc" -ne 0 ]; then
			after=$(count_inputs "$corpus")
			if [[ "$fuzztime" != *x ]] && [ "$after" -eq "$before" ] &&
				grep -qx '    context deadline exceeded' "$out" &&
				! grep -q -e 'panic:' -e 'Failing input written' "$out"; then
				echo "fuzz: $target stopped on Go's deadline race (go.dev/issue/75804) with no failing input; replaying the corpus"
				go test -count=1 -run "^${target}\$" "$pkg" || { echo "fuzz: $target failed"; exit 1; }
			else
				echo "fuzz: $target failed"
				exit 1
			fi
		fi
		echo "fuzz: $target passed in $((SECONDS - start)) s"
		total=$((total + 1))
	done
done
echo "fuzz: $total targets passed, $fuzztime each, in $SECONDS s"
