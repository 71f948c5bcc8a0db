/**
 * A JSON syntax error described without the input. V8's `JSON.parse` messages quote the text
 * around the error (`Unexpected token 'J', "{"given":[Janet]}" is not valid JSON`), which would
 * copy patient content into rejects files, summaries, logs and HTTP answers. This keeps only the
 * kind of error (from a fixed list) and the character position where parsing stopped.
 */

const KINDS: readonly (readonly [RegExp, string])[] = [
  [/^Unexpected end of JSON input/, 'unexpected end of input: truncated'],
  [/^Unterminated string/, 'unterminated string'],
  [/^Bad control character/, 'control character inside a string'],
  [/^Bad escaped character/, 'bad escape sequence in a string'],
  [/^Bad Unicode escape/, 'bad escape sequence in a string'],
  [/^Expected property name|^Expected double-quoted property name/, 'expected a property name'],
  [/^Expected ':' after property name/, "expected ':' after a property name"],
  [/^Expected ',' or '}'/, "expected ',' or '}'"],
  [/^Expected ',' or ']'/, "expected ',' or ']'"],
  [/^Unexpected non-whitespace character after JSON/, 'extra text after the JSON value'],
  [/^Unexpected token/, 'unexpected character'],
  [/^Unexpected number/, 'unexpected number'],
  [/^Unexpected string/, 'unexpected string'],
  [/^Maximum call stack/, 'nested too deeply'],
];

/**
 * `invalid JSON (<kind> at character <n>)` for an error thrown by `JSON.parse`; never any of the
 * parsed text.
 */
export function jsonErrorReason(err: unknown, text?: string): string {
  const message = err instanceof Error ? err.message : '';
  const kind = KINDS.find(([re]) => re.test(message))?.[1] ?? 'syntax error';
  const pos = /\bposition (\d+)/.exec(message)?.[1] ?? (text !== undefined ? errorPosition(text) : undefined);
  return `invalid JSON (${kind}${pos !== undefined ? ` at character ${pos}` : ''})`;
}

/**
 * Where `JSON.parse` stops in `text`, for the messages that quote the text instead of giving a
 * position (`Unexpected token`). A prefix that ends before the bad character fails only at its
 * end, one that includes it fails inside, so the first such prefix is found by bisection. Only for texts up to 1 MiB (about 20 parses); undefined otherwise.
 */
function errorPosition(text: string): string | undefined {
  if (text.length > 1 << 20) return undefined;
  const failsInside = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const m = e instanceof Error ? e.message : '';
      if (/^Unexpected end of JSON input/.test(m)) return false;
      // A prefix cut inside a value fails at its very end (position k); the bad character fails before.
      const p = /\bposition (\d+)/.exec(m)?.[1];
      return p === undefined || Number(p) < k;
    }
  };
  if (!failsInside(text.length)) return undefined;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return String(lo - 1);
}
