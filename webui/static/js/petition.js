/* The petition page: a live signature counter over the petition's
   websocket, and the signing form sent to the JSON API (the form also
   posts without JavaScript). */
(function () {
  'use strict';
  var PA = window.PA;
  var el = document.getElementById('petition');
  if (!el) { return; }
  var id = el.getAttribute('data-id');
  var count = document.getElementById('sig-count');

  PA.live('/api/v1/petitions/' + id + '/live', -1, function (ev) {
    var n = ev.data && parseInt(ev.data.supporters, 10);
    if ((ev.type === 'signature_added' || ev.type === 'signatures_invalidated') && !isNaN(n)) {
      count.textContent = String(n);
    }
    if (ev.type === 'threshold_reached' || ev.type === 'petition_answered' || ev.type === 'petition_closed') {
      location.reload();
    }
  }, PA.liveState);

  var form = document.getElementById('sign-form');
  if (!form || !window.fetch) { return; }
  var msg = document.getElementById('sign-msg');
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { email: form.elements.email.value.trim(), name: form.elements.name.value.trim(),
      show_name: form.elements.show_name.checked, language: PA.en ? 'en' : 'vi' };
    msg.textContent = PA.t('sending');
    PA.request('POST', '/api/v1/petitions/' + id + '/signatures', body).then(function (r) {
      if (!r.ok) { msg.textContent = PA.errorText(r.data); return; }
      msg.textContent = (PA.en ? r.data.message_en : r.data.message) || '';
      form.reset();
    }).catch(function () { msg.textContent = PA.t('failed'); });
  });
}());
