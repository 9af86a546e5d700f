#!/usr/bin/env bash
# Writes genu's man page, genu.1.gz, from the CLI's own help: help2man reads
# `genu --help` and `genu --version`, and a COMMANDS section gathers every
# command's `genu COMMAND --help`. Usage: tools/make-man.sh GENU OUT.gz
set -euo pipefail
genu=$1 out=$2
command -v help2man >/dev/null || { echo "make-man.sh: help2man is missing (scripts/deps.sh build)" >&2; exit 1; }
export GENU_CONFIG=/dev/null # the help, not a host's configuration
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# roff: a backslash doubled, a leading dot or quote guarded
roff() { sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/'; }
{
  echo "[COMMANDS]"
  "$genu" --help | sed -n 's/^  \([a-z]\+\)  .*/\1/p' | while read -r cmd; do
    echo ".SS $cmd"
    echo ".nf"
    "$genu" "$cmd" --help | roff
    echo ".fi"
  done
  cat <<'ROFF'
[FILES]
.TP
.I /etc/genu/genu.conf
the configuration file (key = value lines), read when it exists
.TP
.I /var/lib/genu/registry.db
the registry of the packaged service (genu.service)
.TP
.I /var/lib/genu-backup/
the nightly copies made by genu-backup.timer
[ENVIRONMENT]
.TP
.B GENU_DB
the registry, when --db is not given
.TP
.B GENU_CONFIG
the configuration file, when --config is not given
.TP
.B GENU_SMTP_USER, GENU_SMTP_PASSWORD
the mail server's account
[SEE ALSO]
/usr/share/doc/genu/operations.md
ROFF
} >"$tmp/include"
help2man --no-info --section=1 --name="outcomes registry for regenerative knee treatments" \
  --include="$tmp/include" --output="$tmp/genu.1" "$genu"
# reproducible builds set SOURCE_DATE_EPOCH: the page's date is then that one
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  sed -i 's/^\(\.TH [^ ]* [^ ]* \)"[^"]*"/\1"'"$(date -u -d "@$SOURCE_DATE_EPOCH" +'%B %Y')"'"/' "$tmp/genu.1"
fi
gzip -9n <"$tmp/genu.1" >"$out.tmp"
mv "$out.tmp" "$out"
