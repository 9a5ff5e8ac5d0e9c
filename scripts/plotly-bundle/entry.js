'use strict';
// OneScreen's plotly.js: the core (scatter) and only the trace types the app draws.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scattergl'),
    require('plotly.js/lib/histogram2dcontour'),
    require('plotly.js/lib/choroplethmap'),
    require('plotly.js/lib/scattermap'),
]);

module.exports = Plotly;
