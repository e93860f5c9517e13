#!/bin/bash
# Builds a signed SWUpdate image (.swu) for sandboxed boards and tests: a cpio archive (-H crc)
# with sw-description first, its CMS signature, one payload the `rawfile` handler writes to a
# file, and optionally a post-install shell script that fails.
#   make_swu.sh keys DIR                       test signing key and certificate: DIR/key.pem, DIR/cert.pem
#   make_swu.sh image --out F.swu --keys DIR --version V [--hw-rev R] [--payload FILE]
#               [--target PATH] [--fail-install] [--wrong-sha256]
# --target is where the payload lands on the board (default /mnt/fleetsim/payload.bin: the sandbox
# bind-mounts its own directory there). --wrong-sha256 announces the sha256 of other bytes in
# sw-description (SWUpdate must refuse the payload); --fail-install adds a post-install script
# that exits 1. Exit 2 on bad arguments, 3 when a tool fails.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage

if [ "$1" = keys ]; then
  [ $# -eq 2 ] || usage
  mkdir -p "$2"
  # SWUpdate checks the signer's purpose (emailProtection by default, --cert-purpose).
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$2/key.pem" -out "$2/cert.pem" -days 2 \
    -subj "/CN=fleetsim test signer" -addext keyUsage=digitalSignature -addext extendedKeyUsage=emailProtection \
    2>/dev/null || { echo "make_swu.sh: openssl cannot create a key in $2" >&2; exit 3; }
  exit 0
fi
[ "$1" = image ] || usage
shift
out="" keys="" version="" hw_rev="1.0" payload="" target="/mnt/fleetsim/payload.bin" fail_install=0 wrong_sha=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --hw-rev) hw_rev="$2"; shift 2 ;;
    --payload) payload="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --fail-install) fail_install=1; shift ;;
    --wrong-sha256) wrong_sha=1; shift ;;
    *) echo "make_swu.sh: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$out" ] && [ -n "$keys" ] && [ -n "$version" ] || { echo "make_swu.sh: --out, --keys and --version are required" >&2; exit 2; }
[ -f "$keys/key.pem" ] && [ -f "$keys/cert.pem" ] || { echo "make_swu.sh: $keys/key.pem or cert.pem missing (make_swu.sh keys $keys)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "$payload" ]; then
  [ -f "$payload" ] || { echo "make_swu.sh: --payload $payload: no such file" >&2; exit 2; }
  cp "$payload" "$work/payload.bin"
else
  printf 'fleetsim payload %s\n' "$version" > "$work/payload.bin"
fi
sha=$(sha256sum "$work/payload.bin" | cut -d' ' -f1)
[ "$wrong_sha" = 1 ] && sha=$( (cat "$work/payload.bin"; printf 'x') | sha256sum | cut -d' ' -f1)
scripts=""
files="sw-description sw-description.sig payload.bin"
if [ "$fail_install" = 1 ]; then
  printf '#!/bin/sh\n[ "$1" = postinst ] && { echo "fleetsim: post-install script fails on purpose" >&2; exit 1; }\nexit 0\n' > "$work/post.sh"
  post_sha=$(sha256sum "$work/post.sh" | cut -d' ' -f1)
  scripts="  scripts: ( { filename = \"post.sh\"; type = \"shellscript\"; sha256 = \"$post_sha\"; } );"
  files="$files post.sh"
fi
cat > "$work/sw-description" <<DESC
software =
{
  version = "$version";
  hardware-compatibility = [ "$hw_rev" ];
  files: (
    {
      filename = "payload.bin";
      path = "$target";
      sha256 = "$sha";
    }
  );
$scripts
}
DESC
openssl cms -sign -in "$work/sw-description" -out "$work/sw-description.sig" -signer "$keys/cert.pem" \
  -inkey "$keys/key.pem" -outform DER -nosmimecap -binary || { echo "make_swu.sh: openssl cms -sign failed" >&2; exit 3; }
out_abs=$(realpath -m "$out")
(cd "$work" && printf '%s\n' $files | cpio -o -H crc --quiet > "$out_abs") || { echo "make_swu.sh: cpio failed" >&2; exit 3; }
