// Writes the matplotlib font cache (fontlist.json) that Pyodide's matplotlib builds at its first import.
// Usage: node lite/fontlist.mjs PYODIDE_DIR OUT_FILE   (`python tools/build_lite.py --refresh-fontlist` runs it)
import { pathToFileURL } from "node:url";
import { writeFileSync } from "node:fs";
import path from "node:path";

const [dir, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.resolve(dir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.resolve(dir) + "/", stdout: () => {}, stderr: () => {} });
await pyodide.loadPackage(["matplotlib"], { messageCallback: () => {} });
const text = pyodide.runPython(`
import json, matplotlib, matplotlib.font_manager as fm
from pathlib import Path
json.dumps({"matplotlib": matplotlib.__version__, "version": fm.FontManager.__version__,
            "text": Path(fm.__file__).with_name("fontlist.json").read_text()})
`);
writeFileSync(out, text);
