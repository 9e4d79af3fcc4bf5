#!/usr/bin/env bash
# Installs what the inspection page's tests drive: Debian's headless-capable chromium and its
# chromedriver (/usr/bin/chromium, /usr/bin/chromedriver). Nothing to do where they are
# already installed.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver
