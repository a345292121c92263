// The report form's region lists: choosing a province loads its cities, choosing a city loads
// its counties, from this server's /regions/{code}. Without this script the form still works:
// the server lists the cities of the chosen province when the form comes back.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }

  function clear(select) {
    while (select.options.length > 1) { select.remove(1); }
    select.value = "";
  }

  function load(parent, child) {
    clear(child);
    var grandchild = child.dataset.child && document.getElementById(child.dataset.child);
    if (grandchild) { clear(grandchild); }
    if (!parent.value) { return; }
    child.setAttribute("aria-busy", "true");
    fetch("/regions/" + encodeURIComponent(parent.value), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (regions) {
        regions.forEach(function (region) {
          child.add(new Option(region.name, region.code));
        });
      })
      .catch(function () { /* the server fills the list when the form is sent */ })
      .finally(function () { child.removeAttribute("aria-busy"); });
  }

  ["province", "city"].forEach(function (id) {
    var parent = document.getElementById(id);
    var child = document.getElementById(parent.dataset.child);
    parent.addEventListener("change", function () { load(parent, child); });
  });

  // Move focus to the list of problems when the form comes back with errors.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
