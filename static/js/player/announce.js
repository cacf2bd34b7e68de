// announce.js: one polite live region for everything the player does.
// Why: a learner who cannot see the map must still hear that the point landed, that corner 3
// was added or that the answer scored 82 % (WCAG 4.1.3, status messages). Messages that arrive
// together are joined, and the region is emptied first so a repeated message is read again.

let region = null;
let queue = [];
let timer = null;
let count = 0;

export function initAnnouncer(element) {
  region = element;
  region.setAttribute('aria-live', 'polite');
  region.setAttribute('aria-atomic', 'true');
}

export function announce(text) {
  if (!region || !text) return;
  queue.push(text);
  if (timer) return;
  region.textContent = '';
  region.dataset.pending = 'true';
  // A short pause between emptying and filling makes screen readers notice the change.
  timer = setTimeout(() => {
    region.textContent = queue.join(' ');
    // How many so far, and whether one is on its way: lets tests wait instead of sleeping.
    count += 1;
    region.dataset.count = String(count);
    delete region.dataset.pending;
    queue = [];
    timer = null;
  }, 60);
}
