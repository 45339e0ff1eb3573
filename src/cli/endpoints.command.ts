import type { Command } from 'commander';

// Placeholder: the webhooks part registers `passby endpoints ...` here.
export function registerEndpointsCommand(_program: Command): void {
  return;
}
