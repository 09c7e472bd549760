# Shared set-up for scripts/demo.sh and scripts/test.sh (sourced, not run).
# Needs only Node.js and npm on the machine; everything else is installed here.

PNPM_VERSION="10.34.8" # keep equal to "packageManager" in package.json

# Turborepo: no telemetry, no update check; the same for other tools that honour DO_NOT_TRACK.
export TURBO_TELEMETRY_DISABLED=1
export TURBO_NO_UPDATE_NOTIFIER=1
export DO_NOT_TRACK=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

section() {
  printf '\n==> %s\n' "$*"
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() {
  [ "$(id -u)" -eq 0 ]
}

require_node() {
  command -v node >/dev/null 2>&1 || die "Node.js is required (>= 20.19): https://nodejs.org"
  command -v npm >/dev/null 2>&1 || die "npm is required (it ships with Node.js)"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node.js >= 20.19 is required, found $(node --version)"
}

# Installs pnpm $PNPM_VERSION with npm when pnpm is missing (or older than 9.7,
# which cannot switch itself to the version pinned in package.json).
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1; then
    local have
    have="$(pnpm --version 2>/dev/null || echo 0)"
    if [ "$have" = "$PNPM_VERSION" ]; then
      return 0
    fi
    if node -e 'const [a, b] = process.argv[1].split(".").map(Number); process.exit(a > 9 || (a === 9 && b >= 7) ? 0 : 1)' "$have"; then
      echo "pnpm $have found; it switches to $PNPM_VERSION (packageManager in package.json) by itself"
      return 0
    fi
    echo "pnpm $have is too old; installing pnpm $PNPM_VERSION"
  else
    echo "pnpm not found; installing pnpm $PNPM_VERSION with npm"
  fi
  if ! npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION"; then
    # No write access to npm's global prefix (not root): install under ~/.local instead.
    echo "global install failed; installing into $HOME/.local"
    npm install --global --no-fund --no-audit --prefix "$HOME/.local" "pnpm@$PNPM_VERSION"
    export PATH="$HOME/.local/bin:$PATH"
  fi
  hash -r
  command -v pnpm >/dev/null 2>&1 || die "pnpm was installed but is not on PATH (npm prefix: $(npm prefix --global))"
}

# Installs the listed Debian packages that are missing (apt-get update only
# when something is missing). Root installs them; others get the command to run.
ensure_apt_packages() {
  if [ "$#" -eq 0 ]; then
    echo "none required"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "warning: cannot check system packages (no dpkg); the tests need: $*" >&2
    return 0
  fi
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "system packages present: $*"
    return 0
  fi
  local sudo=()
  if ! is_root; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      die "missing system packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
    fi
  fi
  echo "installing system packages: ${missing[*]}"
  "${sudo[@]+"${sudo[@]}"}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]+"${sudo[@]}"}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

print_versions() {
  echo "node $(node --version) · npm $(npm --version) · pnpm $(pnpm --version) · $(uname -sm)${CI:+ · CI=$CI}"
}

install_workspace() {
  # node-gyp builds gl (gpu.js's optional headless-GL dependency) against the
  # machine's Node headers (/usr/include/node); its default, downloading
  # headers, fails offline. Without the X/GL dev packages the optional build
  # fails and pnpm skips it: only the backend-gpujs `headlessgl` mode needs it.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
  fi
  pnpm install --frozen-lockfile
}
