// The dashboard's charts: each .chart element carries its ECharts option as JSON (no inline script).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (element) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(element.dataset.chart));
    element.dataset.rendered = "yes";
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
});
