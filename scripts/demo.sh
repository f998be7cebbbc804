#!/usr/bin/env bash
# Placeholder until the demo lands: starts the reference backend in the foreground.
set -euo pipefail
echo "The end-to-end demo is not built yet; see README."
exit 1
