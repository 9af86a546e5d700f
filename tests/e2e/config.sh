#!/usr/bin/env bash
# The configuration file (docs/operations.md, Configure): --config, else
# $GENU_CONFIG; its db under GENU_DB and --db; errors naming FILE:LINE with
# nothing changed; secrets read from the files it names and never printed;
# genu --version.
. "$GENU_SRC/tests/e2e/lib.sh"
out=$("$GENU" --version)
want=$(sed -n 's/^project(genu VERSION \([0-9.]*\).*/\1/p' "$GENU_SRC/CMakeLists.txt")
check "genu --version prints the project version" grep -q "^genu $want " <<<"$out"
check "  and the registry schema version" grep -Eq '\(registry schema version [0-9]+\)$' <<<"$out"

DB=$(new_registry conf)
cat >genu.conf <<CONF
# a clinic's genu.conf
db = $DB
CONF
expect_status 0 "init with the registry from --config" "$GENU" --config genu.conf init
check "  made it there" grep -q "$DB" out
expect_status 0 "GENU_CONFIG names the file too" env GENU_CONFIG=genu.conf "$GENU" status
OTHER=$(new_registry other)
expect_status 0 "GENU_DB overrides the file's db" env GENU_DB="$OTHER" "$GENU" --config genu.conf init
check "  (the other registry was made)" grep -q "$OTHER" out
expect_status 0 "--db overrides both" env GENU_DB=/nonexistent/x.db "$GENU" --config genu.conf --db "$OTHER" status

printf 'db = %s\nlisten = 127.0.0.1:1\nport = 8080\n' "$DB" >bad.conf
expect_status 1 "an unknown key is refused" "$GENU" --config bad.conf status
check "  naming the file and line" grep -q 'bad.conf:3: unknown key "port"' err
printf 'threads = many\n' >bad.conf
expect_status 1 "a bad number is refused" "$GENU" --config bad.conf status
check "  naming the file, line and key" grep -q 'bad.conf:1: threads: expected a number from 1 to 256, not "many"' err
expect_status 3 "a missing --config file is refused" "$GENU" --config nothere.conf status
check "  naming it" grep -q 'nothere.conf' err

echo "smtp-secret-4471" >smtp.pw
chmod 644 smtp.pw
printf 'db = %s\nsmtp_password_file = %s/smtp.pw\n' "$DB" "$T" >sec.conf
expect_status 1 "a secret file everyone may read is refused" "$GENU" --config sec.conf status
check "  naming the configuration line" grep -q 'sec.conf:2: smtp_password_file: .*readable by everyone' err
check "  without printing the secret" sh -c "! grep -q smtp-secret-4471 '$T/err' '$T/out'"
chmod 640 smtp.pw
expect_status 0 "a secret file of its owner and group is read" "$GENU" --config sec.conf status
check "  and its secret not printed" sh -c "! grep -q smtp-secret-4471 '$T/err' '$T/out'"

# ---- the database password from db_password_file (PostgreSQL; the private
# server's role genu_pw must give its password, "right")
url=$(_lib_pg_url)
"$GENU_SRC/scripts/pg-test.sh" psql "$T/pg" -d postgres -q -c "CREATE DATABASE pwtest OWNER genu_pw" >/dev/null
host=${url#*host=}; host=${host%%&*}
echo right >pg.pw
chmod 600 pg.pw
printf 'db = postgresql://genu_pw@/pwtest?host=%s\ndb_password_file = %s/pg.pw\n' "$host" "$T" >pg.conf
expect_status 0 "db_password_file gives PostgreSQL its password" "$GENU" --config pg.conf init
check "  and the password is printed nowhere" sh -c "! grep -qw right '$T/out' '$T/err'"
printf 'db = postgresql://genu_pw@/pwtest?host=%s\n' "$host" >nopw.conf
expect_status 3 "  (without it the server refuses genu_pw)" env -u PGPASSWORD "$GENU" --config nopw.conf status
echo wrong >pg.pw
expect_status 0 "PGPASSWORD in the environment overrides the file" env PGPASSWORD=right "$GENU" --config pg.conf status
finish
