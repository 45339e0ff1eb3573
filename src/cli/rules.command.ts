import type { Command } from 'commander';

// Placeholder: the rules part registers `passby rules ...` here.
export function registerRulesCommand(_program: Command): void {
  return;
}
