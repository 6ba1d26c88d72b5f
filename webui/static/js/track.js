/* The tracking page: live updates over the report's websocket (resuming
   after the last sequence shown), the copy button, the small map, and the
   citizen's confirm / reopen / rate with the reporter key. */
(function () {
  'use strict';
  var PA = window.PA;
  var region = document.getElementById('live-region');
  if (!region) { return; }
  var code = region.getAttribute('data-code');
  var key = 'phananh:token:' + code;
  var mapObj = null;

  function storedToken() { try { return localStorage.getItem(key) || ''; } catch (e) { return ''; } }

  function init() {
    PA.showJSOnly(document.getElementById('live-region'));
    var once = document.getElementById('token-once');
    if (once) { try { localStorage.setItem(key, once.getAttribute('data-token')); } catch (e) { /* shown on the page anyway */ } }
    var copy = document.getElementById('copy-code');
    if (copy) {
      copy.addEventListener('click', function () {
        var done = function () { copy.textContent = PA.t('copied'); };
        if (navigator.clipboard) { navigator.clipboard.writeText(code).then(done, function () {}); }
      });
    }
    mapObj = PA.pointMap(document.getElementById('report-map'), mapObj);
    initClosure();
  }

  function initClosure() {
    var box = document.getElementById('closure');
    if (!box) { return; }
    var tok = document.getElementById('reporter-token'), msg = document.getElementById('closure-msg');
    tok.value = storedToken();
    function send(path, body) {
      body.reporter_token = tok.value.trim();
      if (!body.reporter_token) { msg.textContent = PA.t('need_token'); tok.focus(); return; }
      msg.textContent = PA.t('sending');
      PA.request('POST', '/api/v1/reports/' + code + '/' + path, body).then(function (r) {
        if (!r.ok) { msg.textContent = PA.errorText(r.data); return; }
        try { localStorage.setItem(key, body.reporter_token); } catch (e) { /* ignore */ }
        msg.textContent = PA.t('saved');
        PA.refresh();
      }).catch(function () { msg.textContent = PA.t('failed'); });
    }
    var confirmBtn = document.getElementById('confirm');
    if (confirmBtn) { confirmBtn.addEventListener('click', function () { send('confirm', {}); }); }
    var reopen = document.getElementById('reopen-form');
    if (reopen) {
      reopen.addEventListener('submit', function (ev) {
        ev.preventDefault();
        send('reopen', { reason: reopen.elements.reason.value.trim() });
      });
    }
    var rate = document.getElementById('rate-form');
    if (rate) {
      rate.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var s = rate.querySelector('input[name=score]:checked');
        if (!s) { msg.textContent = PA.t('need_score'); return; }
        send('rating', { score: parseInt(s.value, 10), comment: rate.elements.comment.value.trim() });
      });
    }
  }

  init();
  document.addEventListener('pa:refreshed', init);
  var since = parseInt(region.getAttribute('data-seq'), 10);
  PA.live('/api/v1/reports/' + code + '/live', isNaN(since) ? -1 : since, PA.debounce(function () {
    PA.refresh().then(function () {
      var tl = document.querySelector('#timeline li:last-child');
      if (tl) { tl.classList.add('fresh'); }
    });
  }, 300), PA.liveState);
})();
