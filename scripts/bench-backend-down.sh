#!/usr/bin/env bash
# How long `terraform destroy` of N approved domains takes to fail when the Wrike backend is down
# (dev/BENCHMARKS.md). It applies N wrike_approved_domain against `wrike-backend --dev` on free
# loopback ports, stops the backend, then times the destroy and counts its errors.
#
# usage: scripts/bench-backend-down.sh [N]   (default 400; binaries from BENCH_BIN, default bin/,
# built by make build; the provider binary may come from elsewhere with BENCH_PROVIDER_DIR)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-400}"
# Absolute paths: Terraform's dev_overrides needs one, and the script changes directory.
bin="$(cd "${BENCH_BIN:-$root/bin}" && pwd)"
provider_dir="$(cd "${BENCH_PROVIDER_DIR:-$bin}" && pwd)"
work="$(mktemp -d)"
backend_pid=""
cleanup() {
	[ -z "$backend_pid" ] || kill "$backend_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
printf 'provider_installation {\n  dev_overrides {\n    "registry.terraform.io/wrike-community/wrike" = "%s"\n  }\n  direct {}\n}\n' "$provider_dir" >"$work/terraform.rc"
export TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

"$bin/wrike-backend" --dev --data-dir "$work/data" --wrike-addr 127.0.0.1:0 --okta-addr 127.0.0.1:0 >"$work/backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 100); do [ -f "$work/data/dev.env" ] && break; sleep 0.1; done
# shellcheck disable=SC1091
. "$work/data/dev.env"

mkdir "$work/tf" && cd "$work/tf"
{
	printf 'terraform {\n  required_providers {\n    wrike = { source = "wrike-community/wrike" }\n  }\n}\n\nprovider "wrike" {}\n'
	for i in $(seq "$n"); do printf 'resource "wrike_approved_domain" "d%d" {\n  domain = "d%d.example.com"\n}\n' "$i" "$i"; done
} >main.tf
terraform apply -auto-approve -input=false -no-color >apply.log 2>&1 || { tail -20 apply.log; exit 1; }

kill "$backend_pid"
wait "$backend_pid" 2>/dev/null || true
backend_pid=""
start=$(date +%s%N)
status=0
terraform destroy -auto-approve -input=false -no-color >destroy.log 2>&1 || status=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "terraform destroy of $n resources, backend down: exit $status after $ms ms, $(grep -c '^Error:' destroy.log) errors"
grep -m1 -A10 '^Error:' destroy.log
