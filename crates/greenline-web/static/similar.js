// "已有人反映过此问题？" on the report form: once the citizen has chosen the type and the county and
// said where (a road or compound, or a point), the reports already in hand at the same place are
// shown (no reporter detail: the server sends none). "我反映的是同一问题，关注此件" puts the tracking
// number in the form's `follows` field, so the new report joins that one; "不是同一问题" hides it.
// With a point and no county chosen yet, the county the server suggests is filled in.
// Without this script nothing is looked up and the form works the same.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var box = document.getElementById("similar");
  var follows = document.getElementById("follows");
  if (!form || !box || !follows || !window.fetch) { return; }
  var field = function (id) { return document.getElementById(id); };
  var declined = {};
  var last = "";
  var timer = null;

  function body() {
    var lat = parseFloat(field("latitude").value), lon = parseFloat(field("longitude").value);
    var point = !isNaN(lat) && !isNaN(lon);
    return {
      primary_type: field("primary_type").value,
      region: field("county").value || null,
      address: field("address").value.slice(0, 500),
      description: field("description").value.slice(0, 2000),
      latitude: point ? lat : null,
      longitude: point ? lon : null
    };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  function chosen(number) {
    follows.value = number;
    render(null);
  }

  function render(reports) {
    box.textContent = "";
    if (follows.value) {
      box.hidden = false;
      box.appendChild(el("h2", null, "已选择关注已有的举报"));
      box.appendChild(el("p", null, "您选择了与受理编号 " + follows.value +
        " 的举报为同一问题。提交后，您的举报将与其关联，由工作人员一并办理。"));
      var undo = el("button", "button", "取消关注，作为新问题提交");
      undo.type = "button";
      undo.addEventListener("click", function () { follows.value = ""; last = ""; look(); });
      box.appendChild(undo);
      return;
    }
    var shown = (reports || []).filter(function (r) { return !declined[r.tracking_no]; });
    if (!shown.length) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el("h2", null, "已有人反映过此问题？"));
    box.appendChild(el("p", null, "以下举报与您填写的问题类型和地点相同，已经受理。如果是同一问题，可以关注此件，不必重复等待。"));
    var list = el("ul", "similar-list");
    shown.forEach(function (r) {
      var item = el("li", "similar-item");
      item.appendChild(el("p", "similar-no", "受理编号 " + r.tracking_no));
      item.appendChild(el("p", null, r.primary_type_zh + " · " + r.region_name + " " + r.place));
      item.appendChild(el("p", "hint", r.received_on + " 收到 · " + r.stage_zh));
      if (r.public_summary) { item.appendChild(el("p", "similar-summary", "公开结果：" + r.public_summary)); }
      var actions = el("p", "similar-actions");
      var same = el("button", "button primary", "我反映的是同一问题，关注此件");
      same.type = "button";
      same.addEventListener("click", function () { chosen(r.tracking_no); });
      var other = el("button", "button", "不是同一问题");
      other.type = "button";
      other.addEventListener("click", function () {
        declined[r.tracking_no] = true;
        render(shown);
        field("description").focus();
      });
      actions.appendChild(same);
      actions.appendChild(other);
      item.appendChild(actions);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  // Fills the region lists with the county the server suggests for the point.
  function suggest(county) {
    var province = field("province"), city = field("city"), select = field("county");
    if (province.value || !county) { return; }
    function fill(select, parent) {
      return fetch("/regions/" + encodeURIComponent(parent), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (regions) {
          while (select.options.length > 1) { select.remove(1); }
          regions.forEach(function (region) { select.add(new Option(region.name, region.code)); });
        });
    }
    province.value = county.province;
    fill(city, county.province).then(function () {
      city.value = county.city;
      return fill(select, county.city);
    }).then(function () {
      select.value = county.county;
      var note = field("region-suggested");
      if (note) { note.textContent = "已根据标注的位置选择：" + county.name + "，请核对。"; note.hidden = false; }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }).catch(function () { /* the lists stay as they are */ });
  }

  function look() {
    if (follows.value) { render(null); return; }
    var b = body();
    var enough = b.latitude !== null || (b.address + b.description).replace(/\s/g, "").length >= 4;
    var wanted = (b.region && b.primary_type && b.primary_type !== "auto" && enough) ||
      (b.latitude !== null && !field("province").value);
    if (!wanted) { render([]); return; }
    var key = JSON.stringify(b);
    if (key === last) { return; }
    last = key;
    fetch("/api/v1/public/similar", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: key
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) {
        if (!found || key !== last) { return; }
        if (found.suggested_county) { suggest(found.suggested_county); }
        render(found.reports);
      })
      .catch(function () { /* no box: the form is sent as it is */ });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(look, 900);
  }

  ["primary_type", "county", "latitude", "longitude"].forEach(function (id) {
    field(id).addEventListener("change", look);
  });
  field("address").addEventListener("input", soon);
  field("address").addEventListener("change", look);
  field("description").addEventListener("change", look);
  if (follows.value) { render(null); }
})();
