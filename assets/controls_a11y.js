/* Dash 4's own controls, made what axe-core (WCAG) asks of them, until Dash fixes them upstream:
   - dcc.Dropdown keeps a hidden, aria-hidden input focusable (aria-hidden-focus): taken out of the tab order;
   - its clear link and the date range's clear link are <a> with an aria-label and no role (aria-prohibited-attr):
     they act as buttons, so they say so;
   - the date range's wrapper carries aria-expanded without a role that allows it (aria-allowed-attr): removed (the
     two date inputs inside carry their own names);
   - a dropdown names itself by its value only (aria-labelledby), which hides its <label for>: the label is put
     first, so a screen reader says "状态 全部在办", not just "全部在办".
   (The document's language is page_lang.js's.) A MutationObserver applies this to whatever Dash renders or re-renders. */
(function () {
  "use strict";

  function mend(root) {
    root.querySelectorAll(".dash-dropdown-focus-target[aria-hidden='true']:not([tabindex='-1'])")
      .forEach(function (input) { input.setAttribute("tabindex", "-1"); });
    root.querySelectorAll("a.dash-dropdown-clear:not([role]), a.dash-datepicker-clear:not([role])")
      .forEach(function (link) { link.setAttribute("role", "button"); });
    root.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded]:not([role])")
      .forEach(function (wrapper) { wrapper.removeAttribute("aria-expanded"); });
    root.querySelectorAll("button.dash-dropdown[id][aria-labelledby]").forEach(function (dropdown) {
      var label = document.querySelector("label[for='" + dropdown.id + "']");
      if (!label) { return; }
      label.id = label.id || dropdown.id + "-label";
      var names = dropdown.getAttribute("aria-labelledby").split(" ");
      if (names[0] !== label.id) {
        dropdown.setAttribute("aria-labelledby", [label.id].concat(names.filter(function (n) {
          return n !== label.id;
        })).join(" "));
      }
    });
  }

  function start() {
    mend(document);
    new MutationObserver(function () { mend(document); }).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded", "aria-hidden", "aria-labelledby"]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
