#!/usr/bin/env bash
# Python consumer: a fresh virtual environment with the built wheel (dist/python) and the pinned
# requirements from PyPI; the app synthesized into cdk.out (for the linters), then the tests (pytest).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../.ci/steps/multi-language/env.sh"
rm -rf "$here/cdk.out"

shopt -s nullglob
wheels=("$ML_ROOT"/dist/python/*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "want exactly one wheel in dist/python, found ${#wheels[@]}: run npx projen package:multi-language" >&2
  exit 1
fi

venv="$(ml_venv python-consumer -r "$here/requirements.txt" "${wheels[0]}")"
"$venv/bin/python" -m pip check
"$venv/bin/python" -m pip show cdk-secure-guardrail aws-cdk-lib cdk-nag constructs jsii | grep -E '^(Name|Version):' | paste - -

cd "$here"
"$venv/bin/python" consumer_app.py
ls cdk.out/*.template.json
"$venv/bin/python" -m pytest -p no:cacheprovider -v
