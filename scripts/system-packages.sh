#!/bin/sh
# Install the Debian packages given as arguments when they are missing.
# As root this runs apt-get; otherwise it prints the exact command to run and fails.
set -eu
missing=""
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Paquets système manquants :$missing (installez-les avec le gestionnaire de paquets de votre système)" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Paquets système manquants. Lancez en root :" >&2
    echo "    apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "Installation des paquets système :$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$missing
