/**
 * Escaping for text and attribute values in the HTML/SVG report (HTML Living Standard §13.1:
 * `&`, `<`, `>`, `"`, `'`). Every attacker-written string — actors, resources, raw audit records,
 * rule reasoning quoting them, tensor names, analyst comments — passes through here.
 */
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  // Controls other than tab/newline render as nothing useful and can confuse viewers: show them.
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
