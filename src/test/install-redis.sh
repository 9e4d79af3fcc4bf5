#!/usr/bin/env bash
# Installs what the tests start themselves: Debian's redis-server (the cluster tests run real
# Redis servers on free ports). Nothing to do where it is already installed.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends redis-server
