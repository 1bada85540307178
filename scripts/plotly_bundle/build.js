// Builds ../../vae/ui/explorer/plotly/plotly-explorer.min.js with plotly.js's own esbuild settings
// (node_modules/plotly.js/esbuild-config.js: the same plugins, aliases and defines), minified, from entry.js.
// Run by build.sh after `npm ci`; see its header.
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const version = require('plotly.js/package.json').version;

esbuild.build({
  entryPoints: [path.join(__dirname, 'entry.js')],
  outfile: path.join(__dirname, '..', '..', 'vae', 'ui', 'explorer', 'plotly', 'plotly-explorer.min.js'),
  format: 'iife', globalName: 'Plotly', bundle: true, minify: true, sourcemap: false, target: 'es2016',
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' },
  legalComments: 'none',
  banner: { js: `/**\n* plotly.js v${version} (partial bundle for the latent-space explorer: core + scattergl;` +
                ` scripts/plotly_bundle)\n* Copyright 2012-2026, Plotly, Inc.\n* All rights reserved.\n` +
                `* Licensed under the MIT license\n*/` },
  logLevel: 'info',
}).catch(() => process.exit(1));
