// Wall screen: polls /command/wall/data/ every 30 s; ECharts (its built-in
// dark theme) for charts, Leaflet for the heat map (lead counts per cell drawn
// as circles, no plugin). A live clock; "updated at" turns amber when a poll fails.
(function () {
  const POLL_MS = 30000;
  const root = document.getElementById("wall");
  if (!root) return;
  let map, heat, charts = {};
  const OPEN = gettext("在办"), OVERDUE = gettext("超期"), LEADS = gettext("上报");
  const AXIS = { axisLine: { lineStyle: { color: "#3a5a88" } }, splitLine: { lineStyle: { color: "#1d3b66" } } };
  function chart(id) {
    return charts[id] || (charts[id] = echarts.init(document.getElementById(id), "dark", { renderer: "canvas" }));
  }
  function base(extra) { return Object.assign({ backgroundColor: "transparent", textStyle: { fontFamily: "inherit" } }, extra); }
  function render(d) {
    const stamp = document.getElementById("wall-time");
    stamp.textContent = interpolate(gettext("更新于 %s"), [d.at]);
    stamp.classList.remove("stale");
    root.querySelectorAll("[data-k]").forEach((el) => { el.textContent = (d.counts[el.dataset.k] ?? 0).toLocaleString(); });
    chart("wall-trend").setOption(base({ grid: { left: 40, right: 12, top: 12, bottom: 24 }, tooltip: { trigger: "axis" },
      xAxis: Object.assign({ type: "category", boundaryGap: false, data: d.trend.map((r) => r.day.slice(5)) }, AXIS),
      yAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
      series: [{ name: LEADS, type: "line", smooth: true, showSymbol: false, areaStyle: { opacity: 0.25 },
        lineStyle: { color: "#4fc3f7" }, itemStyle: { color: "#4fc3f7" }, data: d.trend.map((r) => r.n) }] }));
    chart("wall-channels").setOption(base({ tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["42%", "68%"], label: { color: "#c9d7ee" }, data: d.channels }] }));
    chart("wall-townships").setOption(base({ grid: { left: 80, right: 16, top: 28, bottom: 20 }, tooltip: { trigger: "axis" },
      legend: { data: [OPEN, OVERDUE], top: 0 },
      yAxis: Object.assign({ type: "category", inverse: true, data: d.areas.map((a) => a.name) }, AXIS),
      xAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS), series: [
        { name: OPEN, type: "bar", data: d.areas.map((a) => a.open), itemStyle: { color: "#4fc3f7" } },
        { name: OVERDUE, type: "bar", data: d.areas.map((a) => a.overdue), itemStyle: { color: "#ff5252" } }] }));
    chart("wall-categories").setOption(base({ grid: { left: 110, right: 16, top: 8, bottom: 20 }, tooltip: {},
      yAxis: Object.assign({ type: "category", inverse: true, data: d.categories.map((c) => c.name) }, AXIS),
      xAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
      series: [{ type: "bar", data: d.categories.map((c) => c.value), itemStyle: { color: "#ffb74d" } }] }));
    if (heat) heat.remove();
    // One circle per ~500 m cell: area and opacity grow with the cell's count.
    const top = Math.max(1, ...d.heat.map((c) => c[2]));
    heat = L.layerGroup(d.heat.map(([lng, lat, n]) => {
      const w = Math.sqrt(n / top);
      return L.circleMarker([lat, lng], { radius: 3 + 9 * w, stroke: false, fillColor: "#ff5252",
        fillOpacity: 0.2 + 0.6 * w }).bindTooltip(interpolate(gettext("%s 件"), [n]));
    })).addTo(map);
    root.classList.add("wall-ready");
  }
  function load() {
    fetch(root.dataset.url, { credentials: "same-origin" })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(() => document.getElementById("wall-time").classList.add("stale"));
  }
  // The city's clock (the server's TIME_ZONE), whatever the display computer is set to.
  const lang = document.documentElement.lang || undefined, tz = root.dataset.tz || undefined;
  const day = new Intl.DateTimeFormat(lang, { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short" });
  const time = new Intl.DateTimeFormat(lang, { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  function tick() {
    const now = new Date();
    document.getElementById("wall-clock").textContent = `${day.format(now)}  ${time.format(now)}`;
  }
  document.addEventListener("DOMContentLoaded", () => {
    tick();
    setInterval(tick, 1000);
    const full = document.getElementById("wall-fullscreen");
    if (!document.fullscreenEnabled) full.hidden = true;
    full.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
    });
    map = L.map("wall-map", { preferCanvas: true, attributionControl: false, zoomControl: false });
    fetch(root.dataset.grids, { credentials: "same-origin" }).then((r) => r.json()).then((g) => {
      const layer = L.geoJSON(g, { style: { color: "#2f5a8f", weight: 0.6, fillColor: "#0f2a4f", fillOpacity: 0.9 } }).addTo(map);
      if (g.features.length) map.fitBounds(layer.getBounds()); else map.setView([27.78, 120.65], 10);
      load();
      setInterval(load, POLL_MS);
    });
  });
  window.addEventListener("resize", () => {
    Object.values(charts).forEach((c) => c.resize());
    if (map) map.invalidateSize();
  });
})();
