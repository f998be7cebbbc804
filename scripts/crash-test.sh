#!/usr/bin/env bash
# Crash safety, long version (dev/RELIABILITY.md): builds the backend and the
# load tool, then kills the backend with SIGKILL KILLS times (default 25)
# under a load of SCIM creates and a provisioning run of OKTA_USERS Okta
# users, restarting it on the same data each time, and checks that every
# acknowledged write is there, the provisioning queue resumes and drains, and
# nothing is provisioned twice. Loopback only; bounded by TIMEOUT (default
# 5m) and by USERS requests; it stops by itself. Prints the figures as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
CGO_ENABLED=0 go build -o "$bin/wrike-backend" ./internal/cmd/wrike-backend
go build -o "$bin/crashload" ./internal/cmd/crashload
"$bin/crashload" -backend "$bin/wrike-backend" -v \
	-kills "${KILLS:-25}" -users "${USERS:-50000}" -okta-users "${OKTA_USERS:-400}" \
	-kill-min "${KILL_MIN:-200ms}" -kill-max "${KILL_MAX:-1500ms}" -timeout "${TIMEOUT:-5m}"
