/* The guided editor (templates/admin/notices/register/step.html).

   A link from the completeness check ends in the id of a field's language
   (#f-purposes-12-name-en), of an item (#item-…) or of a part's new item
   (#part-purposes-new): its folded card is opened, the field scrolled into view
   and focused, on load and when the address's fragment changes. The current
   step is kept in view in the strip of steps on a phone. */
(function () {
  "use strict";

  // The first field to write in: a card's order number is not where the work is.
  function control(target) {
    if (target.matches("input, textarea, select")) {
      return target;
    }
    return target.querySelector(
      "input:not([type=hidden]):not([disabled]):not([name$='-order']), textarea, select"
    );
  }

  // A field of an item the page does not have (a right no longer listed): the
  // part's card for a new item instead.
  function find(id) {
    var target = id && document.getElementById(id);
    var part = !target && /^(?:f|item)-([a-z_]+)-/.exec(id);
    return target || (part && document.getElementById("part-" + part[1] + "-new"));
  }

  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = find(id);
    if (!target) {
      return;
    }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
    var field = control(target) || target;
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector(".steps-nav [aria-current=step]");
    if (current && current.parentElement) {
      var strip = current.closest("ol");
      if (strip && strip.scrollWidth > strip.clientWidth) {
        strip.scrollLeft = current.parentElement.offsetLeft - strip.offsetLeft;
      }
    }
    reveal();
  });
  // The browser's own move to the fragment, after the page has loaded, focuses the
  // page itself when the target (a cell) cannot take focus: focus the field again.
  window.addEventListener("load", function () {
    window.setTimeout(reveal, 0);
  });
  window.addEventListener("hashchange", reveal);
})();
