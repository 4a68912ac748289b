// One-minute report: the phone's position fills the hidden lng/lat; an
// idempotency key makes a double tap or a retry after a timeout file one lead.
(function () {
  const form = document.getElementById("report-form");
  if (!form) return;
  const key = form.querySelector("[name=idempotency_key]");
  if (key && !key.value) key.value = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const status = document.getElementById("geo-status");
  const lng = form.querySelector("[name=lng]");
  const lat = form.querySelector("[name=lat]");
  if (lng.value && lat.value) {
    status.textContent = interpolate(gettext("定位：%s, %s"), [Number(lng.value).toFixed(5), Number(lat.value).toFixed(5)]);
  } else if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        lng.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        status.textContent = interpolate(gettext("定位：%s, %s（±%s米）"), [lng.value, lat.value, Math.round(pos.coords.accuracy)]);
      },
      () => { status.textContent = gettext("无法获取定位，请填写地址。"); },
      { enableHighAccuracy: true, timeout: 8000 },
    );
  } else {
    status.textContent = gettext("设备不支持定位，请填写地址。");
  }
  form.addEventListener("submit", () => { form.querySelector("button[type=submit]").disabled = true; });
})();
