'use strict';
// The latent-space explorer's plotly.js: plotly's core (the scatter trace, cartesian axes, legend, shapes,
// annotations, Plotly.toImage) and the scattergl trace, the only trace types the explorer's modules draw
// (vae/ui/explorer/assets/map_panel.js, view_film.js). tests/test_plotly_bundle.py checks that list.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/scattergl')]);
module.exports = Plotly;
