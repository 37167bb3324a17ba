#!/usr/bin/env bash
# AWS's linters on every template the demo (examples/cdk.out, when `npx projen demo` has run) and the
# consumer apps (test/consumers/{python,java,go}/cdk.out) synthesized: cfn-lint and checkov, pinned
# (requirements.txt), in a fresh virtual environment. The gates are in lint_templates.py; a self-test
# on fixtures/ first proves they can fail.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../.ci/steps/multi-language/env.sh"

dirs=()
for language in python java go; do
  out="$ML_ROOT/test/consumers/$language/cdk.out"
  if [ ! -d "$out" ]; then
    echo "missing $out: run npx projen consumer:$language first" >&2
    exit 1
  fi
  dirs+=("$out")
done
if [ -d "$ML_ROOT/examples/cdk.out" ]; then
  dirs+=("$ML_ROOT/examples/cdk.out")
else
  echo "examples/cdk.out not found (npx projen demo has not run): linting the consumers only"
fi

venv="$(ml_venv linters -r "$here/requirements.txt")"
export PATH="$venv/bin:$PATH"
cfn-lint --version
echo "checkov $(checkov --version)"

echo "--- self-test on fixtures/ (must fail)"
python "$here/lint_templates.py" --expect-failures "$here/fixtures"
echo "--- the templates"
python "$here/lint_templates.py" "${dirs[@]}"
