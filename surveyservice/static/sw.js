// The service worker: keeps the forms and the app's files on the device, so that a
// form opens and takes answers without a network, after a reload and after the
// browser was closed. Served at /sw.js with the release filled in, so that every
// release of the app's files is a new worker.

const RELEASE = "__RELEASE__";
const APP_CACHE = `app-${RELEASE}`;
// Pages outlive releases: a new release must never leave a tablet with a form it
// can no longer open offline.
const PAGE_CACHE = "pages";
// The areas' map images (/f/<token>/map-<version>.jpg): a version never changes, so
// the copy kept is the answer, with or without a network.
const MAP_CACHE = "maps";
// The app's files under their versioned URLs (?v=<hash of the file>).
const APP_FILES = __APP_FILES__;
// Looked up by path: form.js imports "./outbox.js", which resolves without the version.
const APP_PATHS = new Set(APP_FILES.map((file) => new URL(file, location.href).pathname));
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(APP_CACHE).then((cache) => cache.addAll(APP_FILES)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("app-") && name !== APP_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
    await refreshPages();
  })());
});

function isPage(url) {
  return url.pathname.startsWith("/f/") || url.pathname.startsWith("/staff/");
}

function isAreaMap(url) {
  return /^\/f\/[^/]+\/map-\d+\.(jpg|png)$/.test(url.pathname);
}

async function areaMap(request) {
  const cache = await caches.open(MAP_CACHE);
  const copy = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (copy) return copy;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    // A new version replaces the old one of the same point.
    const folder = new URL(request.url).pathname.replace(/[^/]+$/, "");
    for (const old of await cache.keys()) {
      if (new URL(old.url).pathname.startsWith(folder)) await cache.delete(old);
    }
    await cache.put(request, response.clone());
  }
  return response;
}

async function keepPage(request, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    await (await caches.open(PAGE_CACHE)).put(request, response.clone());
  }
  return response;
}

// After a release, fetch the kept pages again while the connection is there, so they
// refer to the new files; keep the old copy when that fails.
async function refreshPages() {
  const cache = await caches.open(PAGE_CACHE);
  for (const request of await cache.keys()) {
    try {
      await keepPage(request, await fetch(request, { cache: "no-store", credentials: "same-origin" }));
    } catch {
      // Offline now: the old copy stays.
    }
  }
}

async function networkFirst(request) {
  const cached = caches.match(request, { cacheName: PAGE_CACHE, ignoreVary: true });
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("slow")), NETWORK_WAIT_MS)),
    ]);
    return await keepPage(request, response);
  } catch (error) {
    const copy = await cached;
    if (copy) return copy;
    throw error;
  }
}

async function cacheFirst(request) {
  // This release's cache holds one copy of each file, so a match by path alone is
  // the file this release serves.
  const copy = await caches.match(request, { cacheName: APP_CACHE, ignoreSearch: true });
  if (copy) return copy;
  const response = await fetch(request);
  if (response.ok) (await caches.open(APP_CACHE)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (isAreaMap(url)) {
    event.respondWith(areaMap(request));
  } else if (isPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (APP_PATHS.has(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

// A page asks for its other languages to be kept too, so that a language can be
// switched without a network, and for its area's map, which it may only show later.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep") return;
  event.waitUntil((async () => {
    const cache = await caches.open(PAGE_CACHE);
    for (const href of event.data.urls) {
      const url = new URL(href);
      if (url.origin !== location.origin) continue;
      if (isAreaMap(url)) {
        try {
          await areaMap(new Request(url.href));
        } catch {
          // Try again on the next visit.
        }
        continue;
      }
      if (!isPage(url)) continue;
      if (await cache.match(url.href)) continue;
      try {
        await keepPage(new Request(url.href, { credentials: "same-origin" }), await fetch(url.href));
      } catch {
        // Try again on the next visit.
      }
    }
  })());
});
