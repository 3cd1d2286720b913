// The router: one screen per #/route, drawn into <main>; the newest navigation wins. The
// shell (shell.js, wired by app.js) says where to start, where a visitor may not go, what to
// draw around every screen and what to do when a screen fails to load.
import { t } from './i18n.js';
import { h } from './ui.js';

const main = document.getElementById('main');
const routes = [];
const shell = { home: () => '#/login', redirect: () => null, frame: () => {}, failed: () => {} };

// `view(...groups)` answers the screen's node (or nothing, having drawn it itself).
export function route(pattern, view) {
  routes.push([pattern, view]);
}

export function configure(hooks) {
  Object.assign(shell, hooks);
}

export function setTitle(text) {
  document.getElementById('title').textContent = text;
  document.title = `${text} · Terminus`;
}

let rendering = 0;
export async function render() {
  const hash = location.hash || shell.home();
  const elsewhere = shell.redirect(hash);
  if (elsewhere) {
    location.hash = elsewhere;
    return;
  }
  shell.frame(hash);
  const n = (rendering += 1);
  for (const [pattern, view] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    try {
      const node = await view(...m.slice(1));
      if (n !== rendering) return; // a newer navigation won
      if (node) main.replaceChildren(node);
    } catch (err) {
      if (n !== rendering) return;
      main.replaceChildren(
        h('div', { class: 'card bad', role: 'alert' }, t('error.load'), ' ', String(err.message || err)),
      );
      await shell.failed(err);
    }
    main.focus({ preventScroll: true });
    return;
  }
  location.hash = shell.home();
}
