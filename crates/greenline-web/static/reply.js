// The case page's reply templates: choosing one fills the reply text at once with the
// template as the server filled it for this case. Without this script the "使用模板" button
// reloads the page with the text filled in.
(function () {
  "use strict";
  var pick = document.getElementById("reply-template");
  var text = document.getElementById("reply-text");
  if (!pick || !text) { return; }
  pick.addEventListener("change", function () {
    var option = pick.options[pick.selectedIndex];
    if (option && option.dataset.text) {
      text.value = option.dataset.text;
      text.focus();
    }
  });
})();
