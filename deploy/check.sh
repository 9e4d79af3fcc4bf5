#!/usr/bin/env bash
# Checks what kustomize cannot: builds deploy/kubernetes and deploy/openshift with kustomize
# (kubectl kustomize, or a kustomize binary), then checks that
#   - no Secret is in the output (tokens and the cluster secret are created by the operator),
#   - every overlay's TCP range equals the ports of deploy/loadbalancer/service.yaml,
#   - the OpenShift BuildConfig's inline Dockerfile has deploy/Containerfile's instructions.
# It needs kustomize 4 or later (replacements); without one it says so and fails.
#
# Usage: deploy/check.sh                   run the checks
#        deploy/check.sh --tcp-ports MIN MAX  print the Service port entries for a TCP range
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--tcp-ports" ]; then
    for ((p = $2; p <= $3; p++)); do
        echo "    - {name: tcp-$p, port: $p, targetPort: $p, protocol: TCP}"
    done
    exit 0
fi

if command -v kustomize >/dev/null 2>&1; then
    build() { kustomize build "$1"; }
elif command -v kubectl >/dev/null 2>&1; then
    build() { kubectl kustomize "$1"; }
else
    echo "deploy/check.sh: neither kustomize nor kubectl is installed" >&2
    exit 1
fi

failed=0
fail() { echo "FAIL: $*"; failed=1; }

# Instruction lines of a Dockerfile: no comments, no blank lines, no leading spaces.
instructions() { sed -e 's/^[[:space:]]*//' -e '/^#/d' -e '/^$/d'; }

lb_ports=$(sed -n 's/.*{name: tcp-[0-9]*, port: \([0-9]*\), targetPort: \([0-9]*\),.*/\1 \2/p' loadbalancer/service.yaml)
lb_count=$(echo "$lb_ports" | grep -c . || true)
lb_min=$(echo "$lb_ports" | awk 'NR == 1 {print $1}')
lb_max=$(echo "$lb_ports" | awk 'END {print $1}')
if echo "$lb_ports" | awk '$1 != $2 {bad = 1} END {exit !bad}'; then
    fail "loadbalancer/service.yaml: a TCP port whose targetPort differs (tunnel URLs show the bound port)"
fi

for overlay in kubernetes openshift; do
    out=$(build "$overlay") || { fail "$overlay: kustomize build failed"; continue; }
    echo "$overlay: $(echo "$out" | grep -c '^kind:') objects"
    if echo "$out" | grep -q '^kind: Secret$'; then
        fail "$overlay: the output holds a Secret; the operator creates them (deploy/README.md)"
    fi
    for secret in tunneld-auth tunneld-cluster; do
        echo "$out" | grep -q "name: $secret\$" || fail "$overlay: the Deployment does not read the $secret Secret"
    done
    echo "$out" | grep -q 'name: tunneld-[a-z0-9]\{10\}$' \
        || fail "$overlay: the tunneld ConfigMap has no content hash in its name (a change would not roll the pods)"
    min=$(echo "$out" | sed -n 's/^  TUNNELD_TCP_PORT_MIN: "\([0-9]*\)"/\1/p')
    max=$(echo "$out" | sed -n 's/^  TUNNELD_TCP_PORT_MAX: "\([0-9]*\)"/\1/p')
    if echo "$out" | grep -q 'type: LoadBalancer'; then
        if [ "$min" != "$lb_min" ] || [ "$max" != "$lb_max" ] || [ $((max - min + 1)) -ne "$lb_count" ]; then
            fail "$overlay: TCP range $min-$max, but loadbalancer/service.yaml lists $lb_count ports $lb_min-$lb_max; print the list with: deploy/check.sh --tcp-ports $min $max"
        fi
    fi
    if [ "$overlay" = openshift ]; then
        inline=$(echo "$out" | awk '/^    dockerfile: \|/ {on = 1; next} on && /^    [a-z]/ {on = 0} on' | instructions)
        if [ "$inline" != "$(instructions <Containerfile)" ]; then
            fail "openshift/build.yaml: the BuildConfig's Dockerfile differs from deploy/Containerfile:"
            diff <(echo "$inline") <(instructions <Containerfile) || true
        fi
        echo "$out" | grep -q 'host: wildcard\.' || fail "openshift: the wildcard Route's host was not set from TUNNELD_DOMAIN"
    fi
done

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "deploy/check.sh: all checks passed"
