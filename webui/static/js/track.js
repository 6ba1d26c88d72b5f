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

  /* The acknowledgement e-mail links to /r/CODE#token=KEY: the key is kept
     in localStorage as after the form, and taken out of the address bar
     (and so out of bookmarks, history and shared links). A fragment never
     reaches the server. */
  function takeFragmentToken() {
    if (!location.hash || location.hash.indexOf('token=') < 0) { return; }
    var m = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
    if (m) { try { localStorage.setItem(key, m[1]); } catch (e) { /* private mode: typed by hand instead */ } }
    if (window.history && history.replaceState) { history.replaceState(history.state, '', location.pathname + location.search); }
  }

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

  /* The closure form posts without JavaScript; with it, the key comes
     from localStorage and the citizen API answers without a page load. */
  function initClosure() {
    var form = document.getElementById('closure-form');
    if (!form) { return; }
    var tok = document.getElementById('reporter-token'), msg = document.getElementById('closure-msg');
    if (!tok.value) { tok.value = storedToken(); }
    form.addEventListener('submit', function (ev) {
      var action = ev.submitter && ev.submitter.value;
      var body = { reporter_token: tok.value.trim() }, path = action;
      if (action === 'reopen') { body.reason = form.elements.reason.value.trim(); }
      if (action === 'rate') {
        var s = form.querySelector('input[name=score]:checked');
        if (!s) { ev.preventDefault(); msg.textContent = PA.t('need_score'); return; }
        path = 'rating';
        body.score = parseInt(s.value, 10);
        body.comment = form.elements.comment.value.trim();
      }
      if (!action || !window.fetch) { return; } // let the browser post the form
      ev.preventDefault();
      if (!body.reporter_token) { msg.textContent = PA.t('need_token'); tok.focus(); return; }
      msg.textContent = PA.t('sending');
      PA.request('POST', '/api/v1/reports/' + code + '/' + path, body).then(function (r) {
        if (!r.ok) { msg.textContent = PA.errorText(r.data); return; }
        try { localStorage.setItem(key, body.reporter_token); } catch (e) { /* ignore */ }
        PA.refresh();
      }).catch(function () { msg.textContent = PA.t('failed'); });
    });
  }

  takeFragmentToken();
  init();
  document.addEventListener('pa:refreshed', init);
  var since = parseInt(region.getAttribute('data-seq'), 10);
  PA.live('/api/v1/reports/' + code + '/live', isNaN(since) ? -1 : since, PA.debounce(function () {
    PA.liveRefresh().then(function () {
      var tl = document.querySelector('#timeline li:last-child');
      if (tl) { tl.classList.add('fresh'); }
    });
  }, 300), PA.liveState);
})();
