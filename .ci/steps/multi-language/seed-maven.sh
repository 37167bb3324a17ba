#!/usr/bin/env bash
# Pre-installs cdk-nag's jar into the Maven repository of the build ($ML_MAVEN_REPO).
#
# jsii-pacmak writes the npm peer range `cdk-nag ^3.0.2` into the generated pom as the Maven range
# [3.0.2,4.0.0), which Maven resolves from the artifact's maven-metadata.xml. The copy of Maven Central
# this project's machines reach serves io.github.cdklabs:cdknag:3.0.2 itself, but its metadata file
# still lists only 2.x versions, so the range fails ("No versions available ... within specified
# range"). Installing the jar locally adds a maven-metadata-local.xml that lists 3.0.2, and the range
# resolves. Against the real Maven Central this step changes nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

CDKNAG_VERSION="$(node -p "require('$ML_ROOT/node_modules/cdk-nag/package.json').version")"
marker="$ML_MAVEN_REPO/io/github/cdklabs/cdknag/maven-metadata-local.xml"
if [ -f "$marker" ] && grep -q "<version>$CDKNAG_VERSION</version>" "$marker"; then
  echo "cdk-nag $CDKNAG_VERSION already installed in $ML_MAVEN_REPO"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for packaging in pom jar; do
  mvn --batch-mode --quiet -Dmaven.repo.local="$ML_MAVEN_REPO" dependency:copy \
    -Dartifact="io.github.cdklabs:cdknag:$CDKNAG_VERSION:$packaging" -DoutputDirectory="$tmp"
done
mvn --batch-mode --quiet -Dmaven.repo.local="$ML_MAVEN_REPO" install:install-file \
  -Dfile="$tmp/cdknag-$CDKNAG_VERSION.jar" -DpomFile="$tmp/cdknag-$CDKNAG_VERSION.pom"
echo "cdk-nag $CDKNAG_VERSION installed in $ML_MAVEN_REPO"
