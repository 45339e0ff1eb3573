/**
 * Browser-side accessibility checks, as source text: the project compiles
 * without the DOM library, and tsx would wrap named helpers in a __name() the
 * page lacks.
 */
export interface A11yReport {
  /** Form fields without an accessible name. */
  unlabelledFields: string[];
  /** svg/img without a title, alt or label. */
  unnamedImages: string[];
  /** Visible text below WCAG 2 AA contrast: 4.5:1, or 3:1 for large text (24px, or 18.66px bold). */
  lowContrast: string[];
}

export const A11Y_CHECKS = `(() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const fields = [...document.querySelectorAll('input, select, textarea')].filter((el) => {
    if (el instanceof HTMLInputElement && el.type === 'hidden') return false;
    const byFor = el.id !== '' && document.querySelector('label[for="' + CSS.escape(el.id) + '"]') !== null;
    return !byFor && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && el.closest('label') === null;
  });
  const images = [...document.querySelectorAll('svg, img')].filter((el) => {
    if (el.getAttribute('aria-hidden') === 'true' || (el.parentElement && el.parentElement.closest('svg'))) return false;
    if (el instanceof HTMLImageElement) return el.getAttribute('alt') === null && !el.getAttribute('aria-label');
    const title = el.querySelector(':scope > title');
    return !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(title && title.textContent.trim());
  });

  const parse = (value) => {
    const m = /^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/.exec(value);
    return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const lin = (v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  // The background behind an element: its own and its ancestors' colours, composited over a white canvas.
  // Undefined when an image or gradient is in the way (cannot be judged from styles alone).
  const backgroundOf = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') return undefined;
      const colour = parse(style.backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const lowContrast = [];
  const texty = [...document.body.querySelectorAll('*')].filter((el) => {
    if (el.closest('svg') || el.closest('[aria-hidden="true"]') || el.matches(':disabled') || !shown(el)) return false;
    if (el.matches('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=color]), select, textarea')) return true;
    return [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
  });
  for (const el of texty) {
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    const bg = backgroundOf(el);
    if (!fg || !bg) continue;
    const ratioOf = (a, b) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
    const ratio = ratioOf(over(fg, bg), bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const text = (el.value || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      lowContrast.push(el.tagName.toLowerCase() + ' "' + text + '" ' + ratio.toFixed(2) + ':1 (' + style.color + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(', ') + '))');
    }
  }
  return {
    unlabelledFields: fields.map((el) => el.outerHTML.slice(0, 120)),
    unnamedImages: images.map((el) => el.outerHTML.slice(0, 120)),
    lowContrast,
  };
})()`;

/** Marks the main form's submit button for the keyboard check; true when there is one. */
export const MARK_SUBMIT = `(() => {
  const button = document.querySelector('main form button[type="submit"], main form button:not([type]), main form input[type="submit"]');
  if (button) button.setAttribute('data-e2e-submit', '');
  return button !== null;
})()`;
