// The report form's place: "使用我的位置" (the browser's geolocation) and, when the site has a
// tile server, a map to pick the point on (Leaflet). The latitude and longitude fields always
// hold WGS-84; on GCJ-02 tiles (高德 and other Chinese commercial maps) points are shifted onto
// the tiles for display and back when picked. Without this script the fields are plain number
// inputs and the form works the same.
(function () {
  "use strict";
  var picker = document.getElementById("point-picker");
  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  if (!picker || !lat || !lon) { return; }
  var status = document.getElementById("locate-status");
  var locate = document.getElementById("locate");

  // The published WGS-84 → GCJ-02 transform, and its inverse by iteration (as the server's).
  var A = 6378245.0, EE = 0.006693421622965943;
  function inChina(la, lo) { return lo >= 72.004 && lo <= 137.8347 && la >= 0.8293 && la <= 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  function toGcj(la, lo) {
    if (!inChina(la, lo)) { return [la, lo]; }
    var dLa = tLat(lo - 105, la - 35), dLo = tLon(lo - 105, la - 35);
    var rad = la / 180 * Math.PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLa = (dLa * 180) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    dLo = (dLo * 180) / (A / sq * Math.cos(rad) * Math.PI);
    return [la + dLa, lo + dLo];
  }
  function fromGcj(la, lo) {
    if (!inChina(la, lo)) { return [la, lo]; }
    var w = [la, lo];
    for (var i = 0; i < 30; i++) {
      var g = toGcj(w[0], w[1]), e0 = g[0] - la, e1 = g[1] - lo;
      w = [w[0] - e0, w[1] - e1];
      if (Math.abs(e0) < 1e-8 && Math.abs(e1) < 1e-8) { break; }
    }
    return w;
  }

  var gcj = picker.dataset.datum === "gcj02";
  var map = null, marker = null;

  function say(text) { if (status) { status.textContent = text; } }

  function current() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isNaN(a) || isNaN(b) || a < -90 || a > 90 || b < -180 || b > 180) { return null; }
    return [a, b];
  }

  function show(point, zoom) {
    if (!map) { return; }
    var onTiles = gcj ? toGcj(point[0], point[1]) : point;
    if (!marker) {
      marker = window.L.marker(onTiles, {
        draggable: true,
        keyboard: true,
        title: "问题位置（可拖动）",
        alt: "问题位置",
        icon: window.L.divIcon({ className: "point-marker", iconSize: [22, 22], iconAnchor: [11, 11] })
      }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        set(gcj ? fromGcj(p.lat, p.lng) : [p.lat, p.lng], false);
      });
    } else {
      marker.setLatLng(onTiles);
    }
    map.setView(onTiles, zoom || Math.max(map.getZoom(), 16));
  }

  // Writes a WGS-84 point into the fields and tells the form (similar.js listens).
  function set(point, move) {
    lat.value = point[0].toFixed(6);
    lon.value = point[1].toFixed(6);
    if (move) { show(point); }
    lat.dispatchEvent(new Event("change", { bubbles: true }));
  }

  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function (e) {
      if (!e.isTrusted) { return; }
      var p = current();
      if (p) { show(p); }
    });
  });

  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      say("正在获取您的位置…");
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        set([pos.coords.latitude, pos.coords.longitude], true);
        say("已填入您当前的位置（误差约 " + Math.round(pos.coords.accuracy) + " 米），请核对。");
      }, function (err) {
        locate.disabled = false;
        say(err.code === 1 ? "未获得定位权限。您可以在地图上点选位置，或直接填写经纬度。"
          : "暂时无法获取位置，请稍后重试，或直接填写经纬度。");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  var tiles = picker.dataset.tiles;
  var box = document.getElementById("point-map");
  if (tiles && box && window.L) {
    box.hidden = false;
    map = window.L.map(box, { attributionControl: true, zoomControl: true });
    map.attributionControl.setPrefix(false);
    window.L.tileLayer(tiles, {
      maxZoom: 18,
      subdomains: "01234567",
      attribution: picker.dataset.attribution ? picker.dataset.attribution.replace(/</g, "&lt;") : ""
    }).addTo(map);
    var start = current();
    if (start) { show(start, 16); } else { map.setView([35, 105], 4); }
    map.on("click", function (e) {
      var p = gcj ? fromGcj(e.latlng.lat, e.latlng.lng) : [e.latlng.lat, e.latlng.lng];
      set(p, true);
      say("已在地图上标注位置，可拖动标记调整。");
    });
  }
})();
