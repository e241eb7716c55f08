// The query page: Ctrl+Enter runs the query. Examples load with the "Load example" button (a select
// that navigated on change would move keyboard users away while they browse the options: WCAG 3.2.2).
// No inline script: the Content-Security-Policy allows only files like this one.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  if (form && editor) {
    editor.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
    });
  }
})();
