// keyboard.js: answering on the map without a mouse.
// Why: every map exercise must be possible with the keyboard alone (WCAG 2.1.1). When the map
// has focus a crosshair marks its centre; the arrow keys move the map under it (Shift for
// bigger steps), + and − zoom, Enter acts where the crosshair points (the same `actAt` a click
// uses), Backspace takes back the last corner or point, and Home shows the whole exercise again.
// OpenLayers' own keyboard handlers are off (map.js) so keys do one thing only.

import { t } from './i18n.js';
import { announce } from './announce.js';

const STEP_PX = 10;
const BIG_STEP_PX = 100;

export function initKeyboard({ mapEl, mapApi, sketch, helpers, isEditable, crosshairStatus }) {
  const { view } = mapApi;

  const updateStatus = () => {
    if (crosshairStatus && helpers.crosshairText) crosshairStatus.textContent = t('crosshair_at', { pos: helpers.crosshairText() });
  };
  view.on('change:center', updateStatus);
  updateStatus();

  // The crosshair shows while the keyboard is in use, not after every mouse click.
  mapEl.addEventListener('pointerdown', () => mapEl.classList.remove('keyboard-active'));

  mapEl.addEventListener('keydown', (event) => {
    // Keys on the zoom buttons inside the map belong to those buttons.
    if (event.target !== mapEl || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = (event.shiftKey ? BIG_STEP_PX : STEP_PX) * view.getResolution();
    const pan = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[event.key];
    let handled = true;
    if (pan) {
      const [x, y] = view.getCenter();
      view.setCenter([x + pan[0], y + pan[1]]);
    } else if (event.key === '+' || event.key === '=') {
      zoomBy(view, 1);
    } else if (event.key === '-' || event.key === '_') {
      zoomBy(view, -1);
    } else if (event.key === 'Home') {
      mapApi.fit();
      announce(t('a_view_reset'));
    } else if (event.key === 'Enter') {
      mapApi.map.renderSync();
      if (helpers.measuring()) helpers.addAt(mapApi.centerPixel());
      else if (isEditable()) sketch.actAt(mapApi.centerPixel());
    } else if (event.key === 'Backspace' || event.key === 'Delete') {
      if (helpers.measuring()) helpers.removeLast();
      else sketch.removeLast();
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
      mapEl.classList.add('keyboard-active');
    }
  });
}

function zoomBy(view, delta) {
  const zoom = view.getZoom();
  view.setZoom(view.getConstrainedZoom(zoom + delta));
  announce(t(delta > 0 ? 'a_zoomed_in' : 'a_zoomed_out'));
}
