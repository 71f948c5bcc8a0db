/**
 * Split a text into chunks of at most `maxTokens` tokens on line boundaries (a longer line is
 * split on spaces, and a longer word is cut). Used for encoders that read only a short window
 * (USE-lite: 128 tokens), as the study did for its 512-token encoders.
 * @param count token counter of the target model
 * @param maxTokens budget per chunk (USE-lite default 120, leaving room for special tokens)
 * @param maxChunks keep the first chunks only (default 16, as in the study); the start of a
 *   serialization holds demographics, recent values and the newest visits
 */
export function chunkText(text: string, count: (s: string) => number, maxTokens = 120, maxChunks = 16): string[] {
  const pieces: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (count(line) <= maxTokens) pieces.push(line);
    else pieces.push(...splitLong(line, count, maxTokens));
  }
  const chunks: string[] = [];
  let cur = '';
  for (const p of pieces) {
    const candidate = cur === '' ? p : `${cur}\n${p}`;
    if (cur !== '' && count(candidate) > maxTokens) {
      chunks.push(cur);
      if (chunks.length >= maxChunks) return chunks;
      cur = p;
    } else {
      cur = candidate;
    }
  }
  if (cur !== '' && chunks.length < maxChunks) chunks.push(cur);
  return chunks.length > 0 ? chunks : [text.slice(0, 200)];
}

function splitLong(line: string, count: (s: string) => number, maxTokens: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ')) {
    const candidate = cur === '' ? word : `${cur} ${word}`;
    if (count(candidate) <= maxTokens) {
      cur = candidate;
      continue;
    }
    if (cur !== '') out.push(cur);
    // A single word longer than the budget: cut it by characters.
    let w = word;
    while (count(w) > maxTokens && w.length > 1) {
      let cut = Math.max(1, Math.floor(w.length / 2));
      while (cut > 1 && count(w.slice(0, cut)) > maxTokens) cut = Math.floor(cut / 2);
      out.push(w.slice(0, cut));
      w = w.slice(cut);
    }
    cur = w;
  }
  if (cur !== '') out.push(cur);
  return out;
}
