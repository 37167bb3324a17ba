#!/usr/bin/env bash
# Java consumer: Maven resolves the built artifact from dist/java (a local Maven repository) and the
# pinned CDK artifacts from Maven Central; the app synthesized into cdk.out (for the linters), then the
# JUnit tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../.ci/steps/multi-language/env.sh"
rm -rf "$here/cdk.out"

if [ ! -d "$ML_ROOT/dist/java/io/github/cdk-secure-guardrail" ]; then
  echo "no Maven artifact in dist/java: run npx projen package:multi-language" >&2
  exit 1
fi
bash "$ML_ROOT/.ci/steps/multi-language/seed-maven.sh"
# The artifact's version does not change between builds (0.0.0): drop the copy Maven cached or the
# package build installed, so that the one in dist/java is used.
rm -rf "$ML_MAVEN_REPO/io/github/cdk-secure-guardrail"

cd "$here"
mvn=(mvn --batch-mode --no-transfer-progress -Dmaven.repo.local="$ML_MAVEN_REPO")
"${mvn[@]}" dependency:list -DincludeGroupIds=io.github.cdk-secure-guardrail,software.amazon.awscdk,software.constructs,io.github.cdklabs \
  | grep -E ':(cdk-secure-guardrail|aws-cdk-lib|constructs|cdknag):jar:'
"${mvn[@]}" compile exec:exec
ls cdk.out/*.template.json
"${mvn[@]}" test
