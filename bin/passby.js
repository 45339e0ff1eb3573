#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader, so `npx passby`
// works straight after `npm ci` with no build step to forget or go stale.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
await runCli(process.argv);
