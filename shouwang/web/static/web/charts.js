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
