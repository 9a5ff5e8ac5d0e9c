/* The wall's alert ticker (components/ticker.py AlertTicker): rows arrive as data from the live push and are drawn
   here, keyed by stream id, so a prepend creates only the new rows' elements and leaves the others untouched. */
(function () {
  var React = window.React;
  var h = React.createElement;

  var Row = React.memo(function (props) {
    var r = props.row;
    return h("li", {className: "ticker-item severity-" + r.severity, "data-alert-id": r.id,
                    "data-severity": r.severity, "data-group": r.group, "data-count": String(r.count),
                    "data-sent": r.sent},
             h("span", {className: "ticker-level"}, r.label),
             h("span", {className: "ticker-time"}, r.time),
             h("span", {className: "ticker-headline"}, r.headline),
             h("span", {className: "ticker-count"}, r.badge));
  });

  function AlertTicker(props) {
    return h("ul", {id: props.id, className: props.className},
             ((props.data || {}).rows || []).map(function (row) { return h(Row, {key: row.id, row: row}); }));
  }

  window.onescreen_push = {AlertTicker: AlertTicker};
})();
