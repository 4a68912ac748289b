// Grid map: Leaflet over GeoJSON, no tile server unless one is configured.
(function () {
  const COLORS = { empowered: "#1e8e3e", hub_served: "#d98b00", dispatched: "#1f5fae" };
  function init() {
    const el = document.getElementById("map");
    if (!el || !window.L) return;
    const map = L.map(el, { zoomSnap: 0.25, preferCanvas: true, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
    }
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        const layer = L.geoJSON(data, {
          style: (f) => ({ color: "#ffffff", weight: 1, fillColor: COLORS[f.properties.mode] || "#888", fillOpacity: 0.55 }),
          onEachFeature: (f, l) => {
            const p = f.properties;
            l.bindTooltip(`${p.township} · ${p.village}<br>${p.name}（${p.code}）<br>${p.mode_label}`, { sticky: true });
          },
        }).addTo(map);
        el.dataset.features = String(data.features.length);
        if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        else map.setView([27.78, 120.65], 10);
        el.classList.add("map-ready");
      });
    map.on("click", (e) => {
      const target = document.getElementById("locate-result");
      if (!target || !el.dataset.locate) return;
      const url = `${el.dataset.locate}?lng=${e.latlng.lng.toFixed(6)}&lat=${e.latlng.lat.toFixed(6)}`;
      fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => { target.innerHTML = html; });
    });
  }
  document.addEventListener("DOMContentLoaded", init);
})();
