import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Render a Vega-Lite spec to an SVG string with Vega's headless view (no DOM, no canvas, no
 * network: data must be inline). Ids inside the SVG (clip paths, gradients) are prefixed with
 * `idPrefix`, because several charts inlined in one HTML page share one id namespace and Vega
 * numbers them from 1 in every view.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return prefixSvgIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/** Prefix every `id="…"` and its references (`url(#…)`, `href="#…"`). */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}
