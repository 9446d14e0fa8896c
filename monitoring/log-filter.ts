// Connection failures in the PostgreSQL log: which server messages count, the CloudWatch Logs filter pattern that
// matches them, and a matcher with the same semantics so the pattern can be checked against real server logs.
//
// The terms are PostgreSQL 16's own message texts (English, as RDS logs them), chosen so that every failed
// authentication or TLS handshake produces exactly ONE matching line and a successful connection none (the DETAIL
// line after a password failure names pg_hba.conf but not "no pg_hba.conf entry for"). tests/monitoring proves this
// against a real 16.9 server with TLS and RDS's log_line_prefix.

export interface FailurePattern {
  /** Substring of the server message (case-sensitive, as CloudWatch matches terms). */
  readonly term: string;
  /** What the operator should suspect. */
  readonly meaning: string;
}

export const CONNECTION_FAILURE_PATTERNS: readonly FailurePattern[] = [
  {
    term: 'authentication failed for user',
    meaning:
      'wrong password or unknown user (scram/md5 "password authentication failed"; PAM = RDS IAM authentication; certificate)',
  },
  {
    term: 'no pg_hba.conf entry for',
    meaning: 'connection not allowed by pg_hba; "no encryption" at the end: a client without TLS hit rds.force_ssl=1',
  },
  { term: 'pg_hba.conf rejects connection for', meaning: 'an explicit reject rule in pg_hba' },
  {
    term: 'could not accept SSL connection',
    meaning:
      'TLS handshake failed: the client does not trust the server certificate ("tlsv1 alert unknown ca" from libpq, "EOF detected" from Node) or no common protocol/cipher',
  },
];

/** CloudWatch Logs filter pattern: any of the terms (`?"a" ?"b"`). */
export function renderFilterPattern(patterns: readonly FailurePattern[] = CONNECTION_FAILURE_PATTERNS): string {
  if (patterns.length === 0) throw new Error('renderFilterPattern: no terms');
  return patterns
    .map(({ term }) => {
      if (!term || /["\\\n]/.test(term))
        throw new Error(`renderFilterPattern: term ${JSON.stringify(term)} cannot be quoted`);
      return `?"${term}"`;
    })
    .join(' ');
}

interface Term {
  text: string;
  kind: 'and' | 'or' | 'not';
}

/** Parses the unstructured-log subset of the CloudWatch filter syntax: terms, "quoted terms", ?term (OR), -term (NOT). */
export function parseFilterPattern(pattern: string): Term[] {
  const terms: Term[] = [];
  const re = /\s*([?-]?)(?:"([^"]*)"|([^\s"]+))/y;
  let pos = 0;
  while (pos < pattern.length) {
    if (/^\s*$/.test(pattern.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(pattern);
    if (!m) throw new Error(`unsupported filter pattern near: ${pattern.slice(pos)}`);
    terms.push({ text: m[2] ?? m[3], kind: m[1] === '?' ? 'or' : m[1] === '-' ? 'not' : 'and' });
    pos = re.lastIndex;
  }
  return terms;
}

/**
 * Whether a log event matches, as CloudWatch Logs evaluates an unstructured pattern: every plain term present, no
 * `-` term present, and (when there are `?` terms) at least one `?` term present. Terms are case-sensitive.
 */
export function matchesFilterPattern(pattern: string, event: string): boolean {
  const terms = parseFilterPattern(pattern);
  const has = (t: Term): boolean => event.includes(t.text);
  if (terms.filter((t) => t.kind === 'and').some((t) => !has(t))) return false;
  if (terms.filter((t) => t.kind === 'not').some(has)) return false;
  const ors = terms.filter((t) => t.kind === 'or');
  return ors.length === 0 || ors.some(has);
}

/** The log group RDS exports an instance's PostgreSQL log to. */
export function postgresLogGroupName(instanceIdentifier: string): string {
  return `/aws/rds/instance/${instanceIdentifier}/postgresql`;
}

/** Where the metric filter of one instance publishes (one namespace per instance: text filters carry no dimensions). */
export function connectionFailureMetric(instanceIdentifier: string): { namespace: string; metricName: string } {
  return { namespace: `ToolJet/PostgreSQL/${instanceIdentifier}`, metricName: 'ConnectionFailures' };
}

/** The same terms as a CloudWatch Logs Insights regular expression (for the dashboard's log widget). */
export function insightsRegex(patterns: readonly FailurePattern[] = CONNECTION_FAILURE_PATTERNS): string {
  return patterns.map((p) => p.term.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
}
