/* The public map: one marker per report in the list, coloured by status. */
(function () {
  'use strict';
  var PA = window.PA, el = document.getElementById('list-map');
  var m = PA.map(el);
  if (!m) { return; }
  var pts = PA.jsonAttr(el, 'data-points') || [];
  var colours = { resolved: '#17663a', closed: '#17663a', rejected: '#6e7781' };
  var bounds = [];
  pts.forEach(function (p) {
    var mk = L.circleMarker([p.lat, p.lng], { radius: 8, weight: 2, color: colours[p.status] || '#b3261e', fillOpacity: 0.6 }).addTo(m);
    var a = document.createElement('a');
    a.href = '/r/' + p.code; a.textContent = p.code + ' · ' + p.label;
    mk.bindPopup(a);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) { m.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] }); }
})();
