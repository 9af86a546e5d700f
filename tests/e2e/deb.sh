#!/usr/bin/env bash
# The Debian package (docs/operations.md, Install): CPack packages the
# build tree into a temporary directory; the package holds the binary, the
# man page, the systemd units, the configuration file (a conffile), the
# copyright and changelog, with its dependencies computed by dpkg-shlibdeps;
# lintian reports no error; the extracted binary runs (--version, init,
# import); systemd-analyze verify accepts the units where it exists.
. "$GENU_SRC/tests/e2e/lib.sh"
: "${GENU_BUILD:?set GENU_BUILD to the build tree}"
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { fail "$tool is installed (scripts/deps.sh build)"; finish; }
done
if cpack -G DEB -B "$T/pkg" --config "$GENU_BUILD/CPackConfig.cmake" >cpack.out 2>&1; then
  pass "cpack builds the package from the build tree"
else
  fail "cpack builds the package from the build tree"; sed 's/^/    /' cpack.out | tail -n 20
  finish
fi
deb=$(ls "$T"/pkg/genu_*.deb)
check "  one package, named genu_VERSION-1_ARCH.deb" test "$(ls "$T"/pkg/*.deb | wc -l)" = 1 -a -n "$deb"
dpkg-deb -c "$deb" | awk '{print $1, $2, $NF}' >contents
want() { # want MODE PATH: the package holds PATH with that mode, owned by root
  check "  holds $2 ($1, root)" grep -qxF -- "$1 root/root ./${2#/}" contents
}
want -rwxr-xr-x /usr/bin/genu
want -rw-r--r-- /usr/share/man/man1/genu.1.gz
want -rw-r--r-- /lib/systemd/system/genu.service
want -rw-r--r-- /lib/systemd/system/genu-backup.service
want -rw-r--r-- /lib/systemd/system/genu-backup.timer
want -rw-r--r-- /etc/genu/genu.conf
want -rw-r--r-- /usr/share/doc/genu/copyright
want -rw-r--r-- /usr/share/doc/genu/changelog.Debian.gz
check "  nothing under /usr/local, no test or bench files" sh -c "! grep -Eq 'usr/local|unit_|bench' contents"
dpkg-deb -f "$deb" Depends >depends
check "  Depends computed from the binary (libmicrohttpd, libgnutls, libsqlite3, libpq)" \
  sh -c "grep -q libmicrohttpd depends && grep -q libgnutls depends && grep -q libsqlite3 depends && grep -q libpq depends"
check "  and adduser for the system user" grep -q adduser depends
dpkg-deb -e "$deb" control
check "  /etc/genu/genu.conf is a conffile" grep -qx /etc/genu/genu.conf control/conffiles
check "  postinst makes the system user genu" grep -q 'adduser --system --group' control/postinst
check "  maintainer scripts are valid sh" sh -c "sh -n control/postinst && sh -n control/prerm && sh -n control/postrm"
check "  copyright is GPL-3.0-or-later" grep -q '^License: GPL-3.0-or-later' <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/genu/copyright)
ver=$(dpkg-deb -f "$deb" Version)
check "  its changelog's version is the package's ($ver)" sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./usr/share/doc/genu/changelog.Debian.gz | gzip -dc | head -n 1 | grep -qF '($ver)'"

if command -v lintian >/dev/null; then
  lintian --fail-on error "$deb" >lintian.out 2>&1
  check "lintian reports no error" test $? = 0
  grep -E '^E:' lintian.out | sed 's/^/    /'
  grep -E '^W:' lintian.out | sed 's/^/    (warning, docs\/operations.md) /'
else
  fail "lintian is installed (scripts/deps.sh test)"
fi

dpkg-deb -x "$deb" root
P=$T/root/usr/bin/genu
out=$("$P" --version)
check "the packaged binary runs: $out" grep -Eq '^genu [0-9]+\.[0-9]+\.[0-9]+ \(registry schema version [0-9]+\)$' <<<"$out"
check "  its man page has every command" sh -c "gzip -dc root/usr/share/man/man1/genu.1.gz | grep -q '^\.SS migrate' && gzip -dc root/usr/share/man/man1/genu.1.gz | grep -q '^\.SS serve'"
export GENU_CONFIG=/dev/null # not the host's /etc/genu/genu.conf
expect_status 0 "  genu init" "$P" --db pkg.db init
cat >small.jsonl <<'JL'
{"type":"patient","id":"P1","site":"oak","sex":"female","birth_year":1955}
{"type":"treatment","id":"T1","patient":"P1","knee":"left","date":"2021-03-01","kind":"prp","sites":["intra_articular"]}
{"type":"response","patient":"P1","knee":"left","date":"2021-06-01","instrument":"nprs","items":{"intensity":3}}
JL
expect_status 0 "  genu import" "$P" --db pkg.db import small.jsonl
check "  imported the three records" grep -q 'imported 3 records' out
expect_status 0 "  the packaged configuration file parses" "$P" --config root/etc/genu/genu.conf --db pkg.db status

if command -v systemd-analyze >/dev/null; then
  mkdir units
  for u in genu.service genu-backup.service genu-backup.timer; do # the binary where it was extracted
    sed "s#/usr/bin/genu#$P#g" "root/lib/systemd/system/$u" >"units/$u"
  done
  systemd-analyze verify --man=no units/genu.service units/genu-backup.service units/genu-backup.timer \
    >verify.out 2>&1
  check "systemd-analyze verify accepts the units" test $? = 0 -a ! -s verify.out
  sed 's/^/    /' verify.out | head -n 10
else
  echo "skip systemd-analyze verify (systemd-analyze is not installed)"
fi
finish
