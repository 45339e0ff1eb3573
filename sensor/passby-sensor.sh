#!/bin/sh
# passby-sensor: captures Wi-Fi probe requests with tcpdump on a monitor
# interface and sends them to Passby in gzip NDJSON batches.
#   tcpdump -> probes.awk (NDJSON) -> batches in the spool -> gzip -> POST
# Batches wait in a size-capped spool (tmpfs) while the server is unreachable
# and are retried with backoff; each carries an Idempotency-Key, so a batch
# sent twice (a lost answer) is stored once.
# POSIX sh (busybox ash). Source it with PASSBY_SOURCED=1 to use the functions.

passby_defaults() {
  : "${PASSBY_URL:=}"                       # e.g. https://passby.example.com
  : "${PASSBY_TOKEN:=}"                     # the sensor's pbs_... token
  : "${PASSBY_IFACE:=mon0}"                 # a monitor-mode interface (see README)
  : "${PASSBY_MONITOR_FLAG:=}"              # "-I" to let tcpdump switch a managed interface to monitor mode
  : "${PASSBY_SPOOL:=/tmp/passby-spool}"    # tmpfs: flash wears out
  : "${PASSBY_SPOOL_MAX_KB:=4096}"          # oldest batches are dropped beyond this
  : "${PASSBY_BATCH_MAX:=2000}"             # probes per batch
  : "${PASSBY_BATCH_SECONDS:=30}"           # a batch closes this long after its first probe
  : "${PASSBY_BACKOFF_MAX:=300}"            # seconds between retries, at most
  : "${PASSBY_AWK:=/usr/share/passby-sensor/probes.awk}"
  : "${PASSBY_NAME:=$(hostname 2>/dev/null | tr -c 'A-Za-z0-9.\n-' '-')}"
  : "${PASSBY_NAME:=sensor}"
}

# To stderr: procd hands it to the system log (logread).
passby_log() {
  echo "passby-sensor: $*" >&2
}

# tcpdump text (-e -tt -n -xx) on stdin -> one JSON probe per line on stdout.
passby_parse() {
  awk -f "$PASSBY_AWK"
}

# NDJSON on stdin -> closed batches $PASSBY_SPOOL/batch-<first ts>-<pid>-<n>.ndjson
# (count or age, judged on the probes' own timestamps as they arrive).
passby_batch() {
  mkdir -p "$PASSBY_SPOOL"
  awk -v spool="$PASSBY_SPOOL" -v max="$PASSBY_BATCH_MAX" -v secs="$PASSBY_BATCH_SECONDS" -v pid="$$" -v name="$PASSBY_NAME" '
    function close_batch(    target) {
      close(file)
      target = sprintf("%s/batch-%s-%010d-%s-%06d.ndjson", spool, name, first, pid, n_batches++)
      system("mv \"" file "\" \"" target "\"")
      count = 0
    }
    BEGIN { file = spool "/current.ndjson"; count = 0; n_batches = 0 }
    {
      ts = 0
      if (match($0, /"ts":[0-9.]+/)) ts = substr($0, RSTART + 5, RLENGTH - 5) + 0
      if (count > 0 && ts - first >= secs) close_batch()
      if (count == 0) first = int(ts)
      print > file
      count++
      if (count >= max) close_batch()
    }
    END { if (count > 0) close_batch() }
  '
}

# Compresses closed batches and keeps the spool under its cap (oldest dropped first).
passby_prepare() {
  for f in "$PASSBY_SPOOL"/batch-*.ndjson; do
    [ -f "$f" ] && gzip -f "$f"
  done
  while [ "$(du -sk "$PASSBY_SPOOL" 2>/dev/null | cut -f1)" -gt "$PASSBY_SPOOL_MAX_KB" ]; do
    oldest=$(ls "$PASSBY_SPOOL"/batch-*.ndjson.gz 2>/dev/null | head -n 1)
    [ -n "$oldest" ] || break
    passby_log "spool over ${PASSBY_SPOOL_MAX_KB} KB: dropping $(basename "$oldest")"
    rm -f "$oldest"
  done
}

# POSTs one batch. 0: done with it (stored, or refused for good); 1: retry later.
passby_send_one() {
  f=$1
  key=$(basename "$f" .ndjson.gz)
  status=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 60 \
    -H "Authorization: Bearer $PASSBY_TOKEN" -H 'Content-Type: application/x-ndjson' \
    -H 'Content-Encoding: gzip' -H "Idempotency-Key: $key" \
    --data-binary "@$f" "$PASSBY_URL/api/v1/ingest/probes" 2>/dev/null)
  case "$status" in
    2??) rm -f "$f"; return 0 ;;
    401 | 403) passby_log "the server refused the sensor token (HTTP $status): check PASSBY_TOKEN"; return 1 ;;
    408 | 429) return 1 ;;
    4??) passby_log "the server refused $key for good (HTTP $status): dropped"; rm -f "$f"; return 0 ;;
    *) return 1 ;;
  esac
}

# Sends the spooled batches oldest first; stops at the first one to retry.
passby_send_spool() {
  for f in $(ls "$PASSBY_SPOOL"/batch-*.ndjson.gz 2>/dev/null); do
    passby_send_one "$f" || return 1
  done
  return 0
}

passby_sender_loop() {
  backoff=5
  while :; do
    passby_prepare
    if passby_send_spool; then
      backoff=5
      sleep 5
    else
      sleep "$backoff"
      backoff=$((backoff * 2))
      [ "$backoff" -gt "$PASSBY_BACKOFF_MAX" ] && backoff=$PASSBY_BACKOFF_MAX
    fi
  done
}

passby_capture() {
  # -l line-buffered, -e link-level header (signal, addresses), -tt epoch time, -xx hex with radiotap.
  # shellcheck disable=SC2086
  exec tcpdump -l -n -e -tt -xx -s 512 $PASSBY_MONITOR_FLAG -i "$PASSBY_IFACE" 'type mgt subtype probe-req' 2>/dev/null
}

passby_main() {
  passby_defaults
  if [ -z "$PASSBY_URL" ] || [ -z "$PASSBY_TOKEN" ]; then
    echo "passby-sensor: set PASSBY_URL and PASSBY_TOKEN (see /etc/config/passby-sensor)" >&2
    exit 78
  fi
  mkdir -p "$PASSBY_SPOOL"
  passby_sender_loop &
  sender=$!
  trap 'kill "$sender" 2>/dev/null' EXIT INT TERM
  passby_capture | passby_parse | passby_batch
}

if [ "${PASSBY_SOURCED:-0}" != 1 ]; then
  passby_main "$@"
fi
