#!/usr/bin/env bash
# The whole seed on one machine: start the reference backend (Wrike face + Okta face) in dev
# mode on loopback, apply examples/demo with the locally built provider, wait for Okta to
# provision, then show the users in Wrike, the refused users with their System Log reason, the
# billable seats, and a deactivation syncing. Run through `make demo`, which builds bin/ first.
#
# Everything lives in .demo/ (git-ignored), wiped at start. The backend started here is stopped
# on exit, on failure and on Ctrl-C. Addresses: DEMO_WRIKE_ADDR, DEMO_OKTA_ADDR; the binaries'
# folder and the scratch folder can be moved with DEMO_BIN and DEMO_DIR (tests use them).
# TERRAFORM names the CLI (default terraform; TERRAFORM=tofu runs the demo under OpenTofu).
set -euo pipefail
# The Terraform state and the scratch files hold live tokens: owner only (0600 files, 0700 folders).
umask 077

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${DEMO_BIN:-$root/bin}"
demo="${DEMO_DIR:-$root/.demo}"
wrike_addr="${DEMO_WRIKE_ADDR:-127.0.0.1:7480}"
okta_addr="${DEMO_OKTA_ADDR:-127.0.0.1:7481}"
tf="${TERRAFORM:-terraform}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
case "$demo" in /*) ;; *) demo="$PWD/$demo" ;; esac
case "$tf" in /* | "${tf##*/}") ;; *) tf="$PWD/$tf" ;; esac # a path, not a name on PATH
export CHECKPOINT_DISABLE=1
# Terraform colours its output; not when it goes to a file or a pipe.
no_color=()
[ -t 1 ] || no_color=(-no-color)

say() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nmake demo: %s\n' "$*" >&2; exit 1; }

# is_our_backend PID: the process is still this checkout's wrike-backend (pids get reused).
is_our_backend() {
	if [ -e "/proc/$1/exe" ]; then
		# A rebuilt binary shows as "<path> (deleted)".
		local exe
		exe="$(readlink "/proc/$1/exe" 2>/dev/null || true)"
		[ "${exe% (deleted)}" = "$bin/wrike-backend" ]
	else
		[ "$(ps -p "$1" -o comm= 2>/dev/null | xargs basename 2>/dev/null || true)" = "wrike-backend" ]
	fi
}

backend_pid=""
cleanup() {
	local status=$?
	trap - EXIT INT TERM HUP PIPE
	if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
		printf '\n==> Stopping the reference backend (pid %s)\n' "$backend_pid"
		kill -TERM "$backend_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$backend_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$backend_pid" 2>/dev/null || true
		wait "$backend_pid" 2>/dev/null || true
	fi
	if [ -n "$backend_pid" ]; then
		rm -f "$demo/backend.pid"
		if [ "$status" -ne 0 ]; then
			printf 'make demo failed (exit %s). Backend log: %s\n' "$status" "$demo/backend.log" >&2
		fi
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# --- preconditions ---------------------------------------------------------------------------
case "$demo" in
/ | "$HOME" | "$root" | "") fail "DEMO_DIR=$demo would be wiped: choose a scratch folder." ;;
esac
command -v "$tf" >/dev/null 2>&1 ||
	fail "the Terraform CLI is not on PATH ($tf). Install Terraform 1.11 or newer (https://developer.hashicorp.com/terraform/install) or OpenTofu 1.11 or newer (make demo TERRAFORM=tofu) and run make demo again."
for b in terraform-provider-wrike wrike-backend wrike-demo; do
	[ -x "$bin/$b" ] || fail "$bin/$b is missing: run make demo (it builds bin/ first)."
done

# A run killed with SIGKILL cannot stop its backend: find it by the pid file it left and stop
# it, but only when that pid is still our own binary.
if [ -f "$demo/backend.pid" ]; then
	old="$(cat "$demo/backend.pid" 2>/dev/null || true)"
	if [ -n "$old" ] && is_our_backend "$old"; then
		say "Stopping the backend a previous, interrupted run left behind (pid $old)"
		kill -TERM "$old" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$old" 2>/dev/null || true
	fi
fi
"$bin/wrike-demo" port-free "$wrike_addr" "$okta_addr" || fail "cannot start the backend."

say "Wiping $demo (state of any earlier run)"
rm -rf "$demo"
mkdir -p "$demo/data" "$demo/terraform"

