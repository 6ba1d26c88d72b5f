/* The citizen's report form: live category suggestion, map picker and
   geolocation, nearby reports with "me too", photo resizing with preview,
   and a fetch submit that keeps the reporter key in localStorage. Without
   this script the form still posts normally. */
(function () {
  'use strict';
  var PA = window.PA, form = document.getElementById('report-form');
  if (!form || !window.fetch || !window.FormData) { return; }
  PA.showJSOnly(form);
  var $ = function (id) { return document.getElementById(id); };
  var maxPhotos = parseInt(form.getAttribute('data-max-photos'), 10) || 5;
  var suggested = '';
  var photos = []; // {blob, name, url}

  /* Category suggestion as the citizen types. */
  var suggestBox = $('suggest'), category = $('category');
  var suggest = PA.debounce(function () {
    var text = $('text').value.trim();
    if (text.length < 12) { suggestBox.hidden = true; return; }
    PA.request('POST', '/api/v1/classify', { text: text }).then(function (r) {
      if (!r.ok || !r.data || !r.data.category) { return; }
      suggested = r.data.category;
      var name = (PA.en && r.data.category_name_en) ? r.data.category_name_en : r.data.category_name;
      suggestBox.textContent = '';
      var span = document.createElement('span');
      span.textContent = PA.t('suggest') + ' ' + name + ' (' + Math.round(r.data.confidence * 100) + '%)' +
        (r.data.ward_name ? ' · ' + r.data.ward_name : '');
      suggestBox.appendChild(span);
      if (category.value !== suggested) {
        var b = document.createElement('button');
        b.type = 'button'; b.className = 'btn secondary'; b.textContent = PA.t('suggest.use');
        b.addEventListener('click', function () { category.value = suggested; b.remove(); findNearby(); });
        suggestBox.appendChild(b);
      }
      suggestBox.hidden = false;
      findNearby();
    }).catch(function () {});
  }, 700);
  $('text').addEventListener('input', suggest);
  category.addEventListener('change', function () { findNearby(); });

  /* Location: map picker and browser geolocation. */
  var lat = $('lat'), lng = $('lng'), m = PA.map($('picker')), marker = null;
  function setPoint(la, ln, pan) {
    lat.value = la.toFixed(6); lng.value = ln.toFixed(6);
    if (m) {
      if (!marker) {
        marker = L.marker([la, ln], { draggable: true, keyboard: true }).addTo(m);
        marker.on('dragend', function () { var p = marker.getLatLng(); setPoint(p.lat, p.lng, false); });
      } else { marker.setLatLng([la, ln]); }
      if (pan) { m.setView([la, ln], 17); }
    }
    findNearby();
  }
  if (m) { m.on('click', function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); }); }
  if (lat.value && lng.value) { setPoint(parseFloat(lat.value), parseFloat(lng.value), true); }
  $('locate').addEventListener('click', function () {
    var st = $('locate-status');
    if (!navigator.geolocation) { st.textContent = PA.t('noloc'); return; }
    st.textContent = PA.t('locating');
    navigator.geolocation.getCurrentPosition(function (pos) {
      st.textContent = PA.t('located');
      setPoint(pos.coords.latitude, pos.coords.longitude, true);
    }, function () { st.textContent = PA.t('noloc'); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  /* Already reported nearby? Open reports of the same category within 200 m. */
  var findNearby = PA.debounce(function () {
    var box = $('nearby'), list = $('nearby-list');
    var cat = category.value || suggested;
    if (!lat.value || !lng.value || !cat) { box.hidden = true; return; }
    var q = '?lat=' + encodeURIComponent(lat.value) + '&lng=' + encodeURIComponent(lng.value) + '&category=' + encodeURIComponent(cat);
    PA.request('GET', '/api/v1/nearby' + q).then(function (r) {
      list.textContent = '';
      var items = (r.ok && r.data && r.data.reports) || [];
      box.hidden = items.length === 0;
      items.forEach(function (it) { list.appendChild(nearbyItem(it)); });
    }).catch(function () {});
  }, 400);

  function nearbyItem(it) {
    var li = document.createElement('li');
    var info = document.createElement('div');
    var a = document.createElement('a');
    a.href = it.url; a.textContent = it.code; a.className = 'code-link';
    info.appendChild(a);
    var meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = it.category_name + ' · ' + it.status_label + ' · ' + PA.fmt('meters', it.distance_m);
    info.appendChild(meta);
    if (it.text) { var p = document.createElement('p'); p.className = 'snippet'; p.textContent = it.text; info.appendChild(p); }
    var b = document.createElement('button');
    b.type = 'button'; b.className = 'btn secondary'; b.textContent = PA.t('metoo');
    b.addEventListener('click', function () {
      b.disabled = true;
      PA.request('POST', it.support_url, undefined, { 'X-Form-Token': form.elements.form_token.value }).then(function (r) {
        if (!r.ok) { b.disabled = false; showError(PA.errorText(r.data)); return; }
        li.textContent = '';
        var done = document.createElement('p');
        done.textContent = PA.t('metoo.done') + ' ';
        var link = document.createElement('a'); link.href = r.data.url; link.textContent = '/r/' + r.data.code;
        done.appendChild(link);
        li.appendChild(done);
      }).catch(function () { b.disabled = false; showError(PA.t('failed')); });
    });
    li.appendChild(info); li.appendChild(b);
    return li;
  }

  /* Photos: shrink to at most 1600 px on the long side, JPEG, with previews. */
  var input = $('photos'), previews = $('previews');
  function resize(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
        var c = document.createElement('canvas');
        c.width = Math.max(1, Math.round(img.naturalWidth * scale));
        c.height = Math.max(1, Math.round(img.naturalHeight * scale));
        c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) { if (b) { resolve(b); } else { reject(new Error('encode')); } }, 'image/jpeg', 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error('decode')); };
      img.src = url;
    });
  }
  function drawPreviews() {
    previews.textContent = '';
    photos.forEach(function (p, i) {
      var fig = document.createElement('figure'), img = document.createElement('img'), b = document.createElement('button');
      img.src = p.url; img.alt = p.name;
      b.type = 'button'; b.textContent = '×'; b.setAttribute('aria-label', PA.t('remove') + ' ' + p.name);
      b.addEventListener('click', function () { URL.revokeObjectURL(p.url); photos.splice(i, 1); drawPreviews(); });
      fig.appendChild(img); fig.appendChild(b); previews.appendChild(fig);
    });
  }
  input.addEventListener('change', function () {
    var files = Array.prototype.slice.call(input.files || []);
    if (photos.length + files.length > maxPhotos) { showError(PA.fmt('too_many', maxPhotos)); }
    files = files.slice(0, Math.max(0, maxPhotos - photos.length));
    $('progress').textContent = PA.t('resizing');
    Promise.all(files.map(function (f) {
      return resize(f).then(function (b) { return { blob: b, name: f.name.replace(/\.[^.]*$/, '') + '.jpg' }; },
        function () { return { blob: f, name: f.name }; }); // let the server judge what the browser cannot decode
    })).then(function (done) {
      done.forEach(function (p) { p.url = URL.createObjectURL(p.blob); photos.push(p); });
      input.value = '';
      $('progress').textContent = '';
      drawPreviews();
    });
  });

  function showError(msg) {
    var el = $('form-error');
    el.textContent = msg; el.hidden = false;
    el.scrollIntoView({ block: 'center' });
  }

  /* Submit with fetch: the resized photos replace the file input. */
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var fd = new FormData(form), btn = $('submit');
    fd.delete('photos');
    photos.forEach(function (p) { fd.append('photos', p.blob, p.name); });
    fd.set('public', $('public').checked ? 'true' : '');
    btn.disabled = true;
    $('progress').textContent = PA.t('sending');
    PA.request('POST', '/report', fd).then(function (r) {
      if (!r.ok || !r.data || !r.data.code) {
        btn.disabled = false; $('progress').textContent = '';
        showError(PA.errorText(r.data));
        var f = r.data && r.data.error && r.data.error.field;
        if (f && form.elements[f] && form.elements[f].focus) { form.elements[f].focus(); }
        return;
      }
      try {
        if (r.data.reporter_token) { localStorage.setItem('phananh:token:' + r.data.code, r.data.reporter_token); }
        sessionStorage.setItem('phananh:new', r.data.code);
      } catch (e) { /* private mode: the key is lost, the code is not */ }
      location.assign(r.data.url);
    }).catch(function () {
      btn.disabled = false; $('progress').textContent = '';
      showError(PA.t('failed'));
    });
  });
})();
