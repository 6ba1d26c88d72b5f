/* phananh: helpers shared by every page. No inline scripts anywhere: CSP forbids them. */
(function () {
  'use strict';
  var main = document.getElementById('main');
  var I18N = {};
  try { I18N = JSON.parse(main.getAttribute('data-i18n') || '{}'); } catch (e) { I18N = {}; }
  var EN = main.getAttribute('data-lang') === 'en';

  function t(k) { return I18N[k] || k; }
  function fmt(k, n) { return t(k).replace('%d', String(n)); }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].split('=');
      if (kv[0] === name) { return decodeURIComponent(kv.slice(1).join('=')); }
    }
    return '';
  }

  /* errorText picks the message of an API error body in the page's language. */
  function errorText(data) {
    var e = data && data.error;
    if (!e) { return t('failed'); }
    return (EN && e.message_en) ? e.message_en : (e.message || t('failed'));
  }

  /* request sends JSON (or FormData) and resolves to {ok, status, data}. Staff
     requests carry the session's CSRF token from its cookie. */
  function request(method, url, body, headers) {
    var h = { 'Accept': 'application/json' };
    var csrf = cookie('phananh_csrf');
    if (csrf) { h['X-CSRF-Token'] = csrf; }
    for (var k in (headers || {})) { h[k] = headers[k]; }
    var init = { method: method, headers: h, credentials: 'same-origin' };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (txt) {
        var data = null;
        try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }

  /* live keeps a websocket to a stream open, resuming after the last
     sequence seen, so a reconnect misses nothing. */
  function live(path, since, onEvent, onState) {
    var seq = since, ws = null, tries = 0, stopped = false;
    function connect() {
      var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
      if (seq !== null && seq !== undefined && seq >= 0) { url += (path.indexOf('?') < 0 ? '?' : '&') + 'since=' + seq; }
      ws = new WebSocket(url);
      ws.onopen = function () { tries = 0; if (onState) { onState(true); } };
      ws.onmessage = function (m) {
        var msg;
        try { msg = JSON.parse(m.data); } catch (e) { return; }
        if (msg.type === 'hello') {
          if (seq === null || seq === undefined || seq < 0) { seq = msg.head; }
          return;
        }
        if (typeof msg.seq === 'number' && msg.seq > seq) { seq = msg.seq; }
        onEvent(msg);
      };
      ws.onclose = function (ev) {
        if (onState) { onState(false); }
        if (stopped) { return; }
        if (ev.code === 4009) { location.reload(); return; }
        tries++;
        var wait = ev.code === 4008 ? 100 : Math.min(30000, 500 * Math.pow(2, tries));
        setTimeout(connect, wait);
      };
    }
    connect();
    return { stop: function () { stopped = true; if (ws) { ws.close(); } }, seq: function () { return seq; } };
  }

  /* liveState shows whether live updates are flowing. */
  function liveState(ok) {
    var el = document.getElementById('live-state');
    if (!el) { return; }
    el.hidden = false;
    el.textContent = ok ? '● ' + t('live') : t('offline');
  }

  /* refresh re-reads the page and swaps the #live-region, the server-rendered
     part that changes; pages re-attach their behaviour on 'pa:refreshed'. */
  var refreshing = null, again = false;
  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = fetch(location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('live-region'), cur = document.getElementById('live-region');
        if (fresh && cur) {
          var stale = document.getElementById('pa-stale');
          if (stale) { stale.remove(); }
          cur.replaceWith(fresh);
          document.dispatchEvent(new CustomEvent('pa:refreshed'));
        }
      })
      .catch(function () {})
      .then(function () {
        refreshing = null;
        if (again) { again = false; refresh(); }
      });
    return refreshing;
  }

  /* dirty reports whether the citizen or officer is typing in the live
     region: a refresh then would throw their words away. */
  function dirty() {
    var region = document.getElementById('live-region');
    if (!region) { return false; }
    var els = region.querySelectorAll('input, textarea, select');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === 'hidden' || el.id === 'reporter-token') { continue; }
      if (el.type === 'checkbox' || el.type === 'radio') { if (el.checked !== el.defaultChecked) { return true; } continue; }
      if (el.tagName === 'SELECT') {
        var def = 0;
        for (var j = 0; j < el.options.length; j++) { if (el.options[j].defaultSelected) { def = j; break; } }
        if (el.selectedIndex !== def) { return true; }
        continue;
      }
      if (el.value !== el.defaultValue) { return true; }
    }
    return false;
  }

  /* liveRefresh refreshes at once, or, while a form has unsent edits, offers
     a button that does. */
  function liveRefresh() {
    if (!dirty()) { return refresh(); }
    var bar = document.getElementById('pa-stale');
    if (!bar) {
      bar = document.createElement('div');
      bar.id = 'pa-stale'; bar.className = 'alert info stale'; bar.setAttribute('role', 'status');
      var b = document.createElement('button');
      b.type = 'button'; b.className = 'btn secondary'; b.textContent = t('reload');
      b.addEventListener('click', function () { bar.remove(); refresh(); });
      var span = document.createElement('span');
      span.textContent = t('stale') + ' ';
      bar.appendChild(span); bar.appendChild(b);
      var region = document.getElementById('live-region');
      region.parentNode.insertBefore(bar, region);
    }
    return Promise.resolve();
  }

  /* debounce delays fn until calls stop for ms. */
  function debounce(fn, ms) {
    var id;
    return function () {
      var args = arguments, self = this;
      clearTimeout(id);
      id = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function showJSOnly(root) {
    var els = (root || document).querySelectorAll('.js-only');
    for (var i = 0; i < els.length; i++) { els[i].hidden = false; }
  }

  function jsonAttr(el, name) {
    try { return JSON.parse(el.getAttribute(name) || 'null'); } catch (e) { return null; }
  }

  /* map draws a Leaflet map in el when Leaflet is loaded; the tile URL comes
     from the server (PHANANH_TILE_URL). Without Leaflet the element stays hidden. */
  function map(el, view) {
    if (!el || typeof L === 'undefined') { if (el) { el.hidden = true; } return null; }
    var src = el.hasAttribute('data-map') ? el : el.closest('[data-map]');
    var cfg = (src && jsonAttr(src, 'data-map')) || {};
    if (!cfg.tile_url) { el.hidden = true; return null; }
    el.hidden = false;
    view = view || {};
    var m = L.map(el, { scrollWheelZoom: false, zoomAnimation: false })
      .setView(view.center || cfg.center || [13.0955, 109.3209], view.zoom || 14);
    L.tileLayer(cfg.tile_url, { maxZoom: 19, attribution: '&copy; OpenStreetMap' }).addTo(m);
    return m;
  }

  /* pointMap shows one report's location (data-lat, data-lng) on a small
     map, replacing the map drawn before (after a live refresh). */
  function pointMap(el, old) {
    if (old) { old.remove(); }
    if (!el) { return null; }
    var p = [parseFloat(el.getAttribute('data-lat')), parseFloat(el.getAttribute('data-lng'))];
    var m = map(el, { center: p, zoom: 17 });
    if (m) { L.circleMarker(p, { radius: 10, color: '#0b5cad', weight: 3 }).addTo(m); }
    return m;
  }

  window.PA = { t: t, fmt: fmt, en: EN, cookie: cookie, request: request, errorText: errorText, live: live,
    liveState: liveState, refresh: refresh, liveRefresh: liveRefresh, debounce: debounce, showJSOnly: showJSOnly, jsonAttr: jsonAttr,
    map: map, pointMap: pointMap };
})();
