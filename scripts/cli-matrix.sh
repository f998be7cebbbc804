#!/usr/bin/env bash
# The provider's acceptance suite under every CLI its users run besides the Terraform on PATH
# (which `make test` covers): OpenTofu, Terraform 1.5, which predates write-only attributes, and
# Terraform 1.14, the first with resource identity and list resources (`terraform query`) together.
# Each CLI is built from its Go module source into a cache outside the repository, once, and
# reused afterwards; nothing is fetched but Go modules.
#
#   scripts/cli-matrix.sh path CLI      build CLI when missing and print its path
#   scripts/cli-matrix.sh test [CLI...] the acceptance suite under each CLI (default: all)
#
# CLI is opentofu, terraform-legacy or terraform-1.14. Versions: OPENTOFU_VERSION,
# TERRAFORM_LEGACY_VERSION, TERRAFORM_1_14_VERSION.
# Cache: CLI_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-wrike/cli).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export CHECKPOINT_DISABLE=1
# The CLIs build with the Go on PATH; a go.mod asking for a newer one fails instead of fetching it.
export GOTOOLCHAIN=local

opentofu_version="${OPENTOFU_VERSION:-1.12.6}"
legacy_version="${TERRAFORM_LEGACY_VERSION:-1.5.7}"
query_version="${TERRAFORM_1_14_VERSION:-1.14.9}"
cache="${CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-wrike/cli}"
all=(opentofu terraform-legacy terraform-1.14)

fail() { printf 'cli-matrix: %s\n' "$*" >&2; exit 1; }

# cli_path CLI: where CLI's binary lives in the cache.
cli_path() {
	case "$1" in
	opentofu) echo "$cache/opentofu-$opentofu_version/tofu" ;;
	terraform-legacy) echo "$cache/terraform-$legacy_version/terraform" ;;
	terraform-1.14) echo "$cache/terraform-$query_version/terraform" ;;
	*) fail "unknown CLI $1 (want one of: ${all[*]})" ;;
	esac
}

# build CLI: compile CLI into the cache unless it is there. The binary is moved into place only
# once it runs, so an interrupted build leaves nothing that looks finished.
build() {
	local out tmp src start
	out="$(cli_path "$1")"
	[ -x "$out" ] && return 0
	mkdir -p "$cache"
	tmp="$(mktemp -d "$cache/.build-XXXXXX")"
	# shellcheck disable=SC2064 # expand tmp now
	trap "rm -rf '$tmp'" EXIT
	start=$SECONDS
	case "$1" in
	opentofu)
		echo "cli-matrix: building OpenTofu $opentofu_version from its module source (several minutes, once)" >&2
		# Outside any module, so this repository's go.mod and go.sum are left alone.
		src="$(cd "$tmp" && go mod download -json "github.com/opentofu/opentofu@v$opentofu_version" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
		[ -d "$src" ] || fail "go mod download github.com/opentofu/opentofu@v$opentofu_version gave no source directory"
		# The flags of OpenTofu's own release build; without dev=no it calls itself 1.12.6-dev.
		(cd "$src" && nice -n 10 go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
			-o "$tmp/tofu" ./cmd/tofu)
		;;
	terraform-legacy)
		echo "cli-matrix: building Terraform $legacy_version from its module source (several minutes, once)" >&2
		(cd "$tmp" && GOBIN="$tmp" nice -n 10 go install -trimpath "github.com/hashicorp/terraform@v$legacy_version")
		;;
	terraform-1.14)
		echo "cli-matrix: building Terraform $query_version from its module source (several minutes, once)" >&2
		src="$(cd "$tmp" && go mod download -json "github.com/hashicorp/terraform@v$query_version" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
		[ -d "$src" ] || fail "go mod download github.com/hashicorp/terraform@v$query_version gave no source directory"
		# Its go.mod replaces the state-storage backends (azurerm, s3, gcs, ...) and internal/legacy
		# with nested modules, which a module zip leaves out and the proxy does not serve, so
		# `go install ...@v` refuses it. Build a copy with those backends taken out of the backend
		# list and empty modules in their place; nothing else imports them, and the suite keeps its
		# state on local disk.
		cp -R "$src" "$tmp/src"
		chmod -R u+w "$tmp/src"
		local nested
		for nested in $(sed -n 's|^replace github.com/hashicorp/terraform/\([^ ]*\) => \./.*|\1|p' "$tmp/src/go.mod"); do
			mkdir -p "$tmp/src/$nested"
			printf 'module github.com/hashicorp/terraform/%s\n' "$nested" >"$tmp/src/$nested/go.mod"
		done
		sed -i -E '/backend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)[ .]/d' "$tmp/src/internal/backend/init/init.go"
		# The flags of Terraform's own release build; without dev=no it calls itself 1.14.x-dev.
		(cd "$tmp/src" && nice -n 10 go build -trimpath -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
			-o "$tmp/terraform" .)
		;;
	esac
	"$tmp/$(basename "$out")" version >&2 || fail "the $1 just built does not run"
	mkdir -p "$(dirname "$out")"
	mv "$tmp/$(basename "$out")" "$out"
	rm -rf "$tmp"
	trap - EXIT
	echo "cli-matrix: built $out in $((SECONDS - start)) s" >&2
}

