#!/usr/bin/env bash
# Builds a snapshot release exactly as a tagged release would be built, without publishing it,
# and checks what the Terraform Registry will fetch: one zip per target, the SHA256SUMS file
# covering them and the _manifest.json, and its detached signature. When gpg is installed the
# checksums are signed with a throwaway key in a temporary GNUPGHOME (your keyring is not used);
# without gpg the signature step is skipped and said so.
set -euo pipefail
cd "$(dirname "$0")/.."
tool="go tool -modfile=tools/go.mod"

echo "== goreleaser check"
$tool goreleaser check

skip=publish
if command -v gpg >/dev/null 2>&1; then
	GNUPGHOME="$(mktemp -d)"
	export GNUPGHOME
	trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
	gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-gen-key "release check <release-check@invalid>" ed25519 sign 1d
	GPG_FINGERPRINT="$(gpg --batch --list-keys --with-colons | awk -F: '/^fpr/ { print $10; exit }')"
	export GPG_FINGERPRINT
else
	echo "gpg is not installed: the snapshot is not signed"
	skip=sign,publish
fi

echo "== goreleaser release --snapshot (every OS/arch: takes a while)"
$tool goreleaser release --snapshot --clean --skip="$skip"

echo "== checking dist/"
sums=(dist/terraform-provider-wrike_*_SHA256SUMS)
[ -f "${sums[0]}" ] || { echo "no SHA256SUMS file in dist/" >&2; exit 1; }
version="${sums[0]#dist/terraform-provider-wrike_}"
version="${version%_SHA256SUMS}"
fail=0
for target in linux_amd64 linux_arm64 linux_386 linux_arm darwin_amd64 darwin_arm64 \
	windows_amd64 windows_arm64 windows_386 freebsd_amd64 freebsd_arm64 freebsd_386 freebsd_arm; do
	zip="terraform-provider-wrike_${version}_${target}.zip"
	[ -f "dist/$zip" ] || { echo "missing dist/$zip" >&2; fail=1; }
	grep -q "  $zip\$" "${sums[0]}" || { echo "$zip is not in ${sums[0]}" >&2; fail=1; }
done
grep -q "  terraform-provider-wrike_${version}_manifest.json\$" "${sums[0]}" ||
	{ echo "the registry manifest is not in ${sums[0]}" >&2; fail=1; }
if command -v sha256sum >/dev/null 2>&1; then
	(cd dist && grep -v '_manifest.json$' "${sums[0]#dist/}" | sha256sum --check --quiet) ||
		{ echo "a zip does not match its checksum" >&2; fail=1; }
fi
if [ "$skip" = publish ]; then
	gpg --batch --verify "${sums[0]}.sig" "${sums[0]}" ||
		{ echo "${sums[0]}.sig does not verify" >&2; fail=1; }
fi
[ "$fail" -eq 0 ] || exit 1
echo "release snapshot $version is in the registry's shape"
