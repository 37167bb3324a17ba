#!/usr/bin/env bash
# The Python, Java, Go and .NET packages, built and consumed (docs/multi-language.md):
#   1. packages: rosetta translates the doc examples; jsii-pacmak builds the Python wheel and the Maven
#      artifacts and generates the Go module and the .NET project (no .NET SDK or NuGet here);
#   2. consumers: a CDK app in Python, Java and Go installs the built package, asserts on its template
#      and on the enforcement (aspect and cdk-nag pack), and synthesizes into its cdk.out;
#   3. linters: cfn-lint and checkov on the demo's and the consumers' templates.
# Installs what it needs (virtual environments, Maven artifacts, Go modules) from pinned files; prints
# how long each part took; exits non-zero if any part fails. Called by .ci/run after the build and the
# demo; on its own: `npx projen multi-language` (after `npx projen compile`).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/multi-language/env.sh

started=$SECONDS
timings=()
failed=()

report() {
  printf '\n=== multi-language timings (caches in %s)\n' "$CDK_SG_CACHE_DIR"
  for line in "${timings[@]}"; do echo "$line"; done
  printf '%6ds  total\n' "$((SECONDS - started))"
  if [ "${#failed[@]}" -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}"
  fi
}
trap report EXIT

# part NAME COMMAND...: runs and times one part; a failure is recorded and the remaining parts still run.
part() {
  local name="$1"; shift
  local start=$SECONDS status=0
  printf '\n=== %s\n' "$name"
  "$@" || status=$?
  local line
  line="$(printf '%6ds  %s' "$((SECONDS - start))" "$name")"
  if [ "$status" -ne 0 ]; then
    line="$line  (FAILED, exit $status)"
    failed+=("$name")
  fi
  timings+=("$line")
  printf '=== %s\n' "$line"
}

toolchains() {
  node --version
  python3 --version
  java -version 2>&1 | head -1
  mvn --version 2>/dev/null | head -1
  go version
}
part "toolchains" toolchains

if [ ! -f .jsii ]; then
  part "jsii compile" npx projen compile
fi
part "packages: Python wheel, Maven artifacts, Go module and .NET sources" npx projen package:multi-language
if [ "${#failed[@]}" -gt 0 ]; then
  exit 1  # the consumers need the packages
fi

part "consumer: Python (pip, pytest)" bash test/consumers/python/run.sh
part "consumer: Java (Maven, JUnit)" bash test/consumers/java/run.sh
part "consumer: Go (go test)" bash test/consumers/go/run.sh
part "linters: cfn-lint and checkov" bash test/consumers/lint/run.sh

[ "${#failed[@]}" -eq 0 ]
