#!/usr/bin/env bash
# Installs the workspace and runs every check on a machine with only Node.js:
#   bash scripts/test.sh
# build, lint, typecheck and test, through turbo; stops at the first failure
# and exits non-zero. .ci/run calls this script.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# Debian packages the test suites need (installed when missing and running as
# root). Nothing yet; the gpu.js backend's suites will add:
#   chromium xvfb libxi-dev libxext-dev libx11-dev pkg-config libgl1-mesa-dev
APT_PACKAGES=()

# turbo: full task logs, each task's output in one block (readable CI logs).
TURBO_FLAGS=(--output-logs=full --log-order=grouped)

section "tools"
require_node
ensure_pnpm
print_versions

section "system packages"
ensure_apt_packages "${APT_PACKAGES[@]+"${APT_PACKAGES[@]}"}"

section "pnpm install --frozen-lockfile"
install_workspace

section "build"
pnpm build "${TURBO_FLAGS[@]}"

section "lint"
pnpm lint "${TURBO_FLAGS[@]}" --continue=dependencies-successful

section "typecheck"
pnpm typecheck "${TURBO_FLAGS[@]}" --continue=dependencies-successful

section "test"
pnpm test "${TURBO_FLAGS[@]}" --continue=dependencies-successful

section "all checks passed"
