// Errors of invokes and commands as one line, for RunError messages (the engine's own messages span several lines:
// "1 error occurred:\n\t* ...").

export function oneLine(err: unknown, max = 400): string {
  const text = String((err as Error)?.message ?? err)
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}...` : text || 'no details';
}
