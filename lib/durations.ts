// Pulumi customTimeouts take Go-style durations ("4h", "90m", "1h30m"). We accept the h/m/s subset.
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in `text`, or undefined when it is not a positive duration like "4h", "90m" or "1h30m". */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text.length === 0) return undefined;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return seconds > 0 ? seconds : undefined;
}
