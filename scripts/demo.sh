#!/usr/bin/env bash
# Starts the reference backend in the foreground on loopback, with its data in
# .demo/ (git-ignored). `make demo` builds ./bin first; this script builds nothing.
# The full end-to-end demo (Terraform apply against both faces) replaces this.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./bin/wrike-backend
if [ ! -x "$bin" ]; then
	echo "demo: $bin is missing; run 'make demo' (it builds first)" >&2
	exit 1
fi
addr=${WRIKE_BACKEND_WRIKE_ADDR:-127.0.0.1:7480}
mkdir -p .demo
cat <<MSG
Starting the reference backend (data in .demo/; delete it to start over).
On first start it prints a Wrike admin token once; use it as \$TOKEN:

  curl -s -H "Authorization: Bearer \$TOKEN" http://$addr/api/v4/scim_integrations
  curl -s -H "Authorization: Bearer \$TOKEN" -d domain=example.com http://$addr/api/v4/approved_domains

README.md, "Run the reference backend", shows the whole walk-through. Ctrl-C stops it.
MSG
exec "$bin" --wrike-addr "$addr" --data-dir .demo "$@"
