// i18n.js: the player's words and number formats.
// Why: every text the player shows comes from the server's PlayerStrings (Swedish first),
// embedded in the page as JSON, so translations live in one reviewed place (src/i18n/) and a
// missing one fails the Rust build. This module fills in `{placeholders}` and writes numbers
// and positions the way the reader's language does (65,58° N in Swedish, 65.58° N in English).

let strings = {};
let locale = 'sv-SE';
let lang = 'sv';

export function initStrings(table, language) {
  strings = table || {};
  lang = language === 'en' ? 'en' : 'sv';
  locale = strings.locale || (lang === 'en' ? 'en-GB' : 'sv-SE');
}

export function currentLang() {
  return lang;
}

/** The string `key` with `{name}` placeholders replaced from `vars`. */
export function t(key, vars = {}) {
  const template = strings[key];
  if (typeof template !== 'string') {
    // A missing key is a bug in PlayerStrings; show the key rather than nothing.
    console.warn(`kartskola: no player string "${key}"`);
    return key;
  }
  return fill(template, vars);
}

/** `template` with its `{name}` placeholders replaced from `vars` (unknown ones left as they are). */
export function fill(template, vars = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

export function formatNumber(value, maxDigits = 2, minDigits = 0) {
  return new Intl.NumberFormat(locale, {
    maximumFractionDigits: maxDigits,
    minimumFractionDigits: minDigits,
  }).format(value);
}

/** A number for an input field: the reader's decimal sign, no thousands separators. */
export function formatInput(value, maxDigits = 6) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: maxDigits, useGrouping: false }).format(value);
}

export function formatPercent(ratio) {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

/** "65,5843° N, 22,1547° Ö": latitude first, as people say it. */
export function formatLonLat([lon, lat]) {
  return t('pos_lonlat', { lat: formatNumber(lat, 4, 4), lon: formatNumber(lon, 4, 4) });
}

/** "N 7 288 123, E 830 456": SWEREF 99 TM metres, northing first, as Lantmäteriet writes it. */
export function formatNE([e, n]) {
  return t('pos_sweref', { n: formatNumber(Math.round(n), 0), e: formatNumber(Math.round(e), 0) });
}

export function formatLength(metres) {
  if (Math.abs(metres) >= 1000) return `${formatNumber(metres / 1000, 2)} ${t('unit_km')}`;
  return `${formatNumber(metres, 0)} ${t('unit_m')}`;
}

export function formatArea(squareMetres) {
  if (Math.abs(squareMetres) >= 1e6) return `${formatNumber(squareMetres / 1e6, 2)} ${t('unit_km2')}`;
  if (Math.abs(squareMetres) >= 1e4) return `${formatNumber(squareMetres / 1e4, 2)} ${t('unit_ha')}`;
  return `${formatNumber(squareMetres, 0)} ${t('unit_m2')}`;
}

/**
 * A number typed by a person, or null. Accepts "65,58" and "65.58", spaces as thousands
 * separators and the typographic minus. A lone comma is a decimal sign in Swedish; in English
 * "1,950" is read as a thousands separator, but "65,58" still as a decimal.
 */
export function parseNumber(raw, language = lang) {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  let s = String(raw ?? '')
    .trim()
    .replace(/[\s\u00a0\u202f']/g, '')
    .replace(/\u2212/g, '-');
  if (s === '') return null;
  const comma = s.lastIndexOf(',');
  const dot = s.lastIndexOf('.');
  if (comma >= 0 && dot >= 0) {
    // Both: the later one is the decimal sign, the other groups thousands.
    s = comma > dot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (comma >= 0) {
    const thousands = /^[-+]?\d{1,3}(,\d{3})+$/.test(s);
    s = language === 'en' && thousands ? s.replace(/,/g, '') : s.replace(',', '.');
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
