#!/usr/bin/env bash
# The README and doc-comment examples as a registry that transliterates the npm package sees them
# (Construct Hub runs `jsii-rosetta transliterate` on the published tarball): unpacks dist/js/*.tgz,
# transliterates it to Python and Java, and fails if an example is marked as translated from
# non-compiling source (the tarball lacks the rosetta fixtures, or an example does not compile) or if
# the README has no example in that language (so the check cannot pass on nothing). Called by .ci/run
# after `npx projen build`; on its own: `npx projen compile && npx projen package`, then this script.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The comment jsii-rosetta puts at the top of such an example (RosettaTabletReader.prefixDisclaimer).
MARKER='Example automatically generated from non-compiling source'
LANGUAGES=(python java)

shopt -s nullglob
tarballs=(dist/js/*.tgz)
if [ "${#tarballs[@]}" -ne 1 ]; then
  echo "expected exactly one dist/js/*.tgz, found ${#tarballs[@]}: run \`npx projen build\` (or \`npx projen compile && npx projen package\`) first" >&2
  exit 1
fi
tarball="${tarballs[0]}"

# Unpacked inside the checkout (.cache/ is git- and npm-ignored) so that the package's dependencies
# (aws-cdk-lib, constructs, cdk-nag) resolve from its node_modules, as they do in a consumer's project.
mkdir -p .cache
work="$(mktemp -d "$PWD/.cache/transliterate.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
pkg="$work/package"

failed=0
for file in rosetta/default.ts-fixture rosetta/own-imports.ts-fixture .jsii .jsii.tabl.json; do
  if [ ! -f "$pkg/$file" ]; then
    echo "FAIL: $tarball does not contain $file"
    failed=1
  fi
done

echo "jsii-rosetta $(node_modules/.bin/jsii-rosetta --version) transliterate --loose $(basename "$tarball") to ${LANGUAGES[*]}"
# --loose: a missing fixture leaves its examples uncompiled and marked (what a registry then shows),
# which this step counts, instead of stopping the transliteration.
node_modules/.bin/jsii-rosetta transliterate --loose "$pkg" --language "${LANGUAGES[@]}"

for language in "${LANGUAGES[@]}"; do
  assembly="$pkg/.jsii.$language"
  if [ ! -f "$assembly" ]; then
    echo "FAIL: jsii-rosetta wrote no $language transliteration"
    failed=1
    continue
  fi
  # README: code blocks in the language (translated examples, and any written in it), and those marked;
  # the whole assembly (doc comments too): marked.
  read -r readme_examples readme_marked all_marked < <(node -e '
    const [file, language, marker] = process.argv.slice(1);
    const text = require("fs").readFileSync(file, "utf8");
    const readme = JSON.parse(text).readme?.markdown ?? "";
    const count = (haystack, needle) => haystack.split(needle).length - 1;
    console.log(count(readme, "```" + language), count(readme, marker), count(text, marker));
  ' "$assembly" "$language" "$MARKER")
  echo "$language: $readme_examples $language code blocks in the README, $readme_marked from non-compiling source; $all_marked marked in the whole assembly (README and doc comments)"
  if [ "$readme_examples" -eq 0 ] || [ "$all_marked" -ne 0 ]; then
    failed=1
    # The first line of each marked example, to tell which it is.
    grep -o "$MARKER[^\\]*\\\\n[^\\]*" "$assembly" | sed "s/^$MARKER[^\\]*\\\\n/  marked: /" | head -10 || true
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "FAIL: the package's examples do not all transliterate from compiling source (docs/multi-language.md)"
  exit 1
fi
echo "OK: every example of $(basename "$tarball") transliterates to ${LANGUAGES[*]} from compiling source"
