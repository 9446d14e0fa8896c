// Durations. The stack configuration takes Go-style durations ("4h", "90m", "1h30m": the h/m/s subset Pulumi's
// customTimeouts accept) and config/ resolves them to whole seconds once; components turn seconds back into the text
// a customTimeouts field wants (formatDuration), and commands get seconds as they are.
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in `text`, or undefined when it is not a positive duration like "4h", "90m" or "1h30m". */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text.length === 0) return undefined;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

/** Whole seconds as a Pulumi customTimeouts duration: 14400 -> "4h", 5400 -> "1h30m", 90 -> "1m30s". */
export function formatDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new Error(`formatDuration: ${seconds} is not a positive whole number of seconds`);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
