// The dashboard's charts (Apache ECharts, vendored), drawn from the figures the page carries in
// #dashboard-data. Every bar, slice, point and step opens the case list of the cases behind it.
// Choosing a region reloads the page with the next level's list. Without this script the page
// still shows every figure in its tables, with the same links.
(function () {
  "use strict";
  var form = document.getElementById("dashboard-form");
  if (form) {
    var levels = Array.prototype.slice.call(form.querySelectorAll("select.cascade"));
    levels.forEach(function (select, i) {
      select.addEventListener("change", function () {
        levels.slice(i + 1).forEach(function (deeper) { deeper.value = ""; });
        form.submit();
      });
    });
  }

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  var GREEN = "#1b6e3a";
  var PALETTE = ["#1b6e3a", "#0b5394", "#b45309", "#7c3aed", "#be123c", "#0f766e", "#4d7c0f",
    "#a16207", "#475569", "#9d174d"];
  var charts = [];
  // On a phone the pie's outer labels would be cut off: its legend and table carry the names.
  var narrow = window.innerWidth < 600;

  function open(query) {
    if (query) { window.location.href = "/console?" + query; }
  }

  function pct(share) {
    return share === null || share === undefined ? "—" : (share * 100).toFixed(1) + "%";
  }

  function monthEnd(month) {
    var parts = month.split("-");
    var last = new Date(Date.UTC(+parts[0], +parts[1], 0)).getUTCDate();
    return month + "-" + (last < 10 ? "0" : "") + last;
  }

  function draw(name, option, click, rows) {
    var box = document.querySelector('[data-chart="' + name + '"]');
    if (!box) { return; }
    if (rows) { box.style.height = Math.max(240, rows * 26 + 60) + "px"; }
    var chart = echarts.init(box, null, { renderer: "canvas" });
    option.color = option.color || PALETTE;
    // Drawn at once: the figures are read, not watched.
    option.animation = false;
    option.textStyle = { fontFamily: "inherit" };
    option.tooltip = Object.assign({ renderMode: "richText", confine: true }, option.tooltip || {});
    chart.setOption(option);
    chart.on("click", function (p) { click(p.dataIndex, p); });
    charts.push(chart);
  }

  function bars(items, label, value, text) {
    var shown = items.slice().reverse();
    return {
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { hideOverlap: true } },
      yAxis: { type: "category", data: shown.map(label), axisLabel: { width: 120, overflow: "truncate" } },
      tooltip: { trigger: "item" },
      series: [{
        type: "bar", data: shown.map(value), itemStyle: { color: GREEN }, cursor: "pointer",
        barMaxWidth: 28,
        label: { show: true, position: "right", formatter: function (p) { return text(shown[p.dataIndex]); } }
      }]
    };
  }

  // Bars are drawn bottom-up, so a click's index counts from the end of the list.
  function fromEnd(items, pick) {
    return function (i) { pick(items[items.length - 1 - i]); };
  }

  var months = d.volume.months;
  draw("volume", {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: months.map(function (m) { return m.month; }) },
    yAxis: { type: "value", name: "件" },
    tooltip: { trigger: "item" },
    series: [{
      type: "line", data: months.map(function (m) { return m.count; }), symbolSize: 9,
      itemStyle: { color: GREEN }, cursor: "pointer", triggerLineEvent: true
    }]
  }, function (i) {
    var m = months[i];
    if (!m) { return; }
    open((d.volume.cases ? d.volume.cases + "&" : "") + "received_from=" + m.month + "-01&received_to=" + monthEnd(m.month));
  });

  draw("types", bars(d.types, function (s) { return s.label; }, function (s) { return s.count; },
    function (s) { return s.count + "（" + pct(s.share) + "）"; }),
    fromEnd(d.types, function (s) { open(s.cases); }), d.types.length);

  draw("channels", {
    tooltip: { trigger: "item", formatter: "{b}：{c}件（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    series: [{
      type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], cursor: "pointer",
      label: { show: !narrow, formatter: "{b}\n{d}%" },
      data: d.channels.map(function (s) { return { name: s.label, value: s.count }; })
    }]
  }, function (i) { open(d.channels[i] && d.channels[i].cases); });

  if (d.regions.length) {
    draw("regions", bars(d.regions, function (s) { return s.label; }, function (s) { return s.count; },
      function (s) { return String(s.count); }),
      fromEnd(d.regions, function (s) { open(s.cases); }), d.regions.length);
  }

  draw("funnel", {
    tooltip: { trigger: "item", formatter: "{b}：{c}件" },
    series: [{
      type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "24%",
      cursor: "pointer", label: { position: "inside", formatter: "{b} {c}", color: "#fff" },
      data: d.funnel.map(function (f) { return { name: f.label, value: f.count }; })
    }]
  }, function (i) { open(d.funnel[i] && d.funnel[i].cases); });

  if (d.topics.length) {
    var scope = (d.region && d.region !== "000000" ? "&region=" + d.region : "") +
      (d.type ? "&type=" + d.type : "");
    draw("topics", bars(d.topics, function (t) { return t.term; }, function (t) { return t.count; },
      function (t) { return t.count + (t.emerging ? " 新" : ""); }),
      fromEnd(d.topics, function (t) { open("q=" + encodeURIComponent(t.term) + scope); }), d.topics.length);
  }

  var ranked = d.units.slice(0, 20);
  if (ranked.length) {
    draw("units", bars(ranked, function (u) { return u.rank + ". " + u.name; },
      function (u) { return u.on_time_rate === null ? 0 : +(u.on_time_rate * 100).toFixed(1); },
      function (u) { return pct(u.on_time_rate); }),
      fromEnd(ranked, function (u) { open(u.case_list); }), ranked.length);
  }

  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
}());
