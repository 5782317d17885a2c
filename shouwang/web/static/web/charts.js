/* Small ECharts wrappers shared by the pages. ECharts is served locally (make assets). */
function shouwangBarChart(element, labels, values, seriesName) {
  if (!element || typeof echarts === "undefined") return null;
  const chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 40, right: 16, top: 16, bottom: 40 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: labels, axisLabel: { interval: 0, fontSize: 11 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: seriesName, type: "bar", data: values, itemStyle: { color: "#1f5f8b" } }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
  return chart;
}

/* Every element with data-bar-chart="<id of a json_script with labels and values>"
   becomes a bar chart; data-series names the bars. No inline script (CSP). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-bar-chart]").forEach(function (element) {
    const source = document.getElementById(element.dataset.barChart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    shouwangBarChart(element, data.labels, data.values, element.dataset.series || "");
  });
});
