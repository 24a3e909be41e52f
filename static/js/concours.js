// Concours: small progressive enhancements. Every change a judge makes carries an id made here,
// so the server applies it once however often it is sent.
(function () {
  "use strict";

  function newId() {
    // crypto.randomUUID needs a secure context; plain http on a show's local network has none.
    const a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function deviceId() {
    try {
      let id = localStorage.getItem("concours-device");
      if (!id) { id = "tablet-" + newId().slice(0, 8); localStorage.setItem("concours-device", id); }
      return id;
    } catch (e) { return "unknown-device"; }
  }

  function toUnits(text, scale) {
    const v = parseFloat(String(text).replace(",", "."));
    return isNaN(v) ? null : Math.round(v * scale);
  }

  function fromUnits(units, scale) {
    return String(Math.round(units) / scale);
  }

  function setSync(text, cls) {
    const el = document.getElementById("sync-state");
    if (el) { el.textContent = text; el.className = "sync " + (cls || ""); }
  }

  let inFlight = 0;
  // Answers that carry the reason a change was refused (not ours, locked, invalid): shown next to the field.
  const REFUSED = [403, 409, 422];

  document.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.verb !== "get") {
      evt.detail.parameters["change_id"] = newId();
      evt.detail.parameters["device"] = deviceId();
    }
  });
  document.addEventListener("htmx:beforeRequest", function () { inFlight++; setSync("Saving…", "pending"); });
  document.addEventListener("htmx:afterRequest", function (evt) {
    inFlight = Math.max(0, inFlight - 1);
    if (evt.detail.successful) { if (!inFlight) setSync("All changes saved", ""); }
    else if (evt.detail.xhr && REFUSED.includes(evt.detail.xhr.status)) { setSync("A change was refused", "failed"); }
    else { setSync("Not saved — check the connection", "failed"); }
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    // A refused value comes back as a fragment that says why: show it next to the field.
    if (REFUSED.includes(evt.detail.xhr.status)) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });

  document.addEventListener("click", function (evt) {
    const btn = evt.target.closest("button.step, button.chip");
    if (!btn) return;
    const form = btn.closest("form.line");
    const input = form && form.querySelector("input[name=value]");
    if (!input || input.disabled) return;
    const scale = parseInt(input.dataset.scale, 10);
    const max = parseInt(input.dataset.max, 10);
    const current = toUnits(input.value, scale);
    const delta = parseInt(btn.dataset.delta || btn.dataset.add, 10);
    let next = current === null ? (delta > 0 ? delta : 0) : current + delta;
    next = Math.max(0, Math.min(max, next));
    input.value = fromUnits(next, scale);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
