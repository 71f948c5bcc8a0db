/**
 * True when a bind address only accepts connections from this machine: `localhost`, IPv4
 * 127.0.0.0/8 and IPv6 `::1` (also IPv4-mapped). Anything else (`0.0.0.0`, `::`, a LAN address)
 * is reachable from other machines and needs an API key.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127(\.\d{1,3}){3}$/.test(v4);
}
