'use strict';
// OneScreen's plotly.js: the core (scatter), only the trace types the app draws, and the zh-CN locale (month and
// day names, date format, modebar texts) that graphs select with config={"locale": "zh-CN"}: shipped here, no CDN.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scattergl'),
    require('plotly.js/lib/histogram2dcontour'),
    require('plotly.js/lib/choroplethmap'),
    require('plotly.js/lib/scattermap'),
    require('plotly.js/lib/locales/zh-cn'),
]);

module.exports = Plotly;
