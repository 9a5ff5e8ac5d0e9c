/* The operator console's list (#alert-list, /alerts) by keyboard, with its selection shown. Rows are in the Tab
   order (tabindex from components/alert_console.py); here the arrow keys, Home and End move between them, Enter or
   Space selects one as a click does (Dash counts the click), and the selected row carries aria-selected="true",
   which onescreen.css highlights. Dash owns the rows and rebuilds them (a filter, a page, a pushed alert), so the
   selection is kept here by alert id and written again whenever the list changes. */
(function () {
  "use strict";
  var selectedId = null;

  function markSelection() {
    var list = document.getElementById("alert-list");
    if (!list) { selectedId = null; return; }  // another page: a later console starts with nothing selected
    Array.prototype.forEach.call(list.rows, function (row) {
      var state = row.getAttribute("data-alert-id") === selectedId ? "true" : "false";
      if (row.getAttribute("aria-selected") !== state) row.setAttribute("aria-selected", state);
    });
  }

  function rowOf(target) {
    var row = target && target.closest && target.closest("#alert-list > tr");
    return row || null;
  }

  document.addEventListener("click", function (event) {
    var row = rowOf(event.target);
    if (!row) return;
    selectedId = row.getAttribute("data-alert-id");
    markSelection();
  });

  var MOVES = {
    ArrowDown: function (row) { return row.nextElementSibling; },
    ArrowUp: function (row) { return row.previousElementSibling; },
    Home: function (row) { return row.parentElement.firstElementChild; },
    End: function (row) { return row.parentElement.lastElementChild; }
  };

  document.addEventListener("keydown", function (event) {
    var row = rowOf(event.target);
    if (!row || row !== event.target) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      row.click();
    } else if (MOVES[event.key]) {
      var next = MOVES[event.key](row);
      event.preventDefault();
      if (next) next.focus();
    }
  });

  new MutationObserver(function () {
    if (selectedId !== null) markSelection();
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
