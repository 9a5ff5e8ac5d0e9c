/* dcc.Graph loads plotly.js on first use from window._dashPlotlyJSURL, which Dash's renderer points at the full
   plotly.min.js (4.8 MB: evaluating it was 1.8 s of the wall's cold load). Pin that URL to OneScreen's partial
   bundle instead, with only the trace types the app draws (scripts/plotly-bundle): the renderer's later
   assignment is ignored. The bundle is listed in app.py's assets_ignore, so it is fetched only when a graph asks
   for it, after the page's first paint. */
(function () {
  var config = document.getElementById("_dash-config");
  var prefix = (config && JSON.parse(config.textContent).requests_pathname_prefix) || "/";
  var url = prefix + "assets/vendor/plotly-onescreen.min.js";
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: false,
    get: function () { return url; },
    set: function () {},
  });
})();
