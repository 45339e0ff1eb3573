import { setTimeout as sleep } from 'node:timers/promises';
import { execCommand, type OpenndsLab } from './opennds-lab.js';

/** Processes in the gateway's network namespace (openNDS, its init, authmon, scripts). */
async function gatewayPids(lab: OpenndsLab): Promise<string[]> {
  const { stdout } = await execCommand(['ip', 'netns', 'pids', lab.namespaces.gateway]);
  return stdout.split('\n').filter((pid) => pid.trim() !== '');
}

/**
 * Restarts the lab's openNDS as a reboot of the router would: the old process stops and a new one starts in the
 * same network namespace with fresh state (files and firewall), so its list of authenticated clients is gone.
 * openNDS cannot be restarted inside its own pid and mount namespaces: its exit ends their init and they go
 * with it; the network namespace outlives them, so the new openNDS gets new ones in it (launchGateway).
 */
export async function restartOpennds(lab: OpenndsLab): Promise<void> {
  await lab.stopGateway();
  // Nothing of the old gateway may answer for the new one (a leftover authmon or ndsctl socket would).
  for (let i = 0; (await gatewayPids(lab)).length > 0; i++) {
    if (i >= 100) throw new Error(`the old openNDS left processes in ${lab.namespaces.gateway}: ${(await gatewayPids(lab)).join(' ')}`);
    await sleep(100);
  }
  // openNDS hands its firewall clean-up to a script that dies with its pid namespace: its chains outlive it, and the
  // new openNDS exits on "Chain already exists". A rebooted router starts with an empty firewall: so does the lab's.
  for (const table of ['filter', 'nat', 'mangle']) {
    for (const op of ['-F', '-X']) {
      const result = await execCommand(['ip', 'netns', 'exec', lab.namespaces.gateway, 'iptables-legacy', '-t', table, op]);
      if (result.code !== 0) throw new Error(`iptables-legacy -t ${table} ${op} failed: ${result.stderr}`);
    }
  }
  await lab.launchGateway();
}
