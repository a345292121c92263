// "这些解答也许对您有帮助" on the report form (and, with data-desk, nothing: the desk draws its
// own from the desk's suggestions). As the citizen describes the problem, the published plain
// answers whose words the text contains are offered beside the form, each linking to its page
// in a new tab so that nothing typed is lost. The report is still sent as it is.
// Without this script nothing is looked up and the form works the same.
(function () {
  "use strict";
  var box = document.getElementById("answer-offer");
  var description = document.getElementById("description");
  if (!box || !description || !window.fetch) { return; }
  var last = "";
  var timer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  function render(hints) {
    box.textContent = "";
    if (!hints || !hints.length) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el("h2", null, "这些解答也许对您有帮助"));
    var list = el("ul", "answer-offer-list");
    hints.forEach(function (h) {
      var item = el("li", "answer-offer-item");
      var link = el("a", null, h.question);
      link.href = h.url;
      link.target = "_blank";
      link.rel = "noopener";
      var title = el("p", "answer-offer-q");
      title.appendChild(link);
      item.appendChild(title);
      item.appendChild(el("p", null, h.summary));
      list.appendChild(item);
    });
    box.appendChild(list);
    box.appendChild(el("p", "hint", "解答在新窗口打开，您填写的内容不会丢失。看过解答后仍需反映的，请继续填写并提交。"));
  }

  function look() {
    var text = description.value.slice(0, 2000);
    if (text.replace(/\s/g, "").length < 2) { last = ""; render([]); return; }
    if (text === last) { return; }
    last = text;
    fetch("/api/v1/public/answers/match", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: text })
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (hints) {
        if (hints && text === last) { render(hints); }
      })
      .catch(function () { /* nothing offered: the form is sent as it is */ });
  }

  description.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(look, 700);
  });
  description.addEventListener("change", look);
  if (description.value) { look(); }
})();
