#!/usr/bin/env bash
# Installs the workspace and runs the main job on a machine with only Node.js:
#   bash scripts/demo.sh
# For now the main job is the @raven-ts/nx demo (packages/nx/examples/demo.mjs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

section "tools"
require_node
ensure_pnpm
print_versions

section "pnpm install --frozen-lockfile"
install_workspace

section "pnpm demo"
pnpm demo
