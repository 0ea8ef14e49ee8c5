// The widget manager (@jupyter-widgets/html-manager) typesets widget labels with MathJax 2's API,
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the pages load MathJax 3. This maps that call
// onto MathJax 3's typesetPromise, before the widgets render (they render on the window's load event).
document.addEventListener("DOMContentLoaded", () => {
  if (window.MathJax === undefined || window.MathJax.Hub !== undefined) return;
  window.MathJax.Hub = {
    Queue(...jobs) {
      for (const job of jobs) {
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
          const typeset = () => window.MathJax.typesetPromise([job[2]]).catch(() => {});
          if (window.MathJax.startup && window.MathJax.startup.promise) window.MathJax.startup.promise.then(typeset);
        }
      }
    },
  };
});
