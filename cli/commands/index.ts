// The subcommands of tj-pg-upgrade: the only list of them. Each entry is the one-line summary `--help` prints and a
// loader; a subcommand's module (and what it imports: pg, the checks, the rehearsal) is loaded only when it runs,
// so `tj-pg-upgrade --help` loads none of them. Adding a subcommand: docs/layout.md, "Add a subcommand".
import type { Command } from '../command';

export interface CommandEntry {
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  precheck: {
    summary: 'report everything that stops an upgrade of a PostgreSQL 13 cluster to 16 (pg_upgrade --check + RDS)',
    load: async () => (await import('./precheck')).command,
  },
  validate: {
    summary: 'prove the target (16.9) holds what the source holds: TLS, version, schema, rows, checksums, sequences',
    load: async () => (await import('./validate')).command,
  },
  rehearse: {
    summary:
      'the whole runbook on this machine: 13.21 -> 16.9 copy, precheck, validate, ToolJet connection, configs, results, rollback drill',
    load: async () => (await import('./rehearse')).command,
  },
  postcheck: {
    summary:
      'check an upgraded instance on its own (no source left, e.g. after a blue/green switchover): TLS, version, sequences vs columns',
    load: async () => (await import('./postcheck')).command,
  },
  replicate: {
    summary:
      'strategy replication: setup, status, catch-up, finish, reverse, teardown of logical replication 13 <-> 16.9',
    load: async () => (await import('./replicate')).command,
  },
  'rollback-report': {
    summary: 'before rolling back to the source: count the rows written on the clone that stay there (read-only)',
    load: async () => (await import('./rollback-report')).command,
  },
};
