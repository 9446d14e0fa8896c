// Sequence values, source against target (logical replication does not copy sequences). --fix-sequences sets the
// lagging target sequences to the source values (a write on the target); one AHEAD of the source is left alone and
// fails.
import type { CompareCheck } from '../check';
import { dataDifference } from '../check';
import { compareSequences, describeSequence, fixSequence, readSequences } from '../read/sequences';
import { check } from '../report';

export const sequenceValues: CompareCheck = {
  name: 'sequence values',
  reads: 'both',
  async run(ctx) {
    const { label } = ctx;
    const name = 'sequence values';
    ctx.progress(`${label}: sequences and migrations`);
    const [sseq, tseq] = [await readSequences(ctx.source.clients[0]), await readSequences(ctx.target.clients[0])];
    const diffs = compareSequences(sseq, tseq);
    if (!diffs.length) return [check(name, 'pass', `${sseq.size} sequences at the same value`, [], label)];
    if (ctx.options.fixSequences) {
      const fixed: string[] = [];
      for (const d of diffs.filter((x) => x.direction !== 'ahead')) {
        const w = await fixSequence(ctx.admin, d);
        fixed.push(`${d.key}: ${w}`);
        ctx.writes.push(`${label}: ${w}`);
      }
      const ahead = diffs.filter((x) => x.direction === 'ahead');
      return [
        check(
          name,
          ahead.length ? 'fail' : 'warn',
          `--fix-sequences set ${fixed.length} target sequence(s) to the source values${ahead.length ? `; ${ahead.length} target sequence(s) are AHEAD of the source and were left alone` : ''}`,
          [...fixed.map((f) => `fixed: ${f}`), ...ahead.map(describeSequence)],
          label,
        ),
      ];
    }
    if (ctx.options.liveSource) {
      return [
        check(
          name,
          'warn',
          `${diffs.length} of ${sseq.size} sequences differ${dataDifference(ctx.options).since}`,
          diffs.map(describeSequence),
          label,
        ),
      ];
    }
    return [
      check(
        name,
        'fail',
        `${diffs.length} of ${sseq.size} sequences differ (logical replication does not copy sequences): rerun with --fix-sequences to set lagging target sequences to the source values`,
        diffs.map(describeSequence),
        label,
      ),
    ];
  },
};
