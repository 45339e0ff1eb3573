import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/probes/', import.meta.url));
export const FRYZA_PCAP = `${FIXTURES}fryza-sc6-61/position_1_2024-03-14-first300.pcap`;
export const FRYZA_PCAPNG = `${FIXTURES}fryza-sc6-61/position_1_2024-03-14-first300.pcapng`;
export const FRYZA_CSV = `${FIXTURES}fryza-sc6-61/position_1_2024-03-14-first300.csv`;
export const TAN_CHAN_CSV = `${FIXTURES}tan-chan-association/sample_input-first60.csv`;

/** The full shared captures (outside the repository, next to the checkout). */
export const SHARED_FRYZA = fileURLToPath(new URL('../../../../../shared/data/probes/fryza-sc6-61/', import.meta.url));
export const sharedFryzaPcaps = existsSync(SHARED_FRYZA) ? readdirSync(SHARED_FRYZA).filter((name) => name.endsWith('.pcap')).sort() : [];
export const sharedMissing = sharedFryzaPcaps.length > 0 ? undefined : `no shared captures in ${SHARED_FRYZA} (the full-file checks need ../shared/data/probes/fryza-sc6-61/*.pcap)`;
