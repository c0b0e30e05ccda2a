# Sourced by scripts/demo.sh and scripts/test.sh: installs, from Debian's packages, the tools
# that are missing. Loud when it cannot.
#
#   ensure_tools chromium:chromium chromedriver:chromium-driver xmllint:libxml2-utils
#
# Each argument is COMMAND:PACKAGE — the package is installed when the command is not on PATH.

ensure_tools() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "error: ${missing[*]} missing, and installing them needs root." >&2
            echo "       run: apt-get install ${missing[*]}" >&2
            return 1
        fi
    fi
    echo "installing Debian's ${missing[*]} (apt-get)…" >&2
    $sudo apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 || {
        echo "error: could not install ${missing[*]} with apt-get" >&2
        return 1
    }
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || {
            echo "error: ${pair%%:*} still missing after apt-get install ${pair#*:}" >&2
            return 1
        }
    done
}

BROWSER_TOOLS=(chromium:chromium chromedriver:chromium-driver)
