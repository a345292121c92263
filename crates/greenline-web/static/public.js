// The public pages' region lists and the figures' chart.
// Choosing a province loads its cities and choosing a city its counties, from /regions/{code};
// nothing is sent until the button is pressed. Without this script the lists still work: the
// server fills the next level when the form comes back.
// The chart (Apache ECharts, vendored) draws the monthly figures the page carries in
// #figures-data; withheld counts (null) are left out. The table under it holds the same figures.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form.public-filters"), function (form) {
    var levels = Array.prototype.slice.call(form.querySelectorAll("select.cascade"));
    levels.forEach(function (select, i) {
      select.addEventListener("change", function () {
        var deeper = levels.slice(i + 1);
        deeper.forEach(function (d) {
          while (d.options.length > 1) { d.remove(1); }
          d.value = "";
        });
        var child = deeper[0];
        if (!child || !select.value) { return; }
        child.setAttribute("aria-busy", "true");
        fetch("/regions/" + encodeURIComponent(select.value), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (regions) {
            regions.forEach(function (region) { child.add(new Option(region.name, region.code)); });
          })
          .catch(function () { /* the server fills the list when the form is sent */ })
          .finally(function () { child.removeAttribute("aria-busy"); });
      });
    });
  });

  // On a wide screen the filters are open from the start; a phone shows the results first.
  var box = document.getElementById("filter-box");
  if (box && window.matchMedia("(min-width: 48rem)").matches) { box.open = true; }

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  var source = document.getElementById("figures-data");
  var chartBox = document.querySelector('[data-chart="monthly"]');
  if (!source || !chartBox || typeof echarts === "undefined") { return; }
  var f = JSON.parse(source.textContent);
  if (!f) { return; }
  function counts(cells) { return cells.map(function (c) { return c.count; }); }
  var chart = echarts.init(chartBox, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    color: ["#0b5394", "#b45309", "#1b6e3a"],
    textStyle: { fontFamily: "inherit" },
    tooltip: { trigger: "axis", renderMode: "richText", confine: true },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: "category",
      data: f.months,
      axisLabel: {
        // 1月 … 12月, and the year under each January and the first month.
        formatter: function (m, i) {
          var month = +m.slice(5) + "月";
          return i === 0 || month === "1月" ? month + "\n" + m.slice(0, 4) + "年" : month;
        }
      }
    },
    yAxis: { type: "value", minInterval: 1 },
    // Bars side by side: three equal counts stay visible, where lines would hide each other.
    series: [
      { name: "收到", type: "bar", data: counts(f.received) },
      { name: "已受理", type: "bar", data: counts(f.accepted) },
      { name: "已办结", type: "bar", data: counts(f.concluded) }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
