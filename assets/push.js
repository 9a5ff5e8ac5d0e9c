/* The wall's alert ticker (components/ticker.py AlertTicker): rows arrive as data from the live push and are drawn
   here, keyed by stream id; a row whose data did not change is not redrawn, so an update touches only the rows it
   moved or changed (dashboards/_live_ticker.py). */
(function () {
  var React = window.React;
  var h = React.createElement;

  var SHOWN = ["severity", "label", "time", "headline", "group", "count", "badge", "sent", "received", "status",
               "status_label"];
  function sameRow(before, after) {
    return SHOWN.every(function (name) { return before.row[name] === after.row[name]; });
  }

  var Row = React.memo(function (props) {
    var r = props.row;
    return h("li", {className: "ticker-item severity-" + r.severity, "data-alert-id": r.id,
                    "data-severity": r.severity, "data-group": r.group, "data-count": String(r.count),
                    "data-sent": r.sent, "data-received": r.received || "", "data-status": r.status || ""},
             h("span", {className: "ticker-level"}, r.label),
             h("span", {className: "ticker-time"}, r.time),
             h("span", {className: "ticker-headline"},
               r.status_label ? h("span", {className: "ticker-status"}, r.status_label) : null, r.headline),
             h("span", {className: "ticker-count"}, r.badge));
  }, sameRow);

  function AlertTicker(props) {
    return h("ul", {id: props.id, className: props.className},
             ((props.data || {}).rows || []).map(function (row) { return h(Row, {key: row.id, row: row}); }));
  }

  /* The storm summary (components/storm_summary.py StormSummary): a line per stormy minute, hidden when calm. */
  function StormSummary(props) {
    var lines = (props.data || {}).lines || [];
    return h("div", {id: props.id, className: props.className, hidden: lines.length === 0},
             lines.map(function (line) {
               return h("div", {key: line.minute, className: "storm-line", "data-minute": line.minute,
                                "data-count": line.count, "data-groups": line.groups,
                                "data-severity": line.severity, "data-district": line.district}, line.text);
             }));
  }

  /* Dash's renderer keeps an undo history of every input prop changed other than by a callback's response
     (history.past, for its dev tools' undo button) and never trims it. A pushed page changes such props for ever:
     the stream heartbeat every 2 s, the watchdog's n_intervals, the refresh intervals. That list was the wall's
     slow JS heap growth (~1 entry a second, issue 17). Nothing on these pages undoes, so the list is cut back to
     its newest entries in place (the reducer only ever reads it to append or undo). */
  var HISTORY_KEEP = 10;
  function trimHistory() {
    (window.dash_stores || []).forEach(function (store) {
      var past = ((store.getState() || {}).history || {}).past;
      if (past && past.length > HISTORY_KEEP) { past.splice(0, past.length - HISTORY_KEEP); }
    });
  }
  setInterval(trimHistory, 2000);

  window.onescreen_push = {AlertTicker: AlertTicker, StormSummary: StormSummary, trimHistory: trimHistory};
})();
