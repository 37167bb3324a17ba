# Sourced by .ci/steps/multi-language.sh, the test/consumers/*/run.sh scripts and the projen tasks of
# projenrc/multi-language.ts: where the multi-language build keeps its tools and caches.
#
#   $ROOT/.cache/multi-language/  (git-ignored, per checkout)  virtual environments, generated bindings
#   $CDK_SG_CACHE_DIR             (default ~/.cache/cdk-secure-guardrail, kept between runs and clones)
#                                  download and build caches: pip, Maven, Go modules and builds, jsii
#
# Delete both for a run from a clean state. Every download is pinned (requirements files, pom.xml,
# go.mod/go.sum), so the caches only make runs faster, never different.

ML_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
ML_WORK="$ML_ROOT/.cache/multi-language"
CDK_SG_CACHE_DIR="${CDK_SG_CACHE_DIR:-$HOME/.cache/cdk-secure-guardrail}"
ML_MAVEN_REPO="$CDK_SG_CACHE_DIR/m2"
export ML_ROOT ML_WORK CDK_SG_CACHE_DIR ML_MAVEN_REPO

export PIP_CACHE_DIR="$CDK_SG_CACHE_DIR/pip"
export GOMODCACHE="$CDK_SG_CACHE_DIR/go-mod"
export GOCACHE="$CDK_SG_CACHE_DIR/go-build"
# -modcacherw keeps the module cache deletable; go.mod and go.sum (committed) are the pins.
export GOFLAGS="-buildvcs=false -modcacherw"
export GOTOOLCHAIN=local
export JSII_RUNTIME_PACKAGE_CACHE_ROOT="$CDK_SG_CACHE_DIR/jsii"
# Node 20 is past jsii's support date: every jsii process would print a banner saying so.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# Synthesis stays offline and quiet, as in .ci/run.
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true

mkdir -p "$ML_WORK" "$CDK_SG_CACHE_DIR"

# ml_venv NAME REQUIREMENTS... : a fresh virtual environment $ML_WORK/venvs/NAME with the pinned
# requirements installed; prints its directory.
ml_venv() {
  local name="$1"; shift
  local venv="$ML_WORK/venvs/$name"
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --no-input "$@" >&2
  echo "$venv"
}
