import type { MacKind } from './models.js';
import type { Rng } from './prng.js';

function colon(hex: string): string {
  return (hex.match(/../g) ?? []).join(':');
}

/** A fresh random address: locally administered bit set, multicast bit clear (second hex digit 2, 6, a or e). */
export function randomMac(rng: Rng): string {
  const first = (rng.int(256) & 0xfc) | 0x02;
  return colon(first.toString(16).padStart(2, '0') + rng.hex(5));
}

/** A random address of the given kind (a global kind yields a burned-in address from one of its OUIs). */
export function macOfKind(rng: Rng, kind: MacKind): string {
  switch (kind.kind) {
    case 'random':
      return randomMac(rng);
    case 'random-prefix':
      return `${kind.prefix}:${colon(rng.hex(3))}`;
    case 'global':
      return `${rng.pick(kind.ouis)}:${colon(rng.hex(3))}`;
  }
}
