/* Accessibility fixes for the admin's translation tabs (django-modeltranslation on
   our vendored jQuery UI). Loaded with `defer` from templates/admin/base_site.html:
   after jQuery UI, before the tabs are built on "ready".

   - A jQuery UI tab is an <li role="tab"> holding a link that can still take focus
     (tabindex -1), which makes an interactive control inside another. Once the tabs
     are built, each link keeps its #fragment in data-tab-href instead of href, so
     only the tab itself is focusable; jQuery UI treats such a tab as local.
   - modeltranslation's "all languages" <select> next to the page title gets a name
     and shows the language whose tabs are open.
   - The search icons of Django's two-box "filter_horizontal" widget carry an
     aria-label on a plain <span>, which names nothing: they become images.
*/
(function () {
  "use strict";
  var script = document.currentScript;

  // SelectFilter2 builds its widgets on "load", in a listener added before this one.
  // Also on pages without the translation tabs (the guided steps load no jQuery UI).
  window.addEventListener("load", function () {
    document.querySelectorAll(".selector .help-tooltip[aria-label]:not([role])").forEach(
      function (icon) {
        icon.setAttribute("role", "img");
      }
    );
  });

  var $ = window.django && window.django.jQuery;
  if (!$ || !$.ui || !$.ui.tabs) {
    return;
  }

  $.widget("ui.tabs", $.ui.tabs, {
    _processTabs: function () {
      this.element.find("a[data-tab-href]").each(function () {
        this.setAttribute("href", this.getAttribute("data-tab-href"));
      });
      this._super();
      this.anchors.each(function () {
        var href = this.getAttribute("href");
        if (href && href.charAt(0) === "#") {
          this.setAttribute("data-tab-href", href);
          this.removeAttribute("href");
        }
      });
    },
    _isLocal: function (anchor) {
      return anchor.hasAttribute("data-tab-href") || this._super(anchor);
    }
  });

  // A text in one of the notice's languages says which (WCAG 3.1.2, language of parts),
  // so that a screen reader reads it in that language: the translated inputs and the
  // read-only values of a translated field (its row's class ends "_<language>").
  $(function () {
    var codes = Array.prototype.map.call(
      document.querySelectorAll(".language-switch [lang]"),
      function (el) { return el.getAttribute("lang"); }
    );
    codes.forEach(function (code) {
      var suffix = "_" + code.replace("-", "_");
      document.querySelectorAll('.form-row[class*="' + suffix + '"], td[class*="' + suffix + '"]').forEach(
        function (row) {
          var named = Array.prototype.some.call(row.classList, function (name) {
            return name.indexOf("field-") === 0 && name.slice(-suffix.length) === suffix;
          });
          if (!named) {
            return;
          }
          row.querySelectorAll(".readonly, input.mt, textarea.mt, p").forEach(function (el) {
            el.setAttribute("lang", code);
          });
        }
      );
    });
  });

  $(function () {
    var label = script && script.getAttribute("data-switch-label");
    var select = document.getElementById("modeltranslation-main-switch");
    if (select && label && !select.hasAttribute("aria-label")) {
      select.setAttribute("aria-label", label);
    }
    // It starts on the first language whatever tab is open; show the open one.
    var open = document.querySelector(".ui-tabs-nav li.ui-tabs-active");
    if (select && open) {
      select.value = String($(open).index());
    }
  });
})();
