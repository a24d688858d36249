// After signing out, forget the staff pages the service worker kept for this
// person: on a shared tablet the next person must not see them. Queued answers
// stay in the outbox; they are not pages.
if ("caches" in self) {
  caches.open("pages").then(async (cache) => {
    for (const request of await cache.keys()) {
      if (new URL(request.url).pathname.startsWith("/staff/")) await cache.delete(request);
    }
  });
}