# suite CLI: the acceptance tests under CLI, with an empty CLI configuration of their own (a
# missing TF_CLI_CONFIG_FILE makes tofu print a warning the test framework cannot parse).
suite() {
	local bin rc start status=0
	bin="$(cli_path "$1")"
	rc="$(mktemp)"
	start=$SECONDS
	# Compiled as make test compiles (no cgo, -trimpath), so the packages it built are reused.
	local env=(TF_ACC=1 TF_ACC_TERRAFORM_PATH="$bin" TF_CLI_CONFIG_FILE="$rc" TF_IN_AUTOMATION=1
		CGO_ENABLED=0 GOFLAGS="$(go env GOFLAGS) -trimpath")
	# The in-process provider is reattached under this registry host; OpenTofu resolves
	# bare provider names against its own registry.
	[ "$1" = opentofu ] && env+=(TF_ACC_PROVIDER_HOST=registry.opentofu.org)
	echo "== acceptance suite under $(TF_CLI_CONFIG_FILE="$rc" "$bin" version | head -n 1) ($bin)"
	env "${env[@]}" go test -count=1 -timeout 30m ./internal/provider/... || status=$?
	# The examples and the demo use bearer_token_wo: their tests (validate every example against
	# the local build, the demo end to end) run where write-only attributes exist.
	if [ "$1" = opentofu ]; then
		env "${env[@]}" go test -count=1 -timeout 10m ./internal/repotest/ || status=$?
	fi
	# Under Terraform 1.14, what only it can run: the adoption guide (terraform query), and the
	# import examples by identity with the examples' validation.
	if [ "$1" = terraform-1.14 ]; then
		env "${env[@]}" go test -count=1 -timeout 10m \
			-run '^(TestGuideAdoptHandMadeSetup|TestListResourceExamplesQuery|TestImportExamplesApplyAgainstDevBackend|TestExamplesValidateAgainstTheLocalBuild)$' \
			./internal/repotest/ || status=$?
	fi
	rm -f "$rc"
	echo "cli-matrix: $1 suite took $((SECONDS - start)) s (exit $status)"
	return "$status"
}

case "${1:-}" in
path)
	[ $# -eq 2 ] || fail "usage: $0 path CLI"
	build "$2"
	cli_path "$2"
	;;
test)
	shift
	[ $# -gt 0 ] || set -- "${all[@]}"
	for c in "$@"; do build "$c"; done
	failed=()
	for c in "$@"; do suite "$c" || failed+=("$c"); done
	[ ${#failed[@]} -eq 0 ] || fail "the acceptance suite failed under: ${failed[*]}"
	;;
*) fail "usage: $0 path CLI | test [CLI...]" ;;
esac
