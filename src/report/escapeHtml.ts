/**
 * Escape text for HTML element content and double- or single-quoted attribute values. Every
 * string that reaches report.html from data (task names, codes, descriptions, serialized
 * records, notes) goes through this: EHR text can contain `<`, `&` and quotes.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
