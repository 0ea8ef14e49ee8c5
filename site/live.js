// Live explorers on the page. Under each explorer's saved picture, the page's "run it live" line gets a
// "Make it live" button; a click starts Python in the browser (site/live-worker.js: Pyodide from the site's
// JupyterLite copy), runs the statements of the notebook that the explorer needs (tools/live_code.py wrote
// them into _static/live/<notebook>.json) and puts the working explorer in the picture's place. Its widgets
// are drawn by @jupyter-widgets/html-manager, the widget manager the page already draws the saved pictures
// with, connected to Python by comms over the worker's messages (as ipywidgets' "web3" example connects it
// to a kernel). A second explorer on the page uses the Python that is already running.
// Without JavaScript, and until a click, the page is exactly as built: this script only adds the buttons.
(() => {
  "use strict";
  const VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  const root = new URL("..", document.currentScript.src);  // this file is <site>/_static/live.js
  let kernel = null;  // one Python per page, started by the first click
  window.__live = { events: [] };  // timings, read by benchmarks/site_latency.py and the tests
  const note = (what, detail) => window.__live.events.push({ t: performance.now(), what, ...detail });

  function widgetModules() {
    return new Promise((resolve, reject) =>
      window.requirejs(["@jupyter-widgets/html-manager", "@jupyter-widgets/base"], (html, base) => resolve({ html, base }), reject));
  }

  // A comm as @jupyter-widgets/base expects of one (IClassicComm); its messages travel through the worker.
  class PageComm {
    constructor(worker, comm_id, target_name, pending) {
      Object.assign(this, { worker, comm_id, target_name, pending, early: [] });
    }
    send(data, callbacks, metadata, buffers) {
      const seq = ++PageComm.seq;
      if (callbacks) this.pending.set(seq, callbacks);
      const copies = (buffers || []).map((b) => (b instanceof ArrayBuffer ? b : b.buffer).slice(0));
      this.worker.postMessage({ type: "comm", seq, content: { comm_id: this.comm_id, data }, buffers: copies });
      return String(seq);
    }
    open() { return ""; }
    close() { return ""; }
    on_msg(callback) {  // messages that came before the model existed are handed over now
      this.onMsg = callback;
      for (const message of this.early.splice(0)) callback(message);
    }
    on_close(callback) { this.onClose = callback; }
    receive(message) { this.onMsg ? this.onMsg(message) : this.early.push(message); }
  }
  PageComm.seq = 0;

  function startKernel(program) {
    const worker = new Worker(new URL("_static/live-worker.js", root));
    const comms = new Map(), pending = new Map(), runs = new Map();
    let booted;
    const ready = new Promise((resolve, reject) => { booted = { resolve, reject }; });
    const manager = widgetModules().then(({ html }) => new html.HTMLManager({ loader: () => Promise.reject(new Error("no other widget modules")) }));
    const message = (data, buffers) => ({ ...JSON.parse(data.message), buffers: buffers.map((b) => new DataView(b)) });
    worker.onmessage = async ({ data }) => {
      if (data.type === "comm_open") {
        const msg = message(data, data.buffers);
        const comm = new PageComm(worker, msg.content.comm_id, msg.content.target_name, pending);
        comms.set(comm.comm_id, comm);
        (await manager).handle_comm_open(comm, msg);
      } else if (data.type === "comm_msg") {
        const msg = message(data, data.buffers);
        comms.get(msg.content.comm_id)?.receive(msg);
      } else if (data.type === "comm_close") {
        const msg = message(data, data.buffers);
        comms.get(msg.content.comm_id)?.onClose?.(msg);
        comms.delete(msg.content.comm_id);
      } else if (data.type === "idle") {  // Python has handled a message: the model may send the next one
        pending.get(data.seq)?.iopub?.status?.({ content: { execution_state: "idle" }, parent_header: { msg_id: String(data.seq) } });
        pending.delete(data.seq);
      } else if (data.type === "booted") {
        const shift = data.origin - performance.timeOrigin;  // the worker's clock starts later than the page's
        note("booted", { worker: data.marks.map(([t, what]) => [t + shift, what]),
                         resources: data.resources.map(([name, start, end, size]) => [name, start + shift, end + shift, size]) });
        booted.resolve();
      } else if (data.type === "ran") {
        runs.get(data.id)?.(data);
        runs.delete(data.id);
      } else if (data.type === "failed") {
        booted.reject(new Error(data.error));
        for (const done of runs.values()) done({ error: data.error });
      }
    };
    worker.postMessage({ type: "boot", pyodide: new URL(program.pyodide, root).href, kernel: new URL("_static/live_kernel.py", root).href,
                                bytecode: new URL("_static/live/bytecode.zip", root).href });
    let next = 0;
    const run = (statements) => new Promise((resolve) => {
      const id = ++next;
      runs.set(id, resolve);
      worker.postMessage({ type: "run", id, statements });
    });
    return { ready, manager, run };
  }

  async function program(page) {
    const response = await fetch(new URL(`_static/live/${page}.json`, root));
    if (!response.ok) throw new Error(`no live program for ${page} (HTTP ${response.status})`);
    return response.json();
  }

  async function makeLive(index, page, output, status, button, intro, link) {
    note("click", { index });
    button.disabled = true;
    const first = kernel === null;
    status.textContent = first ? " Starting Python in your browser (the first explorer of a page takes a few seconds)…" : " Running…";
    try {
      const code = await program(page);
      kernel = kernel || startKernel(code);
      await kernel.ready;
      status.textContent = " Python is running; computing the explorer…";
      const statements = code.explorers[index].map((id) => [id, code.statements[id]]);
      const ran = await kernel.run(statements);
      if (ran.error) throw new Error(ran.error);
      note("ran", { index, timings: ran.result.timings });
      const manager = await kernel.manager;
      const model = await manager.get_model(ran.result.model_id);
      const view = await manager.create_view(model);
      const live = document.createElement("div");
      live.className = "widget-subarea live-explorer";
      live.dataset.explorer = index;
      const saved = output.querySelector(".widget-subarea:not(.live-explorer)");
      output.insertBefore(live, saved || output.querySelector(VIEW));
      await manager.display_view(view, live);
      if (saved) saved.hidden = true;
      note("shown", { index });
      // the saved picture is hidden now: the line says what is shown instead
      link.textContent = "opened in JupyterLab";
      intro.replaceChildren("▶ The explorer above runs in Python in your browser; it can also be ", link, ".");
      status.textContent = " Live: move the controls.";
      live.querySelector(".noUi-handle, input, select")?.focus();
    } catch (error) {
      console.error(error);
      status.textContent = ` The live explorer could not start: ${error.message}`;
      button.disabled = false;
    }
  }

  function addControls() {
    const lines = [...document.querySelectorAll("p.run-live")];
    lines.forEach((line, index) => {
      let cell = line.previousElementSibling;
      while (cell && !cell.querySelector(VIEW)) cell = cell.previousElementSibling;
      const link = line.querySelector("a");
      const page = link && new URL(link.href).searchParams.get("path")?.replace(/\.ipynb$/, "");
      if (!cell || !page) return;
      const output = cell.querySelector(VIEW).parentElement;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "make-live";
      button.dataset.explorer = index;
      button.textContent = "Make it live";
      const status = document.createElement("span");
      status.className = "live-status";
      status.setAttribute("role", "status");
      link.textContent = "open it in JupyterLab";
      const intro = document.createElement("span");
      intro.append("▶ This is the saved picture at the default settings. ", button, " to move the controls here, or ",
                   link, ".");
      line.replaceChildren(intro, status);
      button.addEventListener("click", () => makeLive(index, page, output, status, button, intro, link));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addControls);
  else addControls();
})();
