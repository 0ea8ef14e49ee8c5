"""Sphinx settings of the static site (tools/build_site.py copies this file into its staging folder).

Sphinx + myst-nb render each notebook from its stored outputs (nothing is executed). Everything a page
needs at view time is served from the site itself: require.js, @jupyter-widgets/html-manager (draws the
saved widget state: each explorer's image at its default settings) and MathJax 3 are vendored from the
npm registry into _static/vendor/ at build time.
"""

project = "RMSProp from the ground up"
html_title = project
author = "the rmsprop_lib authors"
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks as stored: no execution; math in $...$ and $$...$$; heading anchors for cross-links.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# No CDN at view time: local copies of what myst-nb and Sphinx would load from one.
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_js_files = ["mathjax-widgets.js", "slider-names.js", "live.js"]
mathjax_path = "vendor/mathjax/tex-mml-chtml.js"
nb_ipywidgets_js = {
    "vendor/require.js": {},
    "widgets-assets.js": {},  # after require.js, before embed-amd.js: where its icon fonts are
    # a widget module not in the bundle would be asked of this site, never of a CDN
    "vendor/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/vendor/widgets-cdn/", "data-jupyter-widgets-cdn-only": ""},
}

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
html_show_sourcelink = False
html_copy_source = False
