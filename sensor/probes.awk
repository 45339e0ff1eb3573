# Turns `tcpdump -l -n -e -tt -xx` output for probe requests into NDJSON, one
# probe per line: {"ts","mac","rssi","seq","channel","ssid","ies"}. The text
# line gives time, frequency, signal, source address and SSID; the hex dump
# gives the 802.11 sequence number and the tagged elements (the device-model
# fingerprint), found behind the radiotap header. POSIX awk only (busybox,
# mawk, gawk): no bit operations, arithmetic instead.

BEGIN {
  for (i = 0; i < 256; i++) byte[sprintf("%02x", i)] = i
  # Powers of two by multiplication: busybox awk built without math support has no `^`.
  two[0] = 1
  for (i = 1; i < 32; i++) two[i] = two[i - 1] * 2
  pending = 0
}

function b(i) { return byte[substr(hex, 2 * i + 1, 2)] + 0 }
function bit(value, n) { return int(value / two[n]) % 2 }
function le32(i) { return b(i) + 256 * b(i + 1) + 65536 * b(i + 2) + 16777216 * b(i + 3) }

function channel_of(mhz) {
  if (mhz == 2484) return 14
  if (mhz >= 2412 && mhz <= 2472) return (mhz - 2407) / 5
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5
  if (mhz >= 5000 && mhz <= 5900) return (mhz - 5000) / 5
  return ""
}

function json_text(s,    out) {
  out = s
  gsub(/\\/, "\\\\", out)
  gsub(/"/, "\\\"", out)
  gsub(/[[:cntrl:]]/, "", out)
  return "\"" out "\""
}

# Radiotap: is an FCS appended to the frame? Walk the present words, skip TSFT, read Flags (0x10 = FCS).
function has_fcs(    present, at, word) {
  present = le32(4)
  if (bit(present, 1) == 0) return 0
  at = 8
  word = present
  while (bit(word, 31) == 1) { word = le32(at); at += 4 }
  if (bit(present, 0) == 1) { at = int((at + 7) / 8) * 8 + 8 }
  return bit(b(at), 4)
}

function emit(    total, rt, seq, ies_start, ies_end, out) {
  if (!pending) return
  pending = 0
  out = "{\"ts\":" ts ",\"mac\":\"" mac "\",\"rssi\":" rssi
  total = length(hex) / 2
  if (total >= 8) {
    rt = b(2) + 256 * b(3)
    if (total >= rt + 24) {
      seq = int((b(rt + 22) + 256 * b(rt + 23)) / 16)
      out = out ",\"seq\":" seq
      ies_start = rt + 24
      ies_end = total - (has_fcs() ? 4 : 0)
      if (ies_end > ies_start) ies = substr(hex, 2 * ies_start + 1, 2 * (ies_end - ies_start))
    }
  }
  if (channel != "") out = out ",\"channel\":" channel
  if (ssid != "") out = out ",\"ssid\":" json_text(ssid)
  if (ies != "") out = out ",\"ies\":\"" ies "\""
  print out "}"
  fflush()
}

/^[0-9]+\.[0-9]+ / {
  emit()
  if (index($0, "Probe Request") == 0) next
  ts = $1; mac = ""; rssi = ""; channel = ""; ssid = ""; ies = ""; hex = ""
  for (i = 2; i <= NF; i++) {
    if ($(i + 1) == "MHz" && channel == "") channel = channel_of($i + 0)
    if (rssi == "" && $i ~ /^-?[0-9]+dBm$/ && $(i + 1) == "signal") rssi = substr($i, 1, length($i) - 3) + 0
    if ($i ~ /^SA:/) mac = tolower(substr($i, 4))
  }
  start = index($0, "Probe Request (")
  if (start > 0) {
    rest = substr($0, start + 15)
    stop = index(rest, ") [")
    if (stop == 0) stop = length(rest)
    ssid = substr(rest, 1, stop - 1)
  }
  if (mac != "" && rssi != "") pending = 1
  next
}

/^[ \t]+0x[0-9a-f]+:/ {
  if (!pending) next
  for (i = 2; i <= NF; i++) if ($i ~ /^[0-9a-f]+$/) hex = hex $i
  next
}

END { emit() }
