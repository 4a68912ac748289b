// Wall screen: polls /command/wall/data/ every 30 s; ECharts for charts,
// Leaflet for the heat map (lead counts per cell drawn as circles, no plugin).
(function () {
  const root = document.getElementById("wall");
  if (!root) return;
  let map, heat, charts = {};
  function chart(id) { return charts[id] || (charts[id] = echarts.init(document.getElementById(id))); }
  const OPEN = gettext("在办"), OVERDUE = gettext("超期");
  function render(d) {
    document.getElementById("wall-time").textContent = interpolate(gettext("更新于 %s"), [d.at]);
    root.querySelectorAll("[data-k]").forEach((el) => { el.textContent = d.counts[el.dataset.k] ?? 0; });
    chart("wall-trend").setOption({ grid: { left: 30, right: 10, top: 10, bottom: 20 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.trend.map((r) => r.day.slice(5)) }, yAxis: { type: "value" },
      series: [{ type: "line", smooth: true, areaStyle: {}, data: d.trend.map((r) => r.n) }] });
    chart("wall-channels").setOption({ tooltip: {}, series: [{ type: "pie", radius: ["40%", "70%"], data: d.channels }] });
    chart("wall-townships").setOption({ grid: { left: 70, right: 10, top: 20, bottom: 20 }, tooltip: { trigger: "axis" },
      legend: { data: [OPEN, OVERDUE] }, yAxis: { type: "category", data: d.townships.map((t) => t["township__name"]) },
      xAxis: { type: "value" }, series: [
        { name: OPEN, type: "bar", data: d.townships.map((t) => t.open) },
        { name: OVERDUE, type: "bar", data: d.townships.map((t) => t.overdue), itemStyle: { color: "#c62828" } }] });
    chart("wall-categories").setOption({ grid: { left: 110, right: 10, top: 10, bottom: 20 }, tooltip: {},
      yAxis: { type: "category", data: d.categories.map((c) => c.name).reverse() }, xAxis: { type: "value" },
      series: [{ type: "bar", data: d.categories.map((c) => c.value).reverse() }] });
    if (heat) heat.remove();
    // One circle per ~500 m cell: area and opacity grow with the cell's count.
    const top = Math.max(1, ...d.heat.map((c) => c[2]));
    heat = L.layerGroup(d.heat.map(([lng, lat, n]) => {
      const w = Math.sqrt(n / top);
      return L.circleMarker([lat, lng], { radius: 3 + 9 * w, stroke: false, fillColor: "#e53935",
        fillOpacity: 0.15 + 0.55 * w }).bindTooltip(interpolate(gettext("%s 件"), [n]));
    })).addTo(map);
    root.classList.add("wall-ready");
  }
  function load() { fetch(root.dataset.url, { credentials: "same-origin" }).then((r) => r.json()).then(render); }
  document.addEventListener("DOMContentLoaded", () => {
    map = L.map("wall-map", { preferCanvas: true, attributionControl: false, zoomControl: false });
    fetch(root.dataset.grids, { credentials: "same-origin" }).then((r) => r.json()).then((g) => {
      const layer = L.geoJSON(g, { style: { color: "#b9c3cf", weight: 0.5, fillColor: "#eef2f7", fillOpacity: 0.7 } }).addTo(map);
      if (g.features.length) map.fitBounds(layer.getBounds()); else map.setView([27.78, 120.65], 10);
      load();
      setInterval(load, 30000);
    });
  });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
})();
