// The call-taker's desk (来电登记). As the operator types, asks this server's
// POST /api/v1/desk/suggestions (with the session the page signed in with) and shows the
// suggested type, the place the words name, earlier reports of the same source and the caller's
// earlier cases; keyboard shortcuts take them over. Without this script the form still saves.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // The result page: Alt+N starts the next call.
  var again = byId("again");
  if (again) {
    again.focus();
    document.addEventListener("keydown", function (e) {
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyN") {
        e.preventDefault();
        window.location.assign(again.getAttribute("href"));
      }
    });
    return;
  }

  var form = byId("desk-form");
  if (!form) { return; }
  var fields = {
    description: byId("description"),
    address: byId("address"),
    phone: byId("reporter_phone"),
    anonymous: byId("anonymous"),
    province: byId("province"),
    city: byId("city"),
    county: byId("county"),
    type: byId("primary_type"),
    subType: byId("sub_type"),
    link: byId("link")
  };
  var panel = byId("suggestions");
  var latest = null;        // the last answer
  var phoneCases = null;    // the last phone look-up's answer (kept while the number stays)
  var phoneAsked = "";      // the digits last looked up
  var timer = null;
  var asked = 0;

  // ---- the region lists -------------------------------------------------------------------

  function clear(select) {
    while (select.options.length > 1) { select.remove(1); }
    select.value = "";
  }

  function load(parent, child) {
    clear(child);
    var grandchild = child.dataset.child && byId(child.dataset.child);
    if (grandchild) { clear(grandchild); }
    if (!parent.value) { return Promise.resolve(); }
    child.setAttribute("aria-busy", "true");
    return fetch("/regions/" + encodeURIComponent(parent.value), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (regions) {
        regions.forEach(function (region) { child.add(new Option(region.name, region.code)); });
      })
      .catch(function () { /* the server lists them when the form comes back */ })
      .finally(function () { child.removeAttribute("aria-busy"); });
  }

  [fields.province, fields.city].forEach(function (parent) {
    var child = byId(parent.dataset.child);
    parent.addEventListener("change", function () { load(parent, child).then(schedule); });
  });
  fields.county.addEventListener("change", schedule);

  // Chooses province, city and county in turn, loading each list.
  function chooseRegion(place) {
    var steps = [[fields.province, place.province], [fields.city, place.city], [fields.county, place.county]];
    var chain = Promise.resolve();
    steps.forEach(function (step, i) {
      chain = chain.then(function () {
        var select = step[0], value = step[1];
        if (!value) { return; }
        if (select.value === value) { return; }
        select.value = value;
        var child = select.dataset.child && byId(select.dataset.child);
        if (child && i < 2) { return load(select, child); }
      });
    });
    return chain;
  }

  function chosenRegion() {
    return fields.county.value || fields.city.value || fields.province.value || null;
  }

  // ---- asking the server ------------------------------------------------------------------

  function digits(text) { return (text || "").replace(/\D/g, ""); }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 400);
  }

  function ask() {
    timer = null;
    var draft = {
      description: fields.description.value,
      address: fields.address.value,
      region: chosenRegion()
    };
    // Each phone look-up is recorded: only a complete number, and only once per number.
    var phone = fields.anonymous.checked ? "" : digits(fields.phone.value);
    if (phone.length >= 7 && phone !== phoneAsked) {
      draft.phone = fields.phone.value;
    }
    if (!draft.description.trim() && !draft.address.trim() && !draft.phone) { return; }
    var ticket = ++asked;
    fetch("/api/v1/desk/suggestions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(draft)
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || ticket !== asked) { return; }
        if (draft.phone) {
          phoneAsked = digits(draft.phone);
          phoneCases = answer.same_phone || [];
        }
        latest = answer;
        show(answer);
      })
      .catch(function () { /* suggestions are a help, not a need */ });
  }

  ["input", "change"].forEach(function (kind) {
    fields.description.addEventListener(kind, schedule);
    fields.address.addEventListener(kind, schedule);
    fields.phone.addEventListener(kind, schedule);
  });
  fields.anonymous.addEventListener("change", function () {
    if (fields.anonymous.checked) { phoneCases = null; phoneAsked = ""; }
    schedule();
  });

  // ---- showing the answer -----------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function keys(letter) {
    return el("span", { "class": "key" }, [el("kbd", { text: "Alt" }), "+", el("kbd", { text: letter })]);
  }

  function section(id, title, body) {
    return el("div", { "class": "hint-block", id: id }, [el("h3", { text: title })].concat(body));
  }

  function show(answer) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    if (answer.types) {
      var t = answer.types;
      var label = t.primary_type_zh + (t.sub_type_zh ? " / " + t.sub_type_zh : "");
      var useType = el("button", { type: "button", "class": "button small", id: "use-type" }, ["采用 ", keys("T")]);
      useType.addEventListener("click", applyType);
      panel.appendChild(section("hint-type", "建议类型", [
        el("p", {}, [el("strong", { text: label }), "（置信度 " + Math.round(t.confidence * 100) + "%）"]),
        useType
      ]));
    }
    if (answer.place) {
      var p = answer.place;
      var body = [el("p", {}, [el("strong", { text: p.region_name }), p.address ? "　" + p.address : ""])];
      if (p.within_jurisdiction) {
        var usePlace = el("button", { type: "button", "class": "button small", id: "use-place" }, ["采用 ", keys("P")]);
        usePlace.addEventListener("click", applyPlace);
        body.push(usePlace);
      } else {
        body.push(el("p", { "class": "warn", text: "该地点不在本单位管辖范围内：请告知来电人向当地生态环境部门反映，或拨打 12345。" }));
      }
      panel.appendChild(section("hint-place", "识别的地点", body));
    }
    var repeats = answer.same_source || [];
    if (repeats.length) {
      var list = el("ol", { "class": "repeats desk-repeats", id: "hint-repeats" });
      repeats.forEach(function (c, i) {
        var item = el("li", { "class": c.same_source ? "likely" : "", "data-no": c.tracking_no }, [
          keys(String(i + 1)), " ",
          el("span", { "class": "code", text: c.tracking_no }), " ",
          c.received_on + " · " + c.region_name + " · " + c.stage_zh + " · 相似度 " + Math.round(c.score * 100) + "%",
          el("br"),
          el("span", { "class": "note", text: c.evidence.join("；") })
        ]);
        if (fields.link.value.trim().toUpperCase() === c.tracking_no) { item.classList.add("chosen"); }
        list.appendChild(item);
      });
      panel.appendChild(section("hint-same", "疑似同一污染源的早先举报", [list,
        el("p", { "class": "hint" }, ["按 ", keys("1"), "～", keys("3"), " 关联，", keys("0"), " 取消关联"])]));
    }
    if (phoneCases && phoneCases.length) {
      var calls = el("ul", { "class": "plain", id: "hint-phone" });
      phoneCases.forEach(function (c) {
        calls.appendChild(el("li", {}, [el("span", { "class": "code", text: c.tracking_no }), " " +
          c.received_on + " · " + c.primary_type_zh + " · " + c.region_name + " · " + c.stage_zh]));
      });
      panel.appendChild(section("hint-phone-block", "该号码的来电记录", [calls]));
    } else if (phoneCases) {
      panel.appendChild(section("hint-phone-block", "该号码的来电记录", [el("p", { "class": "hint", text: "本辖区内没有该号码的来电记录。" })]));
    }
    var answers = answer.answers || [];
    if (answers.length) {
      var offered = el("ul", { "class": "plain", id: "hint-answers" });
      answers.forEach(function (a) {
        offered.appendChild(el("li", {}, [
          el("a", { href: a.url, target: "_blank", rel: "noopener", text: a.question }),
          el("br"),
          el("span", { "class": "note", text: a.summary })
        ]));
      });
      panel.appendChild(section("hint-answers-block", "可以告诉来电人的解答", [offered]));
    }
    if (!answer.same_source_ready) {
      panel.appendChild(el("p", { "class": "hint", text: "早先举报正在载入，疑似重复提示稍后显示。" }));
    }
    if (!panel.firstChild) {
      panel.appendChild(el("p", { "class": "hint", text: "暂无提示。" }));
    }
    var status = el("p", { "class": "link-status", id: "link-status" });
    panel.appendChild(status);
    showLink();
  }

  function showLink() {
    var status = byId("link-status");
    var value = fields.link.value.trim();
    if (status) { status.textContent = value ? "已关联早先举报 " + value : ""; }
    document.querySelectorAll("#hint-repeats li").forEach(function (li) {
      li.classList.toggle("chosen", li.getAttribute("data-no") === value.toUpperCase());
    });
  }
  fields.link.addEventListener("input", showLink);

  // ---- the sub-types of the chosen type ----------------------------------------------------

  // Only the chosen type's sub-types are offered (all of them while no type is chosen); a
  // sub-type of another type is cleared.
  function narrowSubTypes() {
    var type = fields.type.value;
    Array.prototype.forEach.call(fields.subType.querySelectorAll("optgroup"), function (group) {
      var other = type !== "" && group.getAttribute("data-type") !== type;
      group.hidden = other;
      group.disabled = other;
    });
    var chosen = fields.subType.selectedOptions[0];
    if (chosen && chosen.parentNode.disabled) { fields.subType.value = ""; }
  }
  fields.type.addEventListener("change", narrowSubTypes);
  narrowSubTypes();

  // ---- taking a suggestion over -----------------------------------------------------------

  function applyType() {
    if (!latest || !latest.types) { return; }
    fields.type.value = latest.types.primary_type;
    narrowSubTypes();
    fields.subType.value = latest.types.sub_type || "";
  }

  function applyPlace() {
    if (!latest || !latest.place || !latest.place.within_jurisdiction) { return; }
    var place = latest.place;
    chooseRegion(place).then(function () {
      if (place.address && !fields.address.value.trim()) { fields.address.value = place.address; }
    });
  }

  function link(index) {
    var repeats = (latest && latest.same_source) || [];
    if (index === 0) { fields.link.value = ""; showLink(); return; }
    var chosen = repeats[index - 1];
    if (!chosen) { return; }
    fields.link.value = chosen.tracking_no;
    showLink();
  }

  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) { return; }
    var handled = true;
    switch (e.code) {
      case "KeyS":
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        break;
      case "KeyT": applyType(); break;
      case "KeyP": applyPlace(); break;
      case "Digit0": link(0); break;
      case "Digit1": link(1); break;
      case "Digit2": link(2); break;
      case "Digit3": link(3); break;
      default: handled = false;
    }
    if (handled) { e.preventDefault(); }
  });

  // The form came back with errors: to the list of them.
  var summary = byId("error-summary");
  if (summary) { summary.focus(); }
  if (fields.description.value.trim()) { schedule(); }
})();
