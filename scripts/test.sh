#!/usr/bin/env bash
# Installs the workspace and runs every check on a machine with only Node.js:
#   bash scripts/test.sh
# build, lint, typecheck and test, through turbo; stops at the first failure
# and exits non-zero. .ci/run calls this script.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# Debian packages the test suites need (installed when missing and running as
# root). For interop/torch (@raven-ts/interop-torch): python3-torch, PyTorch
# for Debian's /usr/bin/python3 (its tests fail under CI without it). For
# @raven-ts/backend-gpujs:
# - gl@8.1.6 (gpu.js's optional dependency, behind the `headlessgl` mode)
#   builds from source at install time: libxi-dev libxext-dev libx11-dev
#   pkg-config libgl1-mesa-dev (python3, make and g++ are on the machine);
# - its tests need an X display: xvfb, and xauth for xvfb-run (only a
#   Recommends of xvfb, and installs here skip those); the package's `test`
#   script re-runs vitest under `xvfb-run -a` when DISPLAY is unset;
# - the browser tests (backend-gpujs, and the playground's end-to-end tests)
#   drive Debian's chromium (/usr/bin/chromium) with playwright-core (never
#   `playwright install`).
# tooling/consumer-tests installs packed tarballs with npm from the registry.
# And for @raven-ts/kaun-core: python3 (standard library only) runs the
# independent safetensors reader of test/fixtures/make_safetensors.py, and
# python3-numpy the metric references of test/fixtures/make_metrics.py; those
# tests fail in CI (CI set) when python3 or numpy is missing rather than skipping.
APT_PACKAGES=(python3 python3-numpy python3-torch libxi-dev libxext-dev libx11-dev pkg-config libgl1-mesa-dev xvfb xauth chromium)

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

# The playground's end-to-end tests drive Chromium against timing-sensitive
# pages (training steps, streaming, pause): they run after the other suites,
# on their own, so turbo does not run them while other packages' suites
# saturate the machine's cores.
section "test (every package but the playground)"
test_log="$(mktemp)"
set +e
pnpm test "${TURBO_FLAGS[@]}" --continue=dependencies-successful --filter='!playground' 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
section "test (the playground, on its own)"
pnpm test "${TURBO_FLAGS[@]}" --filter=playground 2>&1 | tee -a "$test_log"
playground_status=${PIPESTATUS[0]}
set -e
[ "$test_status" -ne 0 ] || test_status=$playground_status
# One plain closing line over both runs and every package's runner: vitest's
# "Tests  N passed | M failed | K skipped" and node --test's "# pass N" / "# fail N".
sed 's/\x1b\[[0-9;]*m//g' "$test_log" | awk '
  / Tests +[0-9]/ {
    for (i = 1; i < NF; i++) {
      if ($(i + 1) ~ /^passed/) passed += $i
      if ($(i + 1) ~ /^failed/) failed += $i
      if ($(i + 1) ~ /^skipped/) skipped += $i
    }
  }
  /# pass [0-9]+$/ { passed += $NF }
  /# fail [0-9]+$/ { failed += $NF }
  END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }'
rm -f "$test_log"
[ "$test_status" -eq 0 ] || exit "$test_status"

# The hand-off to PyTorch and back, as users run it (`pnpm interop`), with
# fewer steps than its defaults to keep CI short.
section "pnpm interop (raven-ts -> PyTorch DDP -> raven-ts)"
pnpm interop --raven-steps 10 --torch-steps 100

section "all checks passed"
