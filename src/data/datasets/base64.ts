/**
 * A small base64 decoder that works the same in Node and in the browser (no Buffer, no atob), used to
 * unpack the generated dataset modules in ./embedded. ASCII whitespace in the input is skipped, so the
 * generated strings can be wrapped across lines.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Character code → 6-bit value; -1 for whitespace (skipped), -2 for '=' (padding), -3 for anything else. */
const TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-3);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  for (const ws of [9, 10, 13, 32]) table[ws] = -1;
  table[61] = -2;
  return table;
})();

/**
 * Decode `text` into a new Uint8Array of exactly `expectedBytes` bytes (its own buffer, byteOffset 0).
 * Throws if the text holds a character outside the base64 alphabet, or decodes to a different length.
 */
export function decodeBase64(text: string, expectedBytes: number, what = "base64 data"): Uint8Array {
  const out = new Uint8Array(expectedBytes);
  let acc = 0;
  let bits = 0;
  let n = 0;
  let padded = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? TABLE[code]! : -3;
    if (v >= 0) {
      if (padded) throw new Error(`${what}: base64 character after padding at offset ${i}`);
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        if (n >= expectedBytes) throw new Error(`${what}: decodes to more than ${expectedBytes} bytes`);
        out[n++] = (acc >> bits) & 0xff;
      }
    } else if (v === -2) {
      padded = true;
    } else if (v === -3) {
      throw new Error(`${what}: invalid base64 character ${JSON.stringify(text[i])} at offset ${i}`);
    }
  }
  if (n !== expectedBytes) throw new Error(`${what}: decodes to ${n} bytes, expected ${expectedBytes}`);
  return out;
}
