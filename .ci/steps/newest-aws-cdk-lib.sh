#!/usr/bin/env bash
# The test suite against the newest aws-cdk-lib release, installed in a temporary folder (the pinned
# build stays as it is): users run the newest release, and the library reads a few aws-cdk-lib
# internals (src/core/cdk-internals.ts) that a release could change. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx projen test:newest-aws-cdk-lib
