// 数据大屏: draws the occupation split and today's joins by hour with ECharts (canvas), and
// every 30 s fetches /console/screen/data (with the page's ?kiosk token, if any) to
// update every figure in place — no reload, so a hall's display never flashes.
(function () {
  'use strict';
  var charts = {};
  function draw(v) {
    if (!window.echarts) { return; }
    var text = { color: '#e8eefc', fontSize: 16 };
    var occ = document.getElementById('occupations-chart');
    if (occ) {
      charts.occ = charts.occ || echarts.init(occ, null, { renderer: 'canvas' });
      charts.occ.setOption({ textStyle: text, tooltip: {}, series: [{ type: 'pie', radius: ['35%', '70%'], label: { color: '#e8eefc', fontSize: 16 },
        data: v.occupations.map(function (o) { return { name: o[0], value: o[1] }; }) }] });
    }
    var hours = document.getElementById('hours-chart');
    if (hours) {
      charts.hours = charts.hours || echarts.init(hours, null, { renderer: 'canvas' });
      charts.hours.setOption({ textStyle: text, grid: { left: 40, right: 10, top: 10, bottom: 30 },
        xAxis: { type: 'category', data: v.hours.map(function (_, h) { return h + ''; }), axisLabel: { color: '#9fb3d9' } },
        yAxis: { type: 'value', axisLabel: { color: '#9fb3d9' }, splitLine: { lineStyle: { color: '#1f3d7a' } } },
        series: [{ type: 'bar', data: v.hours, itemStyle: { color: '#5fd4ff' } }] });
    }
  }
  function set(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }
  function update(v) {
    ['held', 'joined_today', 'pending', 'overdue', 'stations', 'benefits_granted', 'cases_open', 'cases_overdue', 'updated', 'title'].forEach(function (k) { set(k, v[k]); });
    v.tiles.forEach(function (t) {
      var el = document.getElementById('tile-' + t.code);
      if (!el) { return; }
      el.className = 'tile r' + t.row + ' c' + t.col + ' s' + t.shade;
      el.querySelector('.m').textContent = t.members;
      el.querySelector('.g').textContent = t.growth;
    });
    draw(v);
  }
  function refresh() {
    fetch('/console/screen/data' + location.search, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (v) { if (v) { update(v); } })
      .catch(function () { /* the next refresh tries again */ });
  }
  window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  refresh();
  setInterval(refresh, 30000);
})();
