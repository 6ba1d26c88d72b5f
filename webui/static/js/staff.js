/* The officers' desk: live queue and report updates over the staff
   websocket, the action forms (JSON to the staff API with the CSRF
   token), and keyboard navigation of the queue (j/k, Enter, /). */
(function () {
  'use strict';
  var PA = window.PA;
  var region = document.getElementById('live-region');
  if (!region) { return; }
  var code = region.getAttribute('data-code');
  var mapObj = null;

  function message(text, ok) {
    var el = document.getElementById('action-msg');
    if (!el) { return; }
    el.textContent = text;
    el.className = 'alert ' + (ok ? 'ok' : 'error');
    el.hidden = false;
  }

  /* formBody turns an action form into the JSON the staff API expects. */
  function formBody(form) {
    if (form.getAttribute('data-multipart')) { return new FormData(form); }
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      body[el.name] = el.getAttribute('data-type') === 'int' ? (parseInt(el.value, 10) || 0) : el.value.trim();
    });
    return body;
  }

  function initForms() {
    var forms = document.querySelectorAll('form.action[data-api]');
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var btn = form.querySelector('button[type=submit]');
        if (btn) { btn.disabled = true; }
        PA.request('POST', form.getAttribute('data-api'), formBody(form)).then(function (r) {
          if (btn) { btn.disabled = false; }
          if (!r.ok) { message(PA.errorText(r.data), false); if (r.status === 409) { PA.refresh(); } return; }
          PA.refresh().then(function () { message(PA.t('saved'), true); });
        }).catch(function () { if (btn) { btn.disabled = false; } message(PA.t('failed'), false); });
      });
    });
  }

  function initMap() { mapObj = PA.pointMap(document.getElementById('report-map'), mapObj); }

  /* Keyboard navigation of the queue. */
  var current = -1;
  function rows() { return document.querySelectorAll('table.queue tbody tr[data-code]'); }
  function select(i) {
    var rs = rows();
    if (!rs.length) { return; }
    current = Math.max(0, Math.min(rs.length - 1, i));
    Array.prototype.forEach.call(rs, function (r, j) { r.classList.toggle('kbd', j === current); });
    var a = rs[current].querySelector('a');
    if (a) { a.focus(); }
  }
  document.addEventListener('keydown', function (ev) {
    var tag = (ev.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (ev.key === 'j') { select(current + 1); ev.preventDefault(); }
    if (ev.key === 'k') { select(current - 1); ev.preventDefault(); }
    if (ev.key === '/') { var q = document.getElementById('q-q'); if (q) { q.focus(); ev.preventDefault(); } }
  });

  function init() { PA.showJSOnly(document.getElementById('live-region')); initForms(); initMap(); current = -1; }
  init();
  document.addEventListener('pa:refreshed', init);

  var since = parseInt(region.getAttribute('data-seq'), 10);
  var refresh = PA.debounce(function () { PA.liveRefresh(); }, 400);
  PA.live('/api/v1/staff/live', isNaN(since) ? -1 : since, function (ev) {
    if (!code || ev.report_code === code) { refresh(); }
  }, PA.liveState);
})();
