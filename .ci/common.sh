# Shared by .ci/quickstart and .ci/run: install what is missing, then configure and build.
# Works on a fresh Debian 12 machine as root (or with sudo available).
set -euo pipefail

FLEETSIM_PACKAGES=(g++ make cmake pkg-config nlohmann-json3-dev libboost-dev libboost-program-options-dev
                   libhowardhinnant-date-dev tzdata catch2 libbenchmark-dev libssl-dev libsimgrid-dev
                   prometheus-cpp-dev prometheus chromium openmpi-bin libopenmpi-dev python3-jsonschema
                   clang libclang-rt-14-dev  # the fuzz build: clang and its libFuzzer/ASan/UBSan runtimes
                   libcivetweb-dev  # hil/agent's HTTP server (also prometheus-cpp's)
                   # Linux update agents in the loop (hil/agent): the real agents, the tools that build
                   # their images, unshare/setpriv (util-linux) for the sandboxes' namespaces, and socat
                   # and iproute2 for a sandbox's own network namespace (swupdate_sandbox.sh --own-network)
                   swupdate mender-client mender-artifact cpio openssl util-linux socat iproute2
                   man-db groff-base)  # the man pages test: man --warnings renders them with groff

fleetsim_install_missing() {
  local missing=()
  for p in "${FLEETSIM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "fleetsim: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# fleetsim_build BUILD_DIR [cmake args...]
fleetsim_build() {
  local dir="$1"
  shift
  cmake -S "$FLEETSIM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

FLEETSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
