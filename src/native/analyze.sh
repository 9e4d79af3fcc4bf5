#!/usr/bin/env bash
# Runs GraalVM's native-image analysis of tunneld without a GraalVM distribution, through
# native-kit (../shared/native-kit on the project's machines, or $NATIVE_KIT): builds the
# native sources (the jar and arguments Quarkus hands native-image), then runs the real
# builder on them. Fails when the builder fails (a type that does not resolve, a class
# initialised at build time that holds a thread, socket or SecureRandom, an unsupported
# feature) and when its output has a warning or an argument the kit could not translate.
# Reflection reached by names computed at run time is not seen here: the integration tests
# (@QuarkusIntegrationTest) reach it, against a native executable where one can be linked.
#
# usage: src/native/analyze.sh [--skip-build] [extra builder options, e.g. -H:+ExitAfterRelocatableImageWrite]
# Output: target/native-analysis/ (the builder's reports and analysis.log). Needs 5 GB of memory
# (5.5 with the full compile).
set -euo pipefail
cd "$(dirname "$0")/../.."

KIT=${NATIVE_KIT:-../shared/native-kit}
if [ ! -x "$KIT/ni-analyze.sh" ]; then
    echo "native-kit not found at $KIT (set NATIVE_KIT)" >&2
    exit 2
fi
build=true
if [ "${1:-}" = "--skip-build" ]; then
    build=false
    shift
fi
OUT=target/native-analysis
WORK=${NI_WORK:-${TMPDIR:-/tmp}/native-kit}

# The kit's setup is once per machine; it is complete when the builder's JDK view and jars exist.
if ! ls "$WORK"/lib/svm-[0-9]*.jar >/dev/null 2>&1 || [ ! -x "$WORK/jdk/bin/java" ] || [ ! -s "$WORK/exports.args" ]; then
    if ! command -v mvn >/dev/null 2>&1; then
        # The setup fetches the builder's jars with mvn; where there is none, this project's wrapper.
        shim=$(mktemp -d)
        trap 'rm -rf "$shim"' EXIT
        printf '#!/bin/sh\nexec %q "$@"\n' "$PWD/mvnw" > "$shim/mvn"
        chmod +x "$shim/mvn"
        PATH=$shim:$PATH
    fi
    "$KIT/setup.sh"
fi
if $build; then
    ./mvnw -B -ntp -q package -DskipTests -Dnative -Dquarkus.native.sources-only=true
fi

rm -rf "$OUT"
mkdir -p "$OUT"
LOG=$OUT/analysis.log
status=0
"$KIT/ni-analyze.sh" target/native-sources "$OUT" "$@" >"$LOG" 2>&1 || status=$?

# What the builder found reachable, and its verdict.
grep -E '^ *[0-9,]+ types, .* (reachable|registered for reflection)|Peak RSS|^(Finished|Failed) generating' "$LOG" || true
problems=$(grep -E '^(Warning|Error|Fatal error)|UNTRANSLATED|unresolved|UnresolvedElementException' "$LOG" \
    | grep -v "Option 'DynamicProxyConfigurationResources' is deprecated" || true)
if [ "$status" -ne 0 ] || [ -n "$problems" ]; then
    echo "native analysis FAILED (builder exit $status); full output in $LOG" >&2
    [ -n "$problems" ] && echo "$problems" >&2
    grep -E -A12 '^(Fatal error|Error):' "$LOG" | head -60 >&2 || true
    exit 1
fi
echo "native analysis passed; full output in $LOG"
