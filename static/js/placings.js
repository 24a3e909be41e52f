// Placings sheet: move cars up and down the order with big buttons (no dragging needed). Each move sends
// the whole order through the judge's offline queue (concours.js): the order form changes, htmx asks to
// post it, and the queue stores it in localStorage and sends it in order when the network allows.
(function () {
  "use strict";
  const QUEUE_KEY = "concours-queue-v1";

  function list() { return document.querySelector("ol.placings-order"); }
  function orderForm() { return document.getElementById("order-form"); }

  // The page's language (templates/judging/_sync_texts.html): the places as the page writes them, and the sentence
  // a screen reader hears after a move; English when the page has none.
  let texts = null;
  function text(key) {
    if (texts === null) {
      const el = document.getElementById("sync-texts");
      try { texts = el ? JSON.parse(el.textContent) || {} : {}; } catch (e) { texts = {}; }
    }
    return texts[key];
  }

  function ordinal(n) {
    const places = text("places");
    if (Array.isArray(places) && typeof places[n - 1] === "string") return places[n - 1];
    const s = (n % 100 >= 11 && n % 100 <= 13) ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
    return n + s;
  }

  function movedText(title, place) {
    const moved = text("moved");
    if (typeof moved !== "string") return title + " is now " + place;
    return moved.replace(/\{(\w+)\}/g, (all, name) => ({ car: title, place: place })[name] || all);
  }

  function currentOrder() {
    return Array.from(list().children).map((li) => li.dataset.entry);
  }

  function renumber() {
    const items = Array.from(list().children);
    const editable = !!document.querySelector("form.submit-sheet");
    items.forEach(function (li, i) {
      li.querySelector(".place").textContent = ordinal(i + 1);
      const up = li.querySelector("button.move[data-dir=up]");
      const down = li.querySelector("button.move[data-dir=down]");
      if (up) up.disabled = !editable || i === 0;
      if (down) down.disabled = !editable || i === items.length - 1;
    });
    const text = currentOrder().join(",");
    document.querySelectorAll("input[name=order]").forEach((input) => { input.value = text; });
  }

  function applyOrder(ids) {
    const ol = list();
    const byId = {};
    Array.from(ol.children).forEach((li) => { byId[li.dataset.entry] = li; });
    if (ids.length !== ol.children.length || !ids.every((id) => byId[id])) return;
    ids.forEach((id) => ol.appendChild(byId[id]));
    renumber();
  }

  document.addEventListener("click", function (evt) {
    const btn = evt.target.closest && evt.target.closest("ol.placings-order button.move");
    if (!btn || !window.htmx) return;  // without htmx the button posts the move form (works without scripts)
    evt.preventDefault();
    if (btn.disabled) return;
    const li = btn.closest("li");
    const ol = list();
    if (btn.dataset.dir === "up" && li.previousElementSibling) ol.insertBefore(li, li.previousElementSibling);
    else if (btn.dataset.dir === "down" && li.nextElementSibling) ol.insertBefore(li.nextElementSibling, li);
    renumber();
    const place = Array.from(ol.children).indexOf(li) + 1;
    const live = document.getElementById("placings-live");
    if (live) live.textContent = movedText(li.dataset.title, ordinal(place));
    // keep the finger (and the keyboard focus) on the car that moved
    const again = li.querySelector("button.move[data-dir=" + btn.dataset.dir + "]");
    (again && !again.disabled ? again : li.querySelector("button.move:not([disabled])") || btn).focus();
    orderForm().querySelector("input[name=order]").dispatchEvent(new Event("change", { bubbles: true }));
  });

  // After a reload with an order still waiting in the queue: show that order, not the server's older one.
  function restore() {
    if (!list() || !orderForm()) return;
    let queue = [];
    try { queue = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { queue = []; }
    const user = document.getElementById("sync-state").dataset.queueUser || "";
    const url = orderForm().getAttribute("hx-post");
    const mine = queue.filter((it) => it.user === user && it.url === url && it.fields && it.fields.order);
    if (mine.length) applyOrder(mine[mine.length - 1].fields.order.split(","));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
