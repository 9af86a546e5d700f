# Shared by tools/embed-assets.sh and tools/embed-data.sh (sourced).
# embed_arrays DIR FILE...: prints one C byte array per file, f0, f1, ...,
# each NUL-terminated so text files can be read as strings.
embed_arrays() {
  local dir=$1 i=0 f
  shift
  for f in "$@"; do
    echo "static const unsigned char f$i[] = {"
    od -An -v -tx1 "$dir/$f" | sed -E 's/ ([0-9a-f]{2})/0x\1,/g'
    echo "0};"
    i=$((i + 1))
  done
}
# replace_if_changed TMP OUT: moves TMP onto OUT only when they differ, so
# that an unchanged input rebuilds nothing.
replace_if_changed() {
  if ! cmp -s "$1" "$2"; then mv "$1" "$2"; fi
}
# embed_table TYPE FUNC EMPTY ROW DIR FILE...: the table of TYPE rows
# (ROW FILE INDEX SIZE prints one; EMPTY is the row of an empty table) and
# the function FUNC that returns it with its count.
embed_table() {
  local type=$1 fn=$2 empty=$3 row=$4 dir=$5 i=0 f
  shift 5
  echo "static const $type table[] = {"
  for f in "$@"; do
    "$row" "$f" "$i" "$(stat -c %s "$dir/$f")"
    i=$((i + 1))
  done
  [ $# -eq 0 ] && echo "    $empty,"
  echo '};'
  echo
  echo "const $type *$fn(size_t *n)"
  echo '{'
  echo "    *n = $#;"
  echo '    return table;'
  echo '}'
}
