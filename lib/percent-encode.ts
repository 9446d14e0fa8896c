// RFC 3986 percent-encoding, for the connection URIs the targets render and the commands and the rehearsal build.

/** Percent-encodes every byte outside the unreserved set (`A-Z a-z 0-9 - . _ ~`), `keep` excepted. */
export function percentEncode(value: string, keep = ''): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(ch) || (byte < 0x80 && keep.includes(ch))) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
