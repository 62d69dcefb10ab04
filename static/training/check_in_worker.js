/* The check-in page's service worker (loaded by sessions.check_in_views.check_in_service_worker, which sets
   self.CHECK_IN first: the cache name, the page's path and its static files).

   Its scope is the one check-in page, so no other page of the site goes through it. It keeps the page and
   its static files: the page is asked from the network first (a fresh copy replaces the kept one; an
   answer that is not the page, such as a sign-in redirect or a 403, removes it), and the kept copy is
   shown when the network is gone. Static files come from the kept copies. Everything else, the API
   included, goes to the network untouched: the roster and the scans are kept by the page in IndexedDB. */
/* global CHECK_IN */
"use strict";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CHECK_IN.cache)
      .then((cache) => cache.addAll([CHECK_IN.page, ...CHECK_IN.files]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CHECK_IN.prefix) && name !== CHECK_IN.cache)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function pageFromNetwork(request) {
  return fetch(request)
    .then((response) => {
      const isPage = response.ok && !response.redirected && response.type === "basic";
      return caches.open(CHECK_IN.cache).then((cache) => {
        if (isPage) return cache.put(CHECK_IN.page, response.clone()).then(() => response);
        if (response.status < 500) return cache.delete(CHECK_IN.page).then(() => response);
        return cache.match(CHECK_IN.page, { ignoreVary: true }).then((kept) => kept || response);
      });
    })
    .catch(() => caches.match(CHECK_IN.page, { ignoreVary: true }).then((kept) => kept || Response.error()));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === CHECK_IN.page && request.mode === "navigate") {
    event.respondWith(pageFromNetwork(request));
  } else if (CHECK_IN.files.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { ignoreVary: true }).then((kept) => kept || fetch(request)));
  }
});
