#!/usr/bin/env bash
# Go consumer: the module generated into dist/go (replace directive in go.mod), with cdk-nag's Go
# binding generated from its npm package (the module proxy here does not serve cdk-nag-go v3); the app
# synthesized into cdk.out (for the linters), then vetted and tested (go test).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../.ci/steps/multi-language/env.sh"
rm -rf "$here/cdk.out"

if [ ! -f "$ML_ROOT/dist/go/cdksecureguardrail/go.mod" ]; then
  echo "no Go module in dist/go: run npx projen package:multi-language" >&2
  exit 1
fi
rm -rf "$ML_WORK/cdk-nag-go"
(cd "$ML_ROOT" && npx jsii-pacmak --code-only --target go --outdir "$ML_WORK/cdk-nag-go" node_modules/cdk-nag)

cd "$here"
go version
if ! go mod tidy -diff; then
  echo "test/consumers/go/go.mod or go.sum is out of date (diff above): run go mod tidy in test/consumers/go" >&2
  exit 1
fi
go run .
ls cdk.out/*.template.json
go vet ./...
go test -count=1 -v ./...
