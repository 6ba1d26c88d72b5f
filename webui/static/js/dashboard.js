/* The chairman's dashboard: uPlot chart of received vs resolved per day,
   the map of open reports coloured by age, the sortable unit table, and
   live refresh when any event arrives. */
(function () {
  'use strict';
  var PA = window.PA;
  var chart = null, mapObj = null;

  function drawChart() {
    var el = document.getElementById('chart');
    if (chart) { chart.destroy(); chart = null; }
    if (!el || typeof uPlot === 'undefined') { return; }
    var d = PA.jsonAttr(el, 'data-chart');
    if (!d) { return; }
    var w = Math.max(260, el.clientWidth);
    chart = new uPlot({
      width: w, height: 260,
      series: [{ label: PA.t('day'), value: function (u, v) { return v == null ? '–' : day(v); } }, { label: d.labels[0], stroke: '#0b5cad', width: 2, points: { show: true } },
        { label: d.labels[1], stroke: '#17663a', width: 2, points: { show: true } }],
      axes: [{ values: function (u, vals) { return vals.map(day); } }, { values: function (u, vals) { return vals.map(function (v) { return Number.isInteger(v) ? v : ''; }); } }],
      scales: { y: { range: function (u, min, max) { return [0, Math.max(4, max + 1)]; } } }
    }, [d.days, d.received, d.resolved], el);
  }

  function day(sec) {
    var d = new Date(sec * 1000);
    return ('0' + d.getDate()).slice(-2) + '/' + ('0' + (d.getMonth() + 1)).slice(-2);
  }

  function ageColour(days) {
    if (days < 1) { return '#1a9850'; }
    if (days < 3) { return '#d9a400'; }
    if (days < 7) { return '#f46d43'; }
    return '#a50026';
  }

  function drawMap() {
    var el = document.getElementById('dash-map');
    if (mapObj) { mapObj.remove(); mapObj = null; }
    mapObj = PA.map(el);
    if (!mapObj) { return; }
    var pts = PA.jsonAttr(el, 'data-points') || [], bounds = [];
    pts.forEach(function (p) {
      var c = ageColour(p.age_days);
      var mk = L.circleMarker([p.lat, p.lng], { radius: 7, weight: 2, color: c, fillColor: c, fillOpacity: 0.7 }).addTo(mapObj);
      var a = document.createElement('a');
      a.href = '/staff/r/' + p.code; a.textContent = p.code + ' · ' + p.label;
      mk.bindPopup(a);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) { mapObj.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] }); }
  }

  function initSort() {
    var table = document.getElementById('unit-table');
    if (!table) { return; }
    var buttons = table.querySelectorAll('th button[data-sort]');
    Array.prototype.forEach.call(buttons, function (b) {
      b.setAttribute('aria-sort', 'none');
      b.addEventListener('click', function () {
        var col = parseInt(b.getAttribute('data-sort'), 10), text = b.getAttribute('data-kind') === 'text';
        var dir = b.getAttribute('aria-sort') === 'descending' ? 1 : -1;
        Array.prototype.forEach.call(buttons, function (o) { o.setAttribute('aria-sort', 'none'); });
        b.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var body = table.tBodies[0], rs = Array.prototype.slice.call(body.rows);
        rs.sort(function (x, y) {
          var a = x.cells[col], c = y.cells[col];
          if (!a || !c) { return 0; }
          if (text) { return dir * a.textContent.localeCompare(c.textContent, 'vi'); }
          return dir * (parseFloat(a.getAttribute('data-v')) - parseFloat(c.getAttribute('data-v')));
        });
        rs.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function init() { PA.showJSOnly(document.getElementById('live-region')); drawChart(); drawMap(); initSort(); }
  init();
  document.addEventListener('pa:refreshed', init);
  window.addEventListener('resize', PA.debounce(drawChart, 300));
  var refresh = PA.debounce(function () { PA.liveRefresh(); }, 800);
  PA.live('/api/v1/staff/live', -1, function () { refresh(); }, PA.liveState);
})();
