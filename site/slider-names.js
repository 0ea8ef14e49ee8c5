// Slider handles get the name their label shows. ipywidgets 8 draws a slider as a noUiSlider handle,
// <div role="slider" aria-valuetext="0.1" tabindex="0">, beside a <label> that is not tied to it, so a screen
// reader announces "slider, 0.1" with no name (axe: aria-input-field-name; upstream: ipywidgets issue 2650,
// noUiSlider issue 1223). The widget manager draws the saved widgets after the page has loaded, so this
// watches the page and points each new handle at its label (aria-labelledby). Keyboard use needs nothing:
// the handle takes the focus (Tab) and moves with the arrow keys, Page Up/Down, Home and End.
(() => {
  let made = 0;
  const name = (root) => {
    for (const slider of root.querySelectorAll(".widget-slider")) {
      const label = slider.querySelector(":scope > .widget-label");
      const handle = slider.querySelector(".noUi-handle");
      if (!label || !handle || handle.hasAttribute("aria-labelledby") || !label.textContent.trim()) continue;
      if (!label.id) label.id = `slider-label-${++made}`;
      handle.setAttribute("aria-labelledby", label.id);
    }
  };
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver(() => name(document.body)).observe(document.body, { childList: true, subtree: true });
    name(document.body);
  });
})();
