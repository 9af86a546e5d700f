#!/usr/bin/env bash
# Checks the layering of docs/architecture.md / docs/style.md "Layers": a
# layer includes headers only from its own layer and the layers below it, and
# backend headers stay in their layer (sqlite3/libpq in store, microhttpd and
# gnutls in http, jansson at edges).
set -u
top=${1:-.}
order=(core model instruments store analysis advice io synth followup http cli)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
status=0
for dir in "$top"/src/*/; do
  layer=$(basename "$dir")
  r=$(rank "$layer")
  [ "$r" -ge 0 ] || { echo "unknown layer src/$layer"; status=1; continue; }
  while IFS= read -r hit; do
    file=${hit%%:*}
    inc=$(sed -E 's/.*#include *"([a-z_]+)\/.*/\1/' <<<"$hit")
    ri=$(rank "$inc")
    if [ "$ri" -gt "$r" ]; then echo "$file includes $inc/ (above $layer/)"; status=1; fi
  done < <(grep -HnE '#include *"[a-z_]+/' "$dir"*.[ch] 2>/dev/null)
  case $layer in store) ;; *) if grep -lE '#include *<(sqlite3|libpq-fe)\.h>' "$dir"*.[ch] 2>/dev/null; then echo "database headers outside store/"; status=1; fi ;; esac
  case $layer in followup) ;; *) if grep -lE '#include *<curl/curl\.h>' "$dir"*.[ch] 2>/dev/null; then echo "libcurl outside followup/"; status=1; fi ;; esac
  case $layer in http) ;; *) if grep -lE '#include *<microhttpd\.h>' "$dir"*.[ch] 2>/dev/null; then echo "microhttpd outside http/"; status=1; fi ;; esac
  case $layer in http) ;; *) if grep -lE '#include *<gnutls/' "$dir"*.[ch] 2>/dev/null; then echo "gnutls outside http/"; status=1; fi ;; esac
  case $layer in core|io|followup|http|cli) ;; *) if grep -lE '#include *<jansson\.h>|"core/json\.h"' "$dir"*.[ch] 2>/dev/null; then echo "jansson below the edges"; status=1; fi ;; esac
done
[ $status -eq 0 ] && echo "layers: ok"
exit $status
