// The staff case page's small map of the reporter's point (WGS-84), over the site's tiles;
// shifted onto GCJ-02 tiles where the site uses them. Read-only: the point is what the
// reporter gave. Without this script the page shows the coordinates alone.
(function () {
  "use strict";
  var box = document.getElementById("case-map");
  if (!box || !window.L) { return; }
  var lat = parseFloat(box.dataset.lat), lon = parseFloat(box.dataset.lon);
  if (isNaN(lat) || isNaN(lon)) { return; }
  var A = 6378245.0, EE = 0.006693421622965943;
  function toGcj(la, lo) {
    if (!(lo >= 72.004 && lo <= 137.8347 && la >= 0.8293 && la <= 55.8271)) { return [la, lo]; }
    var x = lo - 105, y = la - 35, P = Math.PI;
    var dLa = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20 * Math.sin(6 * x * P) + 20 * Math.sin(2 * x * P)) * 2 / 3 +
      (20 * Math.sin(y * P) + 40 * Math.sin(y / 3 * P)) * 2 / 3 +
      (160 * Math.sin(y / 12 * P) + 320 * Math.sin(y * P / 30)) * 2 / 3;
    var dLo = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20 * Math.sin(6 * x * P) + 20 * Math.sin(2 * x * P)) * 2 / 3 +
      (20 * Math.sin(x * P) + 40 * Math.sin(x / 3 * P)) * 2 / 3 +
      (150 * Math.sin(x / 12 * P) + 300 * Math.sin(x / 30 * P)) * 2 / 3;
    var rad = la / 180 * P, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    return [la + (dLa * 180) / ((A * (1 - EE)) / (magic * sq) * P),
      lo + (dLo * 180) / (A / sq * Math.cos(rad) * P)];
  }
  var at = box.dataset.datum === "gcj02" ? toGcj(lat, lon) : [lat, lon];
  var map = window.L.map(box, { zoomControl: true }).setView(at, 16);
  map.attributionControl.setPrefix(false);
  window.L.tileLayer(box.dataset.tiles, {
    maxZoom: 18,
    subdomains: "01234567",
    attribution: (box.dataset.attribution || "").replace(/</g, "&lt;")
  }).addTo(map);
  window.L.marker(at, {
    keyboard: false,
    alt: "举报人标注的位置",
    icon: window.L.divIcon({ className: "point-marker", iconSize: [22, 22], iconAnchor: [11, 11] })
  }).addTo(map);
})();
