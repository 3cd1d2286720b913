// English and Simplified Chinese, picked from navigator.languages unless the rep chose one.
import { meta } from './db.js';
import { business } from './clock.js';

export const LANGS = { en: 'English', 'zh-Hans': '简体中文' };
let strings = {};
let fallback = {};
export let lang = 'en';

export function detect(list = navigator.languages || [navigator.language || 'en']) {
  for (const tag of list) {
    const code = String(tag).toLowerCase();
    if (code.startsWith('zh')) {
      // zh-Hant, zh-TW, zh-HK, zh-MO would want Traditional: we only have Simplified.
      return 'zh-Hans';
    }
    if (code.startsWith('en')) return 'en';
  }
  return 'en';
}

async function load(code) {
  const res = await fetch(`/app/i18n/${code}.json`);
  return res.json();
}

export async function init() {
  const chosen = await meta.get('lang');
  lang = LANGS[chosen] ? chosen : detect();
  fallback = await load('en');
  strings = lang === 'en' ? fallback : await load(lang);
  document.documentElement.lang = lang;
  return lang;
}

export async function setLang(code) {
  await meta.set('lang', code);
  return init();
}

// Whether a key has a text (in the chosen language or English).
export const known = (key) => key in strings || key in fallback;

export function t(key, vars) {
  let s = strings[key] ?? fallback[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
  return s;
}

// A count in words, with {n}: `KEY.none` for 0 where there is one, else the language's plural
// form (`KEY.one`, `KEY.other`; Chinese has only `other`).
export function plural(key, n, vars = {}) {
  const form = n === 0 && known(`${key}.none`) ? 'none' : new Intl.PluralRules(lang).select(n);
  return t(known(`${key}.${form}`) ? `${key}.${form}` : `${key}.other`, { ...vars, n });
}

// Times and dates as the business keeps them (its time zone), whatever the phone's zone.
export function fmtTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', timeZone: business.timezone });
}

export function fmtDateTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: business.timezone,
  });
}

// A business day "YYYY-MM-DD" with its weekday, e.g. "Wed, Dec 2".
export function fmtDay(day) {
  if (!day) return '';
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(lang, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

// An amount (number or decimal string) in the business currency.
export function fmtMoney(value) {
  if (value == null || value === '') return '—';
  return new Intl.NumberFormat(lang, { style: 'currency', currency: business.currency }).format(Number(value));
}

// One rule for durations everywhere: whole minutes, seconds under a minute.
export function fmtMinutes(minutes) {
  if (minutes == null) return '—';
  if (minutes < 1) return t('unit.seconds', { n: Math.round(minutes * 60) });
  return t('unit.minutes', { n: Math.round(minutes) });
}

// An integrity flag in the screen's language, from its kind and the server's figures.
export function flagText(flag) {
  const d = flag.detail || {};
  const key = `flagmsg.${flag.kind}${flag.kind === 'clock_skew' ? (d.skew_minutes > 0 ? '.ahead' : '.behind') : ''}`;
  if (!known(key)) return flag.message;
  const vars = { ...d, photo_id: flag.photo_id };
  for (const [k, v] of Object.entries(vars)) if (typeof v === 'number') vars[k] = Math.abs(Math.round(v * 10) / 10);
  return t(key, vars);
}

export function pct(x) {
  return x == null || Number.isNaN(x) ? '—' : `${Math.round(x * 1000) / 10}%`;
}
