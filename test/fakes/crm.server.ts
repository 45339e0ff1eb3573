import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, verifySignature } from '../../src/shared/webhook-signature.js';

/**
 * A customer's CRM as Passby's loyalty hook sees it: signed JSON POSTs to
 * /members/lookup and /members. Unsigned or badly signed calls get 401, as a
 * careful CRM developer following our README would answer.
 */
export interface FakeCrm {
  url: string;
  secret: string;
  members: Set<string>;
  /** Profiles the CRM already holds for non-members (pre-fill). */
  known: Map<string, Record<string, string>>;
  calls: { path: string; body: Record<string, unknown>; signed: boolean }[];
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeCrm(secret = 'crm-shared-secret-0123456789'): Promise<FakeCrm> {
  const state = { secret, members: new Set<string>(), known: new Map<string, Record<string, string>>(), calls: [] as FakeCrm['calls'] };
  const server = createServer((req, res) => {
    void read(req).then((raw) => {
      const signed = verifySignature(secret, raw, req.headers[SIGNATURE_HEADER] as string | undefined, new Date());
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      state.calls.push({ path: req.url ?? '', body, signed });
      res.setHeader('content-type', 'application/json');
      if (!signed) {
        res.writeHead(401).end('{"error":"bad signature"}');
        return;
      }
      const phone = String(body.phone);
      if (req.url === '/members/lookup') {
        res.end(JSON.stringify({ member: state.members.has(phone), profile: state.known.get(phone) ?? {} }));
      } else if (req.url === '/members') {
        state.members.add(phone);
        res.writeHead(201).end('{}');
      } else {
        res.writeHead(404).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, ...state, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
