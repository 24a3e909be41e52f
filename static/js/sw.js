// Concours: the judge's pages for an offline reload. Registered by concours.js on the judge's screens
// (scope /judging/) where the browser allows a service worker (https, or localhost).
//
// Pages under /judging/ are fetched from the network first and kept here; when the network fails (the lawn's
// Wi-Fi), the kept copy is shown, and concours.js puts the judge's queued changes back on it. Static files
// (versioned URLs) and photos are served from here once kept. Nothing is kept across a sign-out: concours.js
// deletes this cache on any page seen signed out.
"use strict";

const CACHE = "concours-judging-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (evt) { evt.waitUntil(self.clients.claim()); });

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }).catch(function () {});
  }
  return response;
}

self.addEventListener("fetch", function (evt) {
  const request = evt.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const page = request.mode === "navigate" && url.pathname.startsWith("/judging/");
  const asset = url.pathname.startsWith("/static/") || /\/photos?\//.test(url.pathname);
  if (!page && !asset) return;
  if (asset && url.searchParams.has("v")) {
    // A versioned static file never changes: the kept copy is as good as the network's.
    evt.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (resp) { return keep(request, resp); });
    }));
    return;
  }
  evt.respondWith(fetch(request).then(function (resp) { return keep(request, resp); }).catch(function () {
    return caches.match(request, { ignoreSearch: page }).then(function (hit) {
      if (hit) return hit;
      return new Response(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
        "<title>Offline</title><p style='font:1.2rem sans-serif;padding:1rem'>You are offline and this page " +
        "was not kept on this tablet. Go back to a sheet you have opened: your changes are kept and are sent " +
        "when the connection is back.</p>",
        { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
    });
  }));
});
