// Builds assets/vendor/plotly-onescreen.min.js: plotly.js's core with the trace types of entry.js, with the
// options of plotly.js's own esbuild-config.js. dcc.Graph fetches it instead of the full plotly.min.js
// (assets/plotly_bundle.js): a third less to download and a quarter of the evaluation time (see README).
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');

esbuild.build({
    entryPoints: [path.join(__dirname, 'entry.js')],
    outfile: path.join(__dirname, '..', '..', 'assets', 'vendor', 'plotly-onescreen.min.js'),
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'none',
    banner: { js: `/* plotly.js ${require('plotly.js/package.json').version} (MIT), OneScreen's partial bundle `
        + '(scripts/plotly-bundle); licences in LICENSE-plotly-onescreen.txt */' },
    metafile: true,
    plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    logLevel: 'info',
}).then(({ metafile }) => {
    // the licence of every package that put code in the bundle, beside it
    const packages = new Set(Object.keys(metafile.inputs)
        .map((file) => file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//))
        .filter(Boolean).map((match) => match[1]));
    const texts = [...packages].sort().map((name) => {
        const dir = path.join(__dirname, 'node_modules', name);
        const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
        const { version, license } = require(path.join(dir, 'package.json'));
        const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : `(${license}; no licence file)`;
        return `${name} ${version} (${license})\n\n${text}\n`;
    });
    fs.writeFileSync(path.join(__dirname, '..', '..', 'assets', 'vendor', 'LICENSE-plotly-onescreen.txt'),
        `Packages bundled in plotly-onescreen.min.js, with their licences.\n\n${texts.join('\n' + '-'.repeat(78) + '\n\n')}`);
}).catch(() => process.exit(1));
