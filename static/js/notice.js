/* Public notice pages: fold the sections on a phone, unfold them to print.
   Everything works without this script: sections are <details open>, so they read
   in full, and a reader can still fold them by hand. No requests, no storage. */
(function () {
  "use strict";
  var folds = Array.prototype.slice.call(document.querySelectorAll("details.fold"));
  if (!folds.length) {
    return;
  }
  var phone = window.matchMedia("(max-width: 40rem)");

  // Unfold the section that holds the element with this #fragment.
  function unfold(hash) {
    if (!hash || hash.length < 2) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) {
      return;
    }
    var fold = target.querySelector("details.fold") || target.closest("details.fold");
    if (fold) {
      fold.open = true;
    }
  }

  if (phone.matches) {
    folds.forEach(function (fold) {
      fold.open = false;
    });
    unfold(window.location.hash);
  }

  // A contents link to the current #fragment fires no hashchange: unfold on click too,
  // before the browser scrolls to the section.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link) {
      unfold(link.getAttribute("href"));
    }
  });
  window.addEventListener("hashchange", function () {
    unfold(window.location.hash);
  });

  // Print everything, then restore what the reader had folded.
  var before = null;
  window.addEventListener("beforeprint", function () {
    before = folds.map(function (fold) {
      return fold.open;
    });
    folds.forEach(function (fold) {
      fold.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    if (before) {
      folds.forEach(function (fold, index) {
        fold.open = before[index];
      });
      before = null;
    }
  });
})();
