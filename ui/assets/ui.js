// Progressive enhancement for the organizations UI. Every page works
// without it; this file only adds conveniences. It is served from the UI's
// own origin, so the strict Content-Security-Policy allows it.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="INPUT-ID" hidden> next to a read-only
  // input. The button appears only when the script runs.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var done = document.querySelector('[data-copied="' + button.getAttribute("data-copy") + '"]');
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = function () { if (done) done.hidden = false; };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(shown, function () {
          // Permission refused: the text is selected for a manual copy.
        });
      } else {
        try { if (document.execCommand("copy")) shown(); } catch (e) { /* selected for a manual copy */ }
      }
    });
  });

  // Read-only inputs select their whole text on focus.
  document.querySelectorAll("input[data-copy-source]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Forms with data-confirm ask before a destructive post.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
