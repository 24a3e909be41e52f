// Concours: small progressive enhancements, and the judge's offline queue.
//
// Every change a judge makes carries an id made here, so the server applies it once however often it is sent.
// Autosaves do not go straight to the network: each change is first written to a queue in localStorage (it
// survives a reload, a crash, a flat battery), then sent from the queue in order, one at a time. When the
// server cannot be reached the change stays queued and is replayed when the browser says it is online again,
// on a periodic retry, and on the next page load. No service worker and no Background Sync: this works on
// iPad Safari and over plain http on a show's local network. Without this script, htmx posts directly.
//
// Each change also carries the stored value it was based on (base_value/base_note, base_comment). If the line
// holds something else by the time the change arrives (another device, a stale page) the server refuses it
// with 409 and the current values, which are put back on the screen.
(function () {
  "use strict";

  const QUEUE_KEY = "concours-queue-v1";
  const RETRY_MS = 4000;
  // A line is saved this long after the judge stops typing in it (no need to leave the box).
  const TYPING_MS = 700;
  // A save with no answer in this time (Wi-Fi that hangs rather than refuses) is counted as queued and retried;
  // the change id makes a retry of a save that did arrive harmless.
  const ANSWER_MS = 8000;
  // The judge's sheets kept for an offline reload (by the service worker, where the browser allows one).
  const SHEET_CACHE = "concours-judging-v1";
  // Each page load sends its own changes; another tab's are left to it (so the tab that made a change is the
  // one that shows its answer), unless they are older than this, when that tab is gone and this one adopts them.
  const ORPHAN_MS = 10000;
  const PAGE_ID = newId();
  // Refusals that name a reason about the change itself: the change is dropped and the reason shown.
  const REFUSED = [400, 403, 404, 409, 413, 422];

  // The texts the judge reads, in the page's language: the page renders them (templates/judging/_sync_texts.html,
  // a JSON block, not a script); English when a page has none. "{name}" in a text is filled from `values`.
  let texts = null;
  function t(key, english, values) {
    if (texts === null) {
      const el = document.getElementById("sync-texts");
      try { texts = el ? JSON.parse(el.textContent) || {} : {}; } catch (e) { texts = {}; }
    }
    const text = typeof texts[key] === "string" ? texts[key] : english;
    return text.replace(/\{(\w+)\}/g, (all, name) => (values && name in values ? String(values[name]) : all));
  }

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

  // ---- the queue, kept in localStorage (in memory when storage is refused, e.g. old private browsing)
  let memoryQueue = null;

  function loadQueue() {
    if (memoryQueue) return memoryQueue.slice();
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }

  function storeQueue(q) {
    try { localStorage.setItem(QUEUE_KEY, JSON.stringify(q)); memoryQueue = null; }
    catch (e) { memoryQueue = q.slice(); }
  }

  function queueUser() {
    const el = document.getElementById("sync-state");
    return el ? el.dataset.queueUser || "" : "";
  }

  function mine(q) {
    const user = queueUser();
    return q.filter((item) => item.user === user);
  }

  // ---- what the judge sees
  let offline = false;
  let refused = false;
  let blocked = "";  // a reason the queue cannot be sent until the judge acts (signed out, expired form)
  let submitHeld = false;  // the judge tried to submit with changes still waiting
  let refusedLine = null;  // {key, name, message}: the last refused change, named in the bar
  const typingTimers = {};  // line key -> timer of a save waiting for the judge to stop typing

  function showSync() {
    const el = document.getElementById("sync-state");
    if (!el) return;
    const n = mine(loadQueue()).length;
    el.dataset.pending = String(n);
    let text, cls;
    const waiting = n === 1 ? t("waiting_one", "{n} change waiting", { n: n }) : t("waiting_other", "{n} changes waiting", { n: n });
    if (!n) submitHeld = false;
    if (blocked) { text = blocked + (n ? " — " + waiting : ""); cls = "failed"; }
    else if (submitHeld) {
      text = n === 1
        ? t("held_one", "Not submitted: {n} change is still waiting to be sent", { n: n })
        : t("held_other", "Not submitted: {n} changes are still waiting to be sent", { n: n });
      cls = "failed";
    }
    else if (n && offline) {
      text = t("offline", "Offline — {waiting} (queued, sent when the connection is back)", { waiting: waiting });
      cls = "pending";
    }
    else if (n) { text = t("saving_waiting", "Saving… {waiting}", { waiting: waiting }); cls = "pending"; }
    else if (refused && refusedLine) {
      text = t("not_saved", "Not saved — {line}: {message}", { line: refusedLine.name, message: refusedLine.message });
      cls = "failed";
    }
    else if (refused) { text = t("refused", "A change was refused"); cls = "failed"; }
    else if (Object.keys(typingTimers).length) { text = t("typing", "Typing…"); cls = "pending"; }
    else { text = t("saved", "All changes saved"); cls = ""; }
    el.textContent = text;
    el.className = "sync " + cls;
    if (n) showLocalTotal();
  }

  // While changes wait, the running total is worked out here from what is on the screen (the server's answer
  // replaces it once they are saved).
  function showLocalTotal() {
    const total = document.getElementById("sheet-total");
    const inputs = document.querySelectorAll("form.line input[name=value]");
    if (!total || !inputs.length) return;
    let sum = 0, max = 0, missing = 0, scale = 1;
    inputs.forEach(function (input) {
      scale = parseInt(input.dataset.scale, 10);
      const weight = parseInt(input.dataset.weight || "100", 10) / 100;
      const maximum = parseInt(input.dataset.max, 10);
      const typed = input.value.trim() ? toUnits(input.value, scale) : null;
      max += maximum * weight;
      if (typed === null) { missing++; return; }
      sum += (input.closest("form").dataset.mode === "deduction" ? maximum - typed : typed) * weight;
    });
    const fmt = (u) => String(Math.round((u / scale) * 100) / 100);
    total.innerHTML = "";
    total.append(t("total", "Total") + " ");
    const strong = document.createElement("strong");
    strong.textContent = fmt(sum);
    total.append(strong, " / " + fmt(max) + " ");
    const small = document.createElement("small");
    small.textContent = missing
      ? t("unsaved_missing", "({n} to score, not yet saved)", { n: missing })
      : t("unsaved", "(not yet saved)");
    total.append(small);
  }

  function lineState(key) { return document.getElementById("state-" + key); }

  function markLine(key, text, cls) {
    const el = lineState(key);
    if (el) { el.textContent = text; el.className = "save-state " + cls; }
  }

  // ---- bases: what the server holds (or will hold once the queue is sent) for each line
  const bases = {};

  function baseOf(key) {
    if (bases[key]) return bases[key];
    const el = lineState(key);
    if (!el) return null;
    if ("baseComment" in el.dataset) return { comment: el.dataset.baseComment };
    if ("baseValue" in el.dataset) return { value: el.dataset.baseValue, note: el.dataset.baseNote || "" };
    return null;
  }

  function predictValue(form, text) {
    // The stored units after this change: points as typed, or the maximum less the typed deduction.
    const input = form.querySelector("input[name=value]");
    if (!String(text).trim()) return "";
    const typed = toUnits(text, parseInt(input.dataset.scale, 10));
    if (typed === null) return "?";
    return String(form.dataset.mode === "deduction" ? parseInt(input.dataset.max, 10) - typed : typed);
  }

  // What a line's form holds, to send a change only when it differs from the last one sent (typing, then
  // leaving the box, then pressing Return must not save three times).
  const lastSent = {};

  function signature(form) {
    const parts = [];
    new FormData(form).forEach((v, k) => { if (typeof v === "string") parts.push(k + "=" + v); });
    return parts.join("&");
  }

  function cancelTyping(key) {
    if (typingTimers[key]) { clearTimeout(typingTimers[key]); delete typingTimers[key]; }
  }

  function enqueue(form) {
    const key = form.dataset.autosave;
    cancelTyping(key);
    const sig = signature(form);
    if (lastSent[key] === sig) { showSync(); return; }
    lastSent[key] = sig;
    const fields = {};
    new FormData(form).forEach((v, k) => { if (typeof v === "string") fields[k] = v; });
    fields.change_id = newId();
    fields.device = deviceId();
    const base = baseOf(key);
    let after;
    if ("comment" in fields) {
      if (base && "comment" in base) fields.base_comment = base.comment;
      after = { comment: fields.comment.trim() };
    } else {
      if (base && "value" in base) { fields.base_value = base.value; fields.base_note = base.note; }
      after = { value: predictValue(form, fields.value || ""), note: (fields.note || "").trim() };
    }
    bases[key] = after;
    const q = loadQueue();
    q.push({
      id: fields.change_id, url: form.getAttribute("hx-post"), key: key, fields: fields, sig: sig,
      user: queueUser(), page: location.pathname, pageId: PAGE_ID, at: Date.now(),
    });
    storeQueue(q);
    markLine(key, offline ? t("queued", "Queued") : t("saving", "Saving…"), "pending");
    showSync();
    pump();
  }

  // ---- sending, in order, one at a time
  let sending = false;
  let retryTimer = null;

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function removeItem(id) {
    storeQueue(loadQueue().filter((item) => item.id !== id));
  }

  function scheduleRetry(delay) {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; pump(); }, delay || RETRY_MS);
  }

  function applyFragment(item, html, status) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const pendingForKey = mine(loadQueue()).some((other) => other.key === item.key);
    Array.from(tpl.content.children).forEach(function (el) {
      el.removeAttribute("hx-swap-oob");
      const old = el.id && document.getElementById(el.id);
      if (old) old.replaceWith(el);
    });
    const state = lineState(item.key);
    if (!state) return;
    if (status === 409 || (item.pageId !== PAGE_ID && !pendingForKey)) {
      // Someone else's write won (or another tab's change was answered here): show the values the server
      // holds now, and base the next change on them.
      const form = state.closest("form");
      if (form) {
        const input = form.querySelector("input[name=value]");
        const note = form.querySelector("textarea[name=note]");
        const comment = form.querySelector("textarea[name=comment]");
        if (input && "shown" in state.dataset) input.value = state.dataset.shown;
        if (note && "baseNote" in state.dataset) note.value = state.dataset.baseNote;
        if (comment && "baseComment" in state.dataset) comment.value = state.dataset.baseComment;
        syncChecks(form);
      }
      // Later queued changes of this line were based on the refused one: they will be refused in turn.
    }
    // What is now saved is what this change carried (or, refused, what the server holds and the form now
    // shows) — never what the form holds now: the judge may have typed more while the answer was on its way,
    // and that is still to be sent.
    const answered = document.querySelector('form[data-autosave="' + item.key + '"]');
    if (answered && !pendingForKey) lastSent[item.key] = status === 200 && item.sig ? item.sig : signature(answered);
    if (!pendingForKey) delete bases[item.key];  // the server's answer is the truth again
    else if (status === 200) markLine(item.key, t("saving", "Saving…"), "pending");
  }

  function pump() {
    if (sending) return;
    const q = mine(loadQueue());
    if (!q.length) { offline = false; showSync(); return; }
    if (blocked) { showSync(); return; }
    const item = q[0];
    if (item.pageId !== PAGE_ID && Date.now() - item.at < ORPHAN_MS) { scheduleRetry(); return; }
    sending = true;
    const body = new URLSearchParams(item.fields);
    const abort = window.AbortController ? new AbortController() : null;
    const timer = abort ? setTimeout(function () { abort.abort(); }, ANSWER_MS) : null;
    fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "x-csrftoken": csrfToken(), "hx-request": "true" },
      signal: abort ? abort.signal : undefined,
    }).then(function (response) {
      if (timer) clearTimeout(timer);
      return response.text().then(function (text) {
        return { status: response.status, text: text, type: response.headers.get("content-type") || "",
                 retryAfter: response.headers.get("retry-after") };
      });
    }).then(function (r) {
      sending = false;
      offline = false;
      if (r.status === 200) {
        removeItem(item.id);
        applyFragment(item, r.text, 200);
        markValid(item.key, true);
        refused = false;
        refusedLine = null;
      } else if (r.status === 401) {
        blocked = t("signed_out", "Signed out: sign in again to send your changes");
      } else if (r.status === 403 && /expired/i.test(r.text) && r.type.indexOf("text/html") !== 0) {
        blocked = t("reload", "Reload the page to send your changes");
      } else if (REFUSED.includes(r.status)) {
        removeItem(item.id);
        refused = true;
        if (r.type.indexOf("text/html") === 0) applyFragment(item, r.text, r.status);
        else markLine(item.key, r.text, "failed");
        showRefusal(item.key);
      } else {
        // 503 (the database is briefly away, e.g. restarting), a proxy's 502/504 while the app restarts, or
        // anything else unexpected: the change stays queued and is sent again, after Retry-After if given.
        offline = true;
        mine(loadQueue()).forEach((it) => markLine(it.key, t("queued", "Queued"), "pending"));
        const wait = parseInt(r.retryAfter || "", 10);
        scheduleRetry(isNaN(wait) ? RETRY_MS : Math.min(Math.max(wait, 1), 60) * 1000);
        showSync();
        return;
      }
      showSync();
      if (!blocked) pump();
    }).catch(function () {
      if (timer) clearTimeout(timer);
      sending = false;
      offline = true;
      mine(loadQueue()).forEach((it) => markLine(it.key, t("queued", "Queued"), "pending"));
      showSync();
      scheduleRetry();
    });
  }

  // A refused change: its line is marked invalid, its message (the server's fragment, beside the line) is what
  // the field describes, the bar names the line, and the line is scrolled into view and focused.
  function fieldOf(key) {
    const form = document.querySelector('form[data-autosave="' + key + '"]');
    return form ? form.querySelector("input[name=value], textarea[name=comment]") : null;
  }

  function markValid(key, valid) {
    const field = fieldOf(key);
    if (!field) return;
    if (valid) field.removeAttribute("aria-invalid");
    else field.setAttribute("aria-invalid", "true");
  }

  function showRefusal(key) {
    const form = document.querySelector('form[data-autosave="' + key + '"]');
    const state = lineState(key);
    const heading = form && form.querySelector("h2");
    const name = heading ? (heading.firstChild ? heading.firstChild.textContent : heading.textContent).trim() : t("a_line", "a line");
    lastSent[key] = form ? signature(form) : "";
    refusedLine = { key: key, name: name, message: state ? state.textContent.trim() : t("see_line", "see the line") };
    markValid(key, false);
    if (form) {
      form.scrollIntoView({ block: "center", behavior: "smooth" });
      const field = fieldOf(key);
      if (field && !field.disabled) field.focus({ preventScroll: true });
    }
  }

  // After a reload: put the queued values back on the screen, and base later changes on them.
  function restoreQueued() {
    const all = loadQueue();
    all.forEach(function (item) {
      if (item.user !== queueUser()) return;
      const form = document.querySelector('form[data-autosave="' + item.key + '"]');
      if (!form || form.getAttribute("hx-post") !== item.url) return;
      item.pageId = PAGE_ID;  // this page shows the change now: it sends it and shows the answer
      ["value", "note", "comment"].forEach(function (name) {
        const field = form.querySelector("[name=" + name + "]");
        if (field && name in item.fields) field.value = item.fields[name];
      });
      syncChecks(form);
      if ("comment" in item.fields) bases[item.key] = { comment: item.fields.comment.trim() };
      else bases[item.key] = { value: predictValue(form, item.fields.value || ""), note: (item.fields.note || "").trim() };
      markLine(item.key, t("queued", "Queued"), "pending");
    });
    storeQueue(all);
  }

  document.addEventListener("htmx:confirm", function (evt) {
    const form = evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("form[data-autosave]");
    if (!form || !queueUser()) return;  // no queue on this page: htmx posts as usual
    evt.preventDefault();
    enqueue(form);
  });

  // htmx's own requests (pages without the queue).
  document.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.verb !== "get") {
      evt.detail.parameters["change_id"] = newId();
      evt.detail.parameters["device"] = deviceId();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    // A refused value comes back as a fragment that says why: show it next to the field.
    if ([403, 409, 422].includes(evt.detail.xhr.status)) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });

  // A form with data-confirm="question" asks before it is sent (instead of an inline onsubmit, which the
  // Content-Security-Policy forbids).
  document.addEventListener("submit", function (evt) {
    const form = evt.target.closest && evt.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) evt.preventDefault();
  });

  // Submitting signs the sheet: never with changes of it still waiting to be sent.
  document.addEventListener("submit", function (evt) {
    const form = evt.target.closest && evt.target.closest("form.submit-sheet");
    if (!form) return;
    const waiting = mine(loadQueue()).filter((item) => item.page === location.pathname).length;
    if (waiting) {
      evt.preventDefault();
      submitHeld = true;
      showSync();
      pump();
    }
  });

  // A function check toggles: the first tap fails it (deducts once, shown pressed, named in the note for
  // the entrant); a second tap clears it (gives the points back, takes it out of the note).
  const FAILED = "Failed checks: ";
  function failedChecks(note) {
    const line = note ? note.value.split("\n").find((l) => l.startsWith(FAILED)) : null;
    return line ? line.slice(FAILED.length).split(", ").filter(Boolean) : [];
  }

  // The checks shown selected are the ones the note names (after a reload or another device's change).
  function syncChecks(form) {
    const failed = failedChecks(form.querySelector("textarea[name=note]"));
    form.querySelectorAll("button.chip.check").forEach(function (b) {
      b.setAttribute("aria-pressed", failed.includes(b.dataset.label) ? "true" : "false");
    });
  }

  function toggleCheck(btn, form) {
    const note = form.querySelector("textarea[name=note]");
    const failing = btn.getAttribute("aria-pressed") !== "true";
    btn.setAttribute("aria-pressed", failing ? "true" : "false");
    if (note) {
      const lines = note.value.split("\n");
      let at = lines.findIndex((l) => l.startsWith(FAILED));
      let labels = at >= 0 ? lines[at].slice(FAILED.length).split(", ").filter(Boolean) : [];
      labels = labels.filter((l) => l !== btn.dataset.label);
      if (failing) labels.push(btn.dataset.label);
      if (at < 0) { lines.unshift(""); at = 0; }
      if (labels.length) lines[at] = FAILED + labels.join(", ");
      else lines.splice(at, 1);
      note.value = lines.join("\n").trim();
    }
    return failing ? 1 : -1;
  }

  document.addEventListener("click", function (evt) {
    const btn = evt.target.closest("button.step, button.chip");
    if (!btn) return;
    const form = btn.closest("form.line");
    const input = form && form.querySelector("input[name=value]");
    if (!input || input.disabled) return;
    const scale = parseInt(input.dataset.scale, 10);
    const max = parseInt(input.dataset.max, 10);
    const current = toUnits(input.value, scale);
    const sign = btn.classList.contains("check") ? toggleCheck(btn, form) : 1;
    const delta = sign * parseInt(btn.dataset.delta || btn.dataset.add, 10);
    let next = current === null ? (delta > 0 ? delta : 0) : current + delta;
    next = Math.max(0, Math.min(max, next));
    input.value = fromUnits(next, scale);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // ---- photo inputs: sizes checked before anything is sent (the server keeps typed fields either way)
  // The words come from the input's data-t-* attributes, in the page's language (English when absent).
  function megabytes(input, bytes) {
    const lang = document.documentElement.lang || "en";
    const n = (bytes / 1048576).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    return fill(input.dataset.tMb || "{n} MB", { n: n });
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
  }

  function photoProblem(input) {
    const maxEach = parseInt(input.dataset.maxBytes, 10);
    const maxTotal = parseInt(input.dataset.maxTotal, 10);
    const files = Array.from(input.files || []);
    const big = files.filter((f) => f.size > maxEach);
    if (big.length) {
      const each = big.map((f) => fill(input.dataset.tSize || "{name} is {size}", { name: f.name, size: megabytes(input, f.size) }));
      return fill(input.dataset.tTooBig || "{files}; a photo may be at most {limit}. Choose a smaller photo (or a lower camera size).",
        { files: each.join(", "), limit: megabytes(input, maxEach) });
    }
    const total = files.reduce((sum, f) => sum + f.size, 0);
    if (total > maxTotal) {
      return fill(input.dataset.tTooMuch || "These photos come to {total}; one sending carries at most {limit}. Send fewer now and add the others afterwards.",
        { total: megabytes(input, total), limit: megabytes(input, maxTotal) });
    }
    return "";
  }

  function checkPhotos(input) {
    const message = photoProblem(input);
    const box = input.parentElement.querySelector("#e-photos-browser");
    if (box) { box.textContent = message; box.hidden = !message; }
    if (message) {
      input.value = "";  // nothing too large is sent; what was typed elsewhere stays as it is
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "e-photos-browser");
    } else if (box) {
      input.removeAttribute("aria-invalid");
    }
    return !message;
  }

  document.addEventListener("change", function (evt) {
    const input = evt.target;
    if (input && input.matches && input.matches("input[type=file][data-max-bytes]")) checkPhotos(input);
  });
  document.addEventListener("submit", function (evt) {
    const inputs = evt.target.querySelectorAll ? evt.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    Array.from(inputs).forEach(function (input) {
      if (!checkPhotos(input)) { evt.preventDefault(); input.focus(); }
    });
  }, true);

  // Typing saves once the judge pauses: no need to leave the box first.
  document.addEventListener("input", function (evt) {
    const form = evt.target.closest && evt.target.closest("form[data-autosave]");
    if (!form || !queueUser() || evt.target.disabled) return;
    const key = form.dataset.autosave;
    cancelTyping(key);
    typingTimers[key] = setTimeout(function () { delete typingTimers[key]; enqueue(form); }, TYPING_MS);
    showSync();
  });

  // Return in a score box or note saves the line; it never submits the form as a page (which would reload it).
  document.addEventListener("submit", function (evt) {
    const form = evt.target.closest && evt.target.closest("form[data-autosave]");
    if (!form) return;
    evt.preventDefault();
    if (queueUser()) enqueue(form);
    else if (window.htmx) window.htmx.trigger(form, "change");
  });

  // A sheet restored from the back/forward cache may be out of date (submitted since, changed on another
  // device): load it afresh before anything can be typed into it.
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted && queueUser()) {
      document.querySelectorAll("form[data-autosave] input, form[data-autosave] textarea, form[data-autosave] button, form.submit-sheet button")
        .forEach(function (el) { el.disabled = true; });
      location.reload();
    }
  });

  // Offline reload: a service worker keeps the judge's pages (where the browser allows one: https or localhost).
  // Where it does not, leaving a sheet while offline with changes queued asks first (they stay queued either way).
  function offlineSupport() {
    const signedIn = Boolean(queueUser()) || document.body.dataset.signedIn === "1";
    if (!signedIn) {
      // Signed out (or another person's turn on a shared tablet): nothing of the last judge's stays cached.
      if (window.caches) window.caches.delete(SHEET_CACHE).catch(function () {});
      return;
    }
    if (!queueUser() || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register("/judging/sw.js", { scope: "/judging/" }).then(function () {
      // The judge's list of cars: keep every one of their sheets for offline use, not only those opened.
      const links = Array.from(document.querySelectorAll('a[href^="/judging/entries/"]'))
        .map((a) => a.getAttribute("href")).filter((h) => /^\/judging\/entries\/\d+$/.test(h));
      if (links.length && window.caches) {
        window.caches.open(SHEET_CACHE).then(function (cache) {
          links.forEach(function (href) {
            fetch(href, { credentials: "same-origin" }).then(function (resp) { if (resp.ok) cache.put(href, resp); })
              .catch(function () {});
          });
        }).catch(function () {});
      }
    }).catch(function () {});
  }

  window.addEventListener("beforeunload", function (evt) {
    const controlled = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (offline && !controlled && mine(loadQueue()).length) { evt.preventDefault(); evt.returnValue = ""; }
  });

  window.addEventListener("online", function () { offline = false; pump(); });
  window.addEventListener("offline", function () { offline = true; showSync(); });
  window.addEventListener("storage", function (evt) { if (evt.key === QUEUE_KEY) showSync(); });
  setInterval(function () { if (mine(loadQueue()).length) pump(); }, RETRY_MS * 2);

  function start() {
    offlineSupport();
    if (!queueUser()) return;
    restoreQueued();
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      lastSent[form.dataset.autosave] = signature(form);  // what is on the screen is saved, or queued
    });
    showSync();
    pump();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
