/* The statistics dashboard: month-end trend lines (ECharts, served locally) from the
   page's json_script data, and the "?" popovers with each figure's definition. */
(function () {
  "use strict";

  function lineChart(element, labels, series, percent) {
    if (!element || typeof echarts === "undefined") return null;
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 44, right: 16, top: 40, bottom: 40 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) {
          if (value === null || value === undefined) return "—";
          return percent ? value + "%" : String(value);
        },
      },
      xAxis: { type: "category", data: labels, axisLabel: { fontSize: 11 } },
      yAxis: percent
        ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
        : { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function start() {
    const source = document.getElementById("dashboard-trend-data");
    if (source) {
      const data = JSON.parse(source.textContent);
      lineChart(document.getElementById("trend-counts"), data.labels, data.counts, false);
      lineChart(document.getElementById("trend-rates"), data.labels, data.rates, true);
    }
    if (typeof bootstrap !== "undefined") {
      document.querySelectorAll('[data-bs-toggle="popover"]').forEach(function (el) {
        bootstrap.Popover.getOrCreateInstance(el);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
