// Where @jupyter-widgets/html-manager finds its own assets (the Font Awesome fonts of its widgets' icons).
// Its bundle takes them from the folder of its AMD module "@jupyter-widgets/html-manager/dist/libembed-amd",
// which require.js, by default, puts at /@jupyter-widgets/html-manager/dist/ under the page: three 404s on
// every page. tools/build_site.py copies the fonts next to embed-amd.js, in _static/vendor/, and this script
// (loaded after require.js, before embed-amd.js) maps the module's folder there.
require.config({paths: {"@jupyter-widgets/html-manager/dist": new URL("vendor", document.currentScript.src).href}});
