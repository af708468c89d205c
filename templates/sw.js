// Doorstep's service worker: hand-written, no library (about 90 lines). After one visit
// online, the volunteer referral form, the check-in form and the day's visit list open
// with no connection. Only those pages and our own static files are kept on the device;
// every other page goes to the network as before (record pages stay Cache-Control:
// no-store and are never put in this cache). Signing out empties it (Clear-Site-Data, and
// the page's "sign-out" message for browsers without that header).
"use strict";
var CACHE = "doorstep-offline-{{ version }}";
var PAGES = {{ pages|safe }};
var ASSETS = {{ assets|safe }};

function usable(response) {
  // Only a page this user may open: no error, no redirect to the sign-in page.
  return response && response.ok && !response.redirected && response.type === "basic";
}

function keep(cache, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (usable(response)) return cache.put(url, response);
  }).catch(function () { /* offline or refused: the next visit online fills it */ });
}

function fill() {
  return caches.open(CACHE).then(function (cache) {
    // One request at a time: gentle on a small server (the embedded SQLite mode above all).
    return ASSETS.concat(PAGES).reduce(function (done, url) {
      return done.then(function () { return keep(cache, url); });
    }, Promise.resolve());
  });
}

function empty() {
  return caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("doorstep-") === 0;
    }).map(function (key) { return caches.delete(key); }));
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(fill().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("doorstep-offline-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

// Network first, so an online visit always shows today's page and refreshes the copy;
// the copy answers only when the network cannot.
function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (usable(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(key);
    }).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.indexOf(url.pathname) !== -1 || ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});

self.addEventListener("message", function (event) {
  var kind = event.data && event.data.type;
  if (kind === "sign-out") event.waitUntil(empty());
  if (kind === "refresh") event.waitUntil(fill());
});
