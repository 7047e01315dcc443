# npm.sh - sourced by the scripts that fetch from the npm registry (onnxruntime.sh, s3rver.sh):
# need_npm installs Debian's npm when no npm is on the PATH.
need_npm() {
    command -v npm >/dev/null 2>&1 && return 0
    echo "$1: installing Debian's npm" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null ||
        { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; }
}
