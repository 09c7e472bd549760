#!/usr/bin/env bash
# Installs the workspace and runs the main job on a machine with only Node.js:
#   bash scripts/demo.sh
# The main job trains the tiny decoder-only LM of @raven-ts/kaun-attention on the CPU backend
# (packages/kaun-attention/examples/train-tiny-lm.mjs) and prints a sampled continuation.
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
