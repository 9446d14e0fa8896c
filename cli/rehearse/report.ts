// The rehearsal's result model: what results.json holds and results.md and the terminal summary are rendered from.
// It never holds a secret: connection strings appear only in their password-free display form.
import { CheckResult } from '../../checks/report';
import { FixtureCounts } from '../../lib/fixture';
import { RollbackComparison } from './rollback';

export type PhaseName =
  | 'source'
  | 'precheck'
  | 'clone'
  | 'cutover'
  | 'validate'
  | 'configs'
  | 'tooljet'
  | 'rollback'
  | 'results';
export type PhaseStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export const PHASES: { name: PhaseName; title: string }[] = [
  { name: 'source', title: 'PostgreSQL 13 source' },
  { name: 'precheck', title: 'pre-upgrade check' },
  { name: 'clone', title: 'point-in-time copy onto PostgreSQL 16.9 (TLS)' },
  { name: 'cutover', title: 'cutover: writes stopped -> caught up' },
  { name: 'validate', title: 'validation (with ANALYZE)' },
  { name: 'configs', title: 'ToolJet configuration for Docker, ECS, EKS, AMI' },
  { name: 'tooljet', title: 'connect as ToolJet from the Docker .env' },
  { name: 'rollback', title: 'rollback drill (activeDatabase: source)' },
  { name: 'results', title: 'results.md and results.json' },
];

export interface PhaseReport {
  name: PhaseName;
  title: string;
  status: PhaseStatus;
  seconds: number;
  /** One line: what happened (or why it was skipped / failed). */
  summary: string;
  checks: CheckResult[];
}

export interface TableCount {
  database: string;
  table: string;
  sourceRows?: number;
  cloneRows?: number;
  /** Content checksums equal. */
  identical?: boolean;
  /** Why the table was not compared. */
  note?: string;
}

export interface CutoverReport {
  measured: boolean;
  /** Why not measured (dump/restore of a --source). */
  reason?: string;
  /** Simulated ToolJet writes on the source while the clone replicated. */
  writes?: {
    transactions: Record<string, number>;
    statements: { inserts: number; updates: number; deletes: number };
    seconds: number;
  };
  caughtUpSeconds?: number;
  detachSeconds?: number;
  sequencesSeconds?: number;
  validateSeconds?: number;
  /** strategy replication: `replicate catch-up` and `replicate finish` (sequences + materialized views). */
  finishSeconds?: number;
  /** Writes stopped -> caught up -> detached -> sequences -> validated: what ToolJet users would wait. */
  downtimeSeconds?: number;
  sequences?: string[];
}

export interface RehearsalReport {
  command: 'rehearse';
  ok: boolean;
  /** 0 everything passed, 1 a check failed / a blocker / a phase failed, 2 usage or connection error, 130/143 interrupted. */
  exitCode: number;
  recommendation: 'Proceed' | 'Needs fixes';
  interrupted?: string;
  startedAt: string;
  seconds: number;
  environment: { node: string; pgDump: string; psql: string; postgresRunsAs: string; platform: string };
  source: {
    kind: 'fixture' | 'url';
    display: string;
    version?: string;
    endpoint: string;
    /** Databases copied, main first. */
    databases: string[];
    /** The ToolJet Database on the source, if there is one. */
    tooljetDatabase?: string;
    fixture?: {
      sizeMb: number;
      counts: FixtureCounts;
      rows: Record<string, Record<string, number>>;
      seedSeconds: number;
    };
  };
  clone: { version?: string; endpoint?: string; display?: string; tls: string };
  method: { name: 'logical replication' | 'dump/restore'; why: string };
  copy?: { seconds: number; databases: { name: string; tables?: number; bytes?: number; seconds?: number }[] };
  cutover: CutoverReport;
  tables: TableCount[];
  phases: PhaseReport[];
  /** Precheck blockers, one line each (check: objects). */
  blockers: string[];
  warnings: string[];
  /** Failed checks and failed phases other than blockers. */
  failures: string[];
  files: { path: string; target: string; mode: string; secret: boolean; description: string }[];
  rollback?: RollbackComparison & { from: string; to: string };
  /** The strategy rehearsed: clone (default) or replication (tj-pg-upgrade replicate, with reverse replication). */
  strategy?: 'clone' | 'replication';
  /** strategy replication: reverse replication after the cutover and the rollback it makes lossless. */
  reverse?: {
    reverseSeconds: number;
    writes: { transactions: Record<string, number>; seconds: number };
    catchUpSeconds: number;
    finishSeconds: number;
    rowsOnlyOnClone: number;
    teardown: string[];
  };
  outDir: string;
  kept?: {
    workDir: string;
    servers: { role: string; version: string; endpoint: string; pid: number; dataDir: string }[];
  };
}

/** Status of a phase from its checks: any fail -> fail, any warn -> warn, else pass. */
export function statusOf(checks: CheckResult[]): PhaseStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}
