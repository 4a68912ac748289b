// Command room map: grids as a faint background, open leads as circles.
(function () {
  function init() {
    const el = document.getElementById("map");
    if (!el || !window.L || !el.dataset.events) return;
    const map = L.map(el, { preferCanvas: true, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
    const grids = fetch(el.dataset.geojson, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      const layer = L.geoJSON(data, { style: { color: "#b9c3cf", weight: 1, fillColor: "#eef2f7", fillOpacity: 0.6 } }).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] }); else map.setView([27.78, 120.65], 11);
    });
    grids.then(() => fetch(el.dataset.events, { credentials: "same-origin" })).then((r) => r.json()).then((data) => {
      // Most pressing first from the server: drawn last, so overdue leads are on top.
      data.features.slice().reverse().forEach((f) => {
        const p = f.properties;
        const [lng, lat] = f.geometry.coordinates;
        L.circleMarker([lat, lng], {
          radius: p.urgent ? 9 : 6, weight: 1, color: "#fff",
          fillColor: p.overdue ? "#c62828" : (p.state === "reported" || p.state === "filed" ? "#d98b00" : "#1f5fae"),
          fillOpacity: 0.9,
        }).bindTooltip(`${p.number} ${p.category}`).on("click", () => { window.location = `/flows/events/${p.id}/`; }).addTo(map);
      });
      const note = document.getElementById("map-note");
      if (note && data.total > data.features.length) {
        // The server sends the most pressing leads first and cuts the list; say so.
        note.textContent = interpolate(gettext("地图显示最紧迫的 %(shown)s 件（最早到期的在前），共 %(total)s 件在办。"),
          { shown: data.features.length.toLocaleString(), total: data.total.toLocaleString() }, true);
        note.hidden = false;
      }
      el.dataset.events_loaded = String(data.features.length);
      el.classList.add("map-ready");
    });
  }
  document.addEventListener("DOMContentLoaded", init);
})();
