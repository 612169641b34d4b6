#!/usr/bin/env bash
# Vendors the console's two runtime dependencies from the npm registry and records their
# SHA-256 sums (webui/test/vendor.test.mjs checks them, so a hand edit shows):
#   lit-html (BSD-3-Clause): templates that escape every value; only the modules we import.
#   @digital-go-jp/design-tokens (MIT): the Digital Agency's CSS variables.
# Run it only to change a version: the files it writes are committed, and neither the build
# nor the tests reach the registry for them.
set -euo pipefail
cd "$(dirname "$0")"
LIT_VERSION=3.3.3
TOKENS_VERSION=1.1.9

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "lit-html@$LIT_VERSION" "@digital-go-jp/design-tokens@$TOKENS_VERSION" >/dev/null)
mkdir -p "$tmp/lit" "$tmp/tokens"
tar xzf "$tmp/lit-html-$LIT_VERSION.tgz" -C "$tmp/lit"
tar xzf "$tmp/digital-go-jp-design-tokens-$TOKENS_VERSION.tgz" -C "$tmp/tokens"

rm -rf lit-html design-tokens
mkdir -p lit-html/directives design-tokens
for f in lit-html.js directive.js directive-helpers.js directives/repeat.js directives/live.js LICENSE; do
  cp "$tmp/lit/package/$f" "lit-html/$f"
done
cp "$tmp/tokens/package/dist/tokens.css" design-tokens/tokens.css
cp "$tmp/tokens/package/LICENSE" design-tokens/LICENSE

cat >VERSIONS <<V
lit-html $LIT_VERSION
@digital-go-jp/design-tokens $TOKENS_VERSION
V
find lit-html design-tokens -type f | LC_ALL=C sort | xargs sha256sum >SHA256SUMS
echo "vendored lit-html $LIT_VERSION and design-tokens $TOKENS_VERSION; sums in webui/vendor/SHA256SUMS"