# --- backend ---------------------------------------------------------------------------------
say "Starting the reference backend in dev mode (Wrike face on $wrike_addr, Okta face on $okta_addr)"
# The log is its owner's only and holds no token: stdout, where the backend shows the tokens it
# mints (kept in data/dev.env and data/tokens.env, both 0600), is not kept.
install -m 600 /dev/null "$demo/backend.log"
"$bin/wrike-backend" --dev --data-dir "$demo/data" --wrike-addr "$wrike_addr" --okta-addr "$okta_addr" \
	>/dev/null 2>>"$demo/backend.log" &
backend_pid=$!
echo "$backend_pid" >"$demo/backend.pid"

say "Waiting for the backend to seed the demo Okta org and answer"
for i in $(seq 300); do
	if ! kill -0 "$backend_pid" 2>/dev/null; then
		echo "the backend exited; last lines of its log ($demo/backend.log):" >&2
		tail -n 20 "$demo/backend.log" >&2
		fail "the backend did not start."
	fi
	"$bin/wrike-demo" ready "$demo/data/dev.env" "http://$wrike_addr/" "http://$okta_addr/" 2>/dev/null && break
	[ "$i" -lt 300 ] || fail "the backend did not answer within 60 seconds (log: $demo/backend.log)."
	sleep 0.2
done
# dev.env: WRIKE_URL, WRIKE_TOKEN, OKTA_ORG_URL, OKTA_API_TOKEN and the TF_VAR_ lines.
set -a
# shellcheck disable=SC1091
. "$demo/data/dev.env"
set +a
echo "Wrike: $WRIKE_URL   Okta: $OKTA_ORG_URL   (tokens in $demo/data/dev.env)"

# Sign-in links work while the backend runs. From a terminal the demo keeps it up at the end until
# Enter; without one (a pipe, CI) the backend stops seconds after the links would be printed.
if [ -t 0 ]; then
	say "Consoles: open them to watch provisioning happen (each sign-in link works once, for 15 minutes, while the demo runs: it waits for Enter at the end)"
	"$bin/wrike-demo" console
else
	say "Consoles: no sign-in links, as the demo is not run from a terminal: it cannot wait for you at the end, and the backend stops with it. Run make demo from a terminal to get links that work until you press Enter."
fi

# --- terraform -------------------------------------------------------------------------------
# A CLI config of our own: the user's ~/.terraformrc is never read or written.
cat >"$demo/terraform.rc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/wrike-community/wrike" = "$bin"
    "registry.opentofu.org/wrike-community/wrike" = "$bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$demo/terraform.rc"
export TF_IN_AUTOMATION=1
cp "$root"/examples/demo/*.tf "$demo/terraform/"
cd "$demo/terraform"

say "terraform apply: approve acme.example.com, create the API token, enable SCIM, configure provisioning in Okta, assign Engineering (Regular), Sales (Collaborator) and one user (External), then wait for Okta to push them (each user Wrike refused is a warning with Okta's reason)"
"$tf" apply -auto-approve -input=false ${no_color[@]+"${no_color[@]}"} || fail "terraform apply failed (see above)."

say "The API token, shown once"
"$tf" show -json | "$bin/wrike-demo" token-shown-once

say "Okta's Test API Credentials, run when Terraform saved the provisioning connection (System Log)"
"$bin/wrike-demo" credentials-test

say "Waiting for Okta to push the assigned users to Wrike over SCIM (SCIM 2.0: the standard API Okta creates, updates and deactivates users in Wrike with)"
"$bin/wrike-demo" wait-provisioning
"$tf" apply -refresh-only -auto-approve -input=false -compact-warnings -no-color >"$demo/refresh.log" 2>&1 ||
	{ cat "$demo/refresh.log" >&2; fail "terraform refresh failed."; }

say "Users in Wrike (provisioned by Okta over SCIM)"
"$bin/wrike-demo" users

say "Users Okta could not provision (Okta's System Log, outcome FAILURE)"
"$bin/wrike-demo" refused

say "Seats"
"$bin/wrike-demo" seats
echo "terraform output billable_seats: $("$tf" output -raw billable_seats)"

# --- deactivation ----------------------------------------------------------------------------
say "Deactivating one user in Okta (POST /api/v1/users/{id}/lifecycle/deactivate): Okta then pushes active=false to Wrike, which keeps the user but no longer bills a seat"
login="$("$bin/wrike-demo" deactivate)"
echo "deactivated $login in Okta"

say "Waiting for Okta to push the deactivation to Wrike"
"$bin/wrike-demo" wait-provisioning

say "$login in Wrike now (kept, inactive, not billable)"
"$bin/wrike-demo" user "$login"
"$bin/wrike-demo" seats

if [ -t 0 ]; then
	say "The consoles stay up until you press Enter (fresh sign-in links below)"
	"$bin/wrike-demo" console
	read -r _ || true
fi
say "Done. The backend stops now; run make demo again to start over."
