// ESLint for the PWA's plain ES modules (no bundler): the recommended rules, and the globals
// each file really has: the page's for the modules, the service worker's for sw.js and the
// modules it imports (outbox.js, db.js, clock.js, http.js).
import js from '@eslint/js';
import globals from 'globals';

const WORKER_MODULES = [
  'pwa/static/sw.js',
  'pwa/static/js/outbox.js',
  'pwa/static/js/db.js',
  'pwa/static/js/clock.js',
  'pwa/static/js/http.js',
];

// Window properties that read like ordinary names: a forgotten import must not resolve to one.
const CONFUSING_GLOBALS = 'close closed event find history length name open origin parent print status stop top when';

export default [
  { ignores: ['.venv/', 'instance/', 'pwa/static/vendor/'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-shadow': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-restricted-globals': ['error', ...CONFUSING_GLOBALS.split(' ')],
    },
  },
  { files: ['pwa/static/js/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: WORKER_MODULES, languageOptions: { globals: { ...globals.browser, ...globals.serviceworker } } },
  { files: ['eslint.config.js'], languageOptions: { globals: globals.node } },
];
