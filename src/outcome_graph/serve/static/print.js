// The audit's "Print or save as PDF" button (no inline script: the Content-Security-Policy allows only files).
// Printed from the browser too, nothing is hidden: every collapsed section opens before printing.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.setAttribute("open", ""); });
  });
})();
