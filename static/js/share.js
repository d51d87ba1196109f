/* Kindred: a "Copy link" button for templates/groups/_share.html.
   Without JavaScript the link stays in a read-only box that people can select. */
(function () {
  "use strict";

  function copy(input) {
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    return new Promise(function (resolve, reject) {
      (document.execCommand("copy") ? resolve : reject)();
    });
  }

  function enhance(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".share").querySelector(".share-status");
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(input).then(
        function () { if (status) status.textContent = button.getAttribute("data-copied"); },
        function () { input.focus(); }
      );
    });
  }

  function init() {
    document.querySelectorAll("button[data-copy]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
