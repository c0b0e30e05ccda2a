# Sourced by scripts/demo.sh and scripts/test.sh: installs Debian's Chromium and its
# WebDriver (chromedriver) when they are missing. Loud when it cannot.

ensure_browser() {
    if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "error: chromium and chromedriver are missing, and installing them needs root." >&2
            echo "       run: apt-get install chromium chromium-driver" >&2
            return 1
        fi
    fi
    echo "installing Debian's chromium and chromium-driver (apt-get)…" >&2
    $sudo apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >&2 || {
        echo "error: could not install chromium and chromium-driver with apt-get" >&2
        return 1
    }
    command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || {
        echo "error: chromium or chromedriver still missing after apt-get install" >&2
        return 1
    }
}
