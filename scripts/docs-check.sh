#!/usr/bin/env bash
# Fails when docs/ is not what `make docs` would generate from templates/, examples/ and the
# provider's schema. Generates into a scratch directory, so the working tree is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

scratch=.docs-check
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT

if ! out=$(go tool -modfile=tools/go.mod tfplugindocs generate --provider-name wrike --rendered-website-dir "$scratch" 2>&1); then
	printf '%s\n' "$out" >&2
	echo "docs-check: tfplugindocs generate failed" >&2
	exit 1
fi
go tool -modfile=tools/go.mod tfplugindocs validate --provider-name wrike

if ! diff -ruN docs "$scratch"; then
	echo "docs-check: docs/ is stale. Run make docs and commit the result." >&2
	exit 1
fi
echo "docs/ is up to date"
