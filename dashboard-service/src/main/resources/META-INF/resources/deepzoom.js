// The slide view's deep zoom: OpenSeadragon over Deep Zoom tiles read from the slide itself (/api/slides/{id}/slide.dzi),
// with NIC's maps as aligned layers (the overlay the page chose, the tissue mask), a scale bar in micrometres, and a
// readout of the grid cell under the pointer with each head's value there (from the slide's QuPath export). When the
// slide cannot be read by the dashboard (not under its allowed roots or buckets), the thumbnail view stays.
'use strict';

const nicDeepZoom = (() => {
  const IMAGES = '/webjars/openseadragon/2.4.2/build/openseadragon/images/';
  let viewer = null;
  let info = null;
  let slide = null;
  let encoder = null;
  let cells = null;
  let overlay = null;
  let mask = null;
  let opacity = 0.65;
  let token = 0;
  const byId = (id) => document.getElementById(id);

  function close() {
    token++;
    if (viewer) viewer.destroy();
    viewer = null; info = null; slide = null; encoder = null; cells = null; overlay = null; mask = null;
    byId('deepzoom').hidden = true;
    byId('dz-readout').hidden = true;
    byId('dz-layers').hidden = true;
    byId('thumb-viewer').hidden = false;
  }

  // Opens the slide's deep zoom once per slide; the encoder names the grid whose cells the readout shows.
  function open(id, enc) {
    if (id === slide && viewer) {
      if (enc && enc !== encoder) { encoder = enc; loadCells(); }
      return;
    }
    close();
    slide = id;
    encoder = enc || null;
    const mine = token;
    const base = '/api/slides/' + encodeURIComponent(id);
    fetch(base + '/viewer.json', { headers: { Accept: 'application/json' } }).then((r) => {
      if (!r.ok) return r.json().catch(() => ({})).then((b) => { throw new Error(b.error || r.statusText); });
      return r.json();
    }).then((v) => {
      if (mine !== token) return;
      info = v;
      byId('thumb-viewer').hidden = true;
      byId('deepzoom').hidden = false;
      byId('dz-layers').hidden = false;
      byId('dz-readout').hidden = false;
      byId('dz-readout').textContent = 'Point at the slide for its grid cell.';
      viewer = OpenSeadragon({
        element: byId('deepzoom'), prefixUrl: IMAGES, tileSources: base + '/slide.dzi', showNavigator: true,
        navigatorPosition: 'TOP_RIGHT', maxZoomPixelRatio: 2, visibilityRatio: 0.5, crossOriginPolicy: false,
        gestureSettingsMouse: { clickToZoom: false },
      });
      byId('deepzoom').dataset.slide = id;
      viewer.addHandler('open', () => { scaleBar(); byId('deepzoom').dataset.open = 'true'; });
      viewer.addHandler('animation', scaleBar);
      new OpenSeadragon.MouseTracker({ element: viewer.canvas, moveHandler: (e) => readout(e.position) }).setTracking(true);
      loadCells();
      if (byId('layer-mask').checked) setMask(true);
      const o = byId('overlay');
      if (o.getAttribute('src') && o.dataset.loaded) setOverlay(o.getAttribute('src'));
    }).catch((e) => {
      if (mine !== token) return;
      byId('thumb-viewer').hidden = false;
      byId('dz-readout').hidden = false;
      byId('dz-readout').textContent = 'No deep zoom here: ' + e.message + ' (the thumbnail is shown).';
    });
  }

  // The tissue cells and each head's value on them, for the readout.
  function loadCells() {
    if (!slide || !encoder) return;
    const mine = token;
    fetch('/api/slides/' + encodeURIComponent(slide) + '/export.geojson?encoder=' + encodeURIComponent(encoder))
      .then((r) => (r.ok ? r.json() : null)).then((g) => {
        if (mine !== token || !g) return;
        const m = new Map();
        for (const f of g.features) {
          const v = f.properties.measurements;
          m.set(v['NIC row'] + ',' + v['NIC col'], v);
        }
        cells = m;
      }).catch(() => {});
  }

  // A layer of the thumbnail's size over the whole slide: the mask's pixels span the slide's level-0 pixels.
  function addLayer(url, done) {
    const width = info.maskWidth * info.maskDownsample / info.width;
    viewer.addSimpleImage({ url, x: 0, y: 0, width, opacity, success: (e) => done(e.item) });
  }

  function setOverlay(url) {
    if (!viewer || !info) return;
    if (overlay) { viewer.world.removeItem(overlay); overlay = null; }
    if (!url) { byId('deepzoom').dataset.overlay = ''; return; }
    const mine = token;
    addLayer(url, (item) => {
      if (mine !== token) { viewer && viewer.world.removeItem(item); return; }
      overlay = item;
      byId('deepzoom').dataset.overlay = 'loaded';
    });
  }

  function setMask(on) {
    if (!viewer || !info) return;
    if (mask) { viewer.world.removeItem(mask); mask = null; }
    if (!on) return;
    const mine = token;
    addLayer('/api/slides/' + encodeURIComponent(slide) + '/mask.png', (item) => {
      if (mine !== token) { viewer && viewer.world.removeItem(item); return; }
      mask = item;
      item.setOpacity(opacity);
    });
  }

  function setOpacity(v) {
    opacity = v;
    if (overlay) overlay.setOpacity(v);
    if (mask) mask.setOpacity(v);
  }

  // A bar of a round length near 120 screen pixels, from the slide's micrometres per level-0 pixel.
  function scaleBar() {
    const bar = byId('dz-scale');
    const mpp = info && (info.mppX || info.mppY);
    if (!viewer || !mpp) { bar.hidden = true; return; }
    const slideItem = viewer.world.getItemAt(0);
    if (!slideItem) return;
    // The slide's own transforms: the viewport's are not exact once layers are added (several images).
    const zoom = slideItem.viewportToImageZoom(viewer.viewport.getZoom(true));
    const umPerPixel = mpp / zoom;
    const target = 120 * umPerPixel;
    const power = Math.pow(10, Math.floor(Math.log10(target)));
    const length = [5, 2, 1].map((m) => m * power).find((x) => x <= target) || power;
    bar.hidden = false;
    bar.style.width = Math.round(length / umPerPixel) + 'px';
    bar.textContent = length >= 1000 ? length / 1000 + ' mm' : length >= 1 ? length + ' µm' : length.toPrecision(1) + ' µm';
  }

  function readout(position) {
    if (!viewer || !info) return;
    const slideItem = viewer.world.getItemAt(0);
    if (!slideItem) return;
    const p = slideItem.viewerElementToImageCoordinates(position);
    const row = Math.floor(p.y / info.cellSizeLevel0);
    const col = Math.floor(p.x / info.cellSizeLevel0);
    const out = byId('dz-readout');
    if (row < 0 || col < 0 || row >= info.rows || col >= info.cols) { out.textContent = 'Outside the grid.'; return; }
    let text = 'Cell row ' + row + ', column ' + col + ' (level-0 x ' + Math.floor(p.x) + ', y ' + Math.floor(p.y) + '): ';
    if (!cells) {
      text += encoder ? 'loading the cells…' : 'no grid yet';
    } else {
      const m = cells.get(row + ',' + col);
      if (!m) {
        text += 'no tissue';
      } else {
        const values = Object.keys(m).filter((k) => k !== 'NIC row' && k !== 'NIC col')
          .map((k) => k + ' ' + (typeof m[k] === 'number' ? m[k].toFixed(3) : m[k]));
        text += 'tissue' + (values.length ? '; ' + values.join('; ') : '');
      }
    }
    out.textContent = text;
  }

  return { open, close, setOverlay, setMask, setOpacity, viewer: () => viewer, info: () => info, overlay: () => overlay };
})();
