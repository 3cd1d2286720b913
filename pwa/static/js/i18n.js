// English and Simplified Chinese, picked from navigator.languages unless the rep chose one.
import { meta } from './db.js';

export const LANGS = { en: 'English', 'zh-Hans': '简体中文' };
let strings = {};
let fallback = {};
export let lang = 'en';

export function detect(list = navigator.languages || [navigator.language || 'en']) {
  for (const tag of list) {
    const t = String(tag).toLowerCase();
    if (t.startsWith('zh')) {
      // zh-Hant, zh-TW, zh-HK, zh-MO would want Traditional: we only have Simplified.
      return 'zh-Hans';
    }
    if (t.startsWith('en')) return 'en';
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

export function t(key, vars) {
  let s = strings[key] ?? fallback[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ''));
  return s;
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}

export function fmtDateTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function pct(x) {
  return x == null || Number.isNaN(x) ? '—' : `${Math.round(x * 1000) / 10}%`;
}
