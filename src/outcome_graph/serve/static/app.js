// The query page: load a saved query into the editor, run with Ctrl+Enter. Works without it too.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var picker = document.getElementById("example");
  var data = document.getElementById("examples-data");
  if (!form || !editor || !picker || !data) { return; }
  var examples = {};
  JSON.parse(data.textContent).forEach(function (e) { examples[e.name] = e; });
  picker.addEventListener("change", function () {
    var e = examples[picker.value];
    if (e) { editor.value = e.text; editor.focus(); }
  });
  form.addEventListener("submit", function () {
    // The editor's text is what runs; the picker only filled it in.
    picker.disabled = true;
  });
  editor.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
  });
})();
