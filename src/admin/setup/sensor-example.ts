/** Single-quoted for a POSIX shell. */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** An example (locally administered, so never a real phone's) MAC: the server keeps only a salted hash of it anyway. */
const EXAMPLE_MAC = 'da:a1:19:00:00:01';

/**
 * A command that sends one probe the way a sensor does (NDJSON, the sensor's
 * bearer token, an Idempotency-Key) and prints the answer and the status, so
 * an installer can check the token and the address from the sensor's network.
 * The probe carries the current time: ingest refuses probes outside the
 * retention or too far in the future.
 */
export function ingestExample(publicUrl: string, token: string): string {
  return [
    `curl -sS -X POST ${quote(`${publicUrl}/api/v1/ingest/probes`)} \\`,
    `  -H ${quote(`Authorization: Bearer ${token}`)} \\`,
    `  -H 'Content-Type: application/x-ndjson' \\`,
    `  -H "Idempotency-Key: first-test-$(date +%s)" \\`,
    `  -w '\\nHTTP %{http_code}\\n' \\`,
    `  --data-binary "{\\"ts\\":$(date +%s),\\"mac\\":\\"${EXAMPLE_MAC}\\",\\"rssi\\":-67}"`,
  ].join('\n');
}

/** The OpenWrt agent's settings (sensor/README.md, step 4). */
export function agentSettings(publicUrl: string, token: string): string {
  return [
    `uci set passby-sensor.main.url=${quote(publicUrl)}`,
    `uci set passby-sensor.main.token=${quote(token)}`,
    'uci commit passby-sensor',
    '/etc/init.d/passby-sensor restart',
  ].join('\n');
}
