/* Copy buttons next to read-only snippets (the company page's embed snippets).
   Without this script the snippet is still there to select and copy by hand. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    field.focus();
    field.select();
    var done = function () {
      button.setAttribute("aria-live", "polite");
      button.firstChild.textContent = button.getAttribute("data-copied");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
