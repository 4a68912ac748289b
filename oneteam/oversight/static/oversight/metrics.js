// Metrics page: one rate compared across units as horizontal bars (ECharts),
// best first, the overall figure as a vertical line. A bar opens the same
// drill-down as the table's number. Units whose denominator is 0 have no rate
// and are left out (the table shows them as "—").
(function () {
  const box = document.getElementById("metrics-chart");
  const source = document.getElementById("metrics-data");
  if (!box || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const select = document.getElementById("metrics-rate");
  const BAR = 24, MAX_ROWS = 25; // pixels per unit; more units than this scroll inside the chart
  const chart = echarts.init(box);
  const pct = (v) => (v * 100).toFixed(1) + "%";
  const colour = (v) => (v >= 0.9 ? "#2e7d32" : v >= 0.7 ? "#f9a825" : "#c62828");

  function draw(i) {
    const units = data.units.filter((u) => u.rates[i][2] > 0)
      .sort((a, b) => b.rates[i][0] - a.rates[i][0] || a.name.localeCompare(b.name));
    const rows = Math.max(1, units.length);
    box.style.height = Math.min(rows, MAX_ROWS) * BAR + 70 + "px";
    chart.resize();
    const total = data.total[i][0];
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "inherit" },
      grid: { left: 8, right: 64, top: 28, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: (p) => {
        const [v, num, den] = units[p.dataIndex].rates[i];
        return `${echarts.format.encodeHTML(units[p.dataIndex].name)}<br>${pct(v)} (${num}/${den})`;
      } },
      xAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: (v) => v * 100 + "%" } },
      yAxis: { type: "category", inverse: true, data: units.map((u) => u.name), axisLabel: { width: Math.min(220, Math.round(box.clientWidth * 0.35)), overflow: "truncate" } },
      dataZoom: units.length > MAX_ROWS
        ? [{ type: "slider", yAxisIndex: 0, right: 8, width: 14, startValue: 0, endValue: MAX_ROWS - 1, showDetail: false },
           { type: "inside", yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true }]
        : [],
      series: [{
        type: "bar", barMaxWidth: 18, cursor: "pointer",
        data: units.map((u) => ({ value: u.rates[i][0], itemStyle: { color: colour(u.rates[i][0]) } })),
        label: { show: true, position: "right", formatter: (p) => pct(p.value) },
        markLine: total === null ? undefined : { symbol: "none", silent: true, lineStyle: { color: "#1f4e8c", type: "dashed" },
          label: { formatter: interpolate(gettext("合计 %s"), [pct(total)]), position: "start" },
          data: [{ xAxis: total }] },
      }],
    }, { notMerge: true });
    chart.off("click");
    chart.on("click", (p) => {
      if (p.componentType !== "series") return;
      window.location.href = `${data.drill}&metric=${encodeURIComponent(data.rates[i].drill)}&unit=${units[p.dataIndex].id}`;
    });
  }

  select.addEventListener("change", () => draw(Number(select.value)));
  window.addEventListener("resize", () => draw(Number(select.value)));
  draw(Number(select.value));
})();
