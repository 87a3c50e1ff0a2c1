// /console/stats: draws each table marked data-chart as an ECharts chart (canvas) just
// before it. The table is the chart's data, stays on the page for screen readers, and is
// what the XLSX export holds. Without ECharts (or script) the tables alone remain.
(function () {
  'use strict';
  if (!window.echarts) { return; }
  var number = function (cell) {
    var v = cell.getAttribute('data-value');
    return v === null ? 0 : Number(v);
  };
  document.querySelectorAll('table[data-chart]').forEach(function (table) {
    var kind = table.getAttribute('data-chart');
    var series = Number(table.getAttribute('data-series') || '1');
    var head = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent.trim(); });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    if (rows.length === 0) { return; }
    var labels = rows.map(function (r) { return r.cells[0].textContent.trim(); });
    var box = document.createElement('div');
    box.className = 'chart';
    box.setAttribute('aria-hidden', 'true');
    table.parentNode.insertBefore(box, table);
    var chart = echarts.init(box, null, { renderer: 'canvas' });
    var option;
    if (kind === 'pie') {
      option = {
        tooltip: { trigger: 'item' },
        series: [{ type: 'pie', radius: '70%', data: rows.map(function (r, i) { return { name: labels[i], value: number(r.cells[1]) }; }) }]
      };
    } else {
      var lines = [];
      for (var i = 1; i <= series; i++) {
        lines.push({ name: head[i], type: kind, data: rows.map(function (r) { return number(r.cells[i]); }) });
      }
      option = {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 32 },
        xAxis: { type: 'category', data: labels },
        yAxis: { type: 'value' },
        series: lines
      };
    }
    chart.setOption(option);
    window.addEventListener('resize', function () { chart.resize(); });
  });
})();
