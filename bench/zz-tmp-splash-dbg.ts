import { startOpenndsLab, INTERNET_IP } from '/work/main/test/e2e/support/opennds-lab.ts';
import { runWrk } from '/work/main/bench/opennds-splash.ts';
for (const debugLevel of [2, 1, 0] as const) {
  const lab = await startOpenndsLab({ fasLevel: 0, debugLevel });
  try {
    const url = (await lab.curl([`http://${INTERNET_IP}/`])).headers.location ?? '';
    for (const c of [1, 16]) {
      const r = await runWrk(url, { durationSeconds: 5, connections: c, threads: 1, ns: lab.namespaces.client, marker: 'Accept the Terms of Service' });
      console.log(debugLevel, c, r.requestsPerSecond, r.p50Ms, r.p99Ms, r.requests, JSON.stringify(r.statuses));
    }
  } finally { await lab.stop(); }
}
