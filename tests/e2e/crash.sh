#!/usr/bin/env bash
# Crash safety (docs/design.md, Security and reliability): `kill -9` during `genu import` leaves the
# registry as it was before the import or with the whole file, never a part
# of it, and a later import of the same file completes. Rounds kill after
# fixed delays (mostly caught while the file is still being read and checked)
# and when the write-ahead log has reached a given size (caught inside the
# transaction, whatever the speed of the machine). Each round starts from a
# copy of the same registry; every round's outcome is printed.
. "$(dirname "$0")/lib.sh"

# a sanitizer build runs several times slower: a smaller file keeps it brief
if ldd "$GENU" 2>/dev/null | grep -q libasan; then PATIENTS=${CRASH_PATIENTS:-2500}; else PATIENTS=${CRASH_PATIENTS:-6000}; fi
python3 "$GENU_SRC/tools/gen_registry.py" "$PATIENTS" 11 --koos > big.jsonl
total_lines=$(grep -c . big.jsonl)

# the registry before: the example clinic (ids distinct from the generator's)
"$GENU" --db base.db init >/dev/null
"$GENU" --db base.db import "$GENU_SRC/examples/clinic.jsonl" >/dev/null
before_n=$("$GENU" --db base.db export | wc -l)
before_sum=$("$GENU" --db base.db export | sha256sum)
full_n=$((before_n + total_lines))
echo "registry before: $before_n records; file: $total_lines lines; complete: $full_n"

wal_size() { stat -c %s "$1-wal" 2>/dev/null || echo 0; }

# round NAME MODE ARG: MODE "delay" kills after ARG seconds; MODE "wal" kills
# as soon as the write-ahead log holds at least ARG bytes (i.e. the import's
# transaction is writing); MODE "settled" kills once the log has stopped
# growing for ARG seconds (the commit and checkpoint).
declare -A sums
mid_tx=0
round() {
  local name=$1 mode=$2 arg=$3 db="r_$1.db"
  rm -f "$db" "$db-wal" "$db-shm"
  cp base.db "$db"
  "$GENU" --db "$db" import big.jsonl >"$T/imp.out" 2>"$T/imp.err" &
  local pid=$! t0=$SECONDS
  if [ "$mode" = delay ]; then
    sleep "$arg"
  elif [ "$mode" = settled ]; then
    local last=-1 cur
    while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt 30 ]; do
      cur=$(wal_size "$db")
      [ "$cur" -gt 0 ] && [ "$cur" -eq "$last" ] && break
      last=$cur
      sleep "$arg"
    done
  else
    while kill -0 "$pid" 2>/dev/null && [ "$(wal_size "$db")" -lt "$arg" ] && [ $((SECONDS - t0)) -lt 30 ]; do
      sleep 0.01
    done
  fi
  local alive=no wal_at_kill
  wal_at_kill=$(wal_size "$db")
  if kill -0 "$pid" 2>/dev/null; then alive=yes; fi
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  local phase=finished
  if [ $alive = yes ]; then
    if [ "$mode" = settled ]; then phase="log settled: committing or checkpointing"
    elif [ "$wal_at_kill" -gt 0 ]; then phase="mid-transaction"; mid_tx=$((mid_tx + 1)); else phase="reading/validating"; fi
  fi
  local n outcome
  if ! n=$("$GENU" --db "$db" export 2>"$T/exp.err" | wc -l) || [ -s "$T/exp.err" ]; then
    fail "$name: registry opens and exports after kill -9"; sed 's/^/    /' "$T/exp.err" | head -3
    return
  fi
  if [ "$n" -eq "$before_n" ]; then outcome=unchanged
  elif [ "$n" -eq "$full_n" ]; then outcome=complete
  else outcome="PARTIAL ($n records)"; fi
  sums[$name]=$("$GENU" --db "$db" export | sha256sum)
  printf '  round %-10s killed %-5s (running: %s, %s, WAL %s bytes) -> %s\n' \
    "$name" "$mode=$arg" "$alive" "$phase" "$wal_at_kill" "$outcome"
  case $outcome in
    unchanged) check "$name: unchanged registry is byte-identical" test "${sums[$name]}" = "$before_sum" ;;
    complete) pass "$name: complete" ;;
    *) fail "$name: partial import after kill -9 ($n records, wanted $before_n or $full_n)" ;;
  esac
  if command -v sqlite3 >/dev/null; then
    check "$name: integrity_check ok" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
  fi
}

round early  delay 0.2
round d1     delay 1
round d3     delay 3
round wal0   wal 1              # the first page the transaction writes
round wal32M wal $((32 << 20))
round wal64M wal $((64 << 20))
round late   settled 0.05

check "at least one round killed the import inside its transaction" test "$mid_tx" -ge 1

# a normal import after the crash completes; complete rounds match it exactly
db=r_wal32M.db
expect_status 0 "import after a crash succeeds" "$GENU" --db "$db" import big.jsonl
full_sum=$("$GENU" --db "$db" export | sha256sum)
check "import after a crash gives the full count" test "$("$GENU" --db "$db" export | wc -l)" -eq "$full_n"
for name in "${!sums[@]}"; do
  if [ "${sums[$name]}" != "$before_sum" ]; then
    check "$name: complete registry equals a normal import" test "${sums[$name]}" = "$full_sum"
  fi
done
finish
