// The outbox: every answer is kept in IndexedDB on this device until the server has
// acknowledged it (201 stored, 200 stored before). Only one tab or worker sends at a
// time (Web Locks), so two open tabs never send the same answer at once; the
// server's replay rule makes a resend after a cut connection harmless anyway.
//
// A walk's photos wait with it, in a store of their own, and go first: one at a time,
// each remembered once the server has it, so that a cut connection resumes with the
// next photo and the response names only photos the server acknowledged. The form's
// drafts (a walk as far as it was entered) live in the same database, so that a walk
// moves from its draft into the outbox in one transaction.

const DB_NAME = "surveyservice";
// 1: outbox, meta. 2: drafts, photos.
const DB_VERSION = 2;
const PHOTO_TIMEOUT_MS = 60000;
const LOCK = "surveyservice-outbox";
const BATCH = 100;
const channel = "BroadcastChannel" in self ? new BroadcastChannel("surveyservice-outbox") : null;

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

let opened;
function database() {
  opened ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(DB_NAME, DB_VERSION);
    r.onupgradeneeded = (event) => {
      // Each step only adds: answers queued under an older version stay queued.
      const db = r.result;
      if (event.oldVersion < 1) {
        db.createObjectStore("outbox", { keyPath: "id" });
        db.createObjectStore("meta", { keyPath: "key" });
      }
      if (event.oldVersion < 2) {
        db.createObjectStore("drafts", { keyPath: "key" });
        db.createObjectStore("photos", { keyPath: "id" }).createIndex("item", "item");
      }
    };
    // Another tab opens a newer version of the database: let it, and open again.
    r.onblocked = () => {};
    r.onsuccess = () => {
      r.result.onversionchange = () => {
        r.result.close();
        opened = null;
      };
      resolve(r.result);
    };
    r.onerror = () => {
      opened = null;  // try opening again next time
      reject(r.error);
    };
  });
  return opened;
}

async function store(name, mode = "readonly") {
  // "strict": a write counts as done only once it is on disk.
  return (await database()).transaction(name, mode, { durability: "strict" }).objectStore(name);
}

function committed(objectStore) {
  const transaction = objectStore.transaction;
  return new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

function changed() {
  channel?.postMessage("changed");
  self.dispatchEvent?.(new Event("outbox-changed"));
}

export function onChange(listener) {
  channel?.addEventListener("message", listener);
  self.addEventListener("outbox-changed", listener);
}

/** Queues an answer, with its photos ([{id, blob}]); the draft it came from (its key)
 * goes in the same transaction, so the walk is never in both places or in neither. */
export async function enqueue(item, { photos = [], draft = null } = {}) {
  const transaction = (await database()).transaction(
    ["outbox", "photos", "drafts"], "readwrite", { durability: "strict" });
  const outbox = transaction.objectStore("outbox");
  outbox.put({
    ...item, photos: photos.map((p) => p.id), state: "waiting", queuedAt: Date.now(), message: null,
  });
  for (const { id, blob } of photos) {
    transaction.objectStore("photos").put({ id, item: item.id, token: item.token, blob, sent: false });
  }
  if (draft) transaction.objectStore("drafts").delete(draft);
  await committed(outbox);
  changed();
}

// --- drafts: a walk as far as it was entered, per collection point and channel ---

export async function saveDraft(draft) {
  const drafts = await store("drafts", "readwrite");
  drafts.put({ ...draft, savedAt: Date.now() });
  await committed(drafts);
}

export async function loadDraft(key) {
  return (await request((await store("drafts")).get(key))) ?? null;
}

export async function deleteDraft(key) {
  const drafts = await store("drafts", "readwrite");
  drafts.delete(key);
  await committed(drafts);
}

/** Takes a refused answer out of the outbox with its photos, to be corrected in the form. */
export async function takeBack(id) {
  const transaction = (await database()).transaction(
    ["outbox", "photos"], "readwrite", { durability: "strict" });
  const outbox = transaction.objectStore("outbox");
  const photos = transaction.objectStore("photos");
  const item = await request(outbox.get(id));
  const kept = item ? await request(photos.index("item").getAll(id)) : [];
  if (item) outbox.delete(id);
  for (const photo of kept) photos.delete(photo.id);
  await committed(outbox);
  changed();
  return item ? { item, photos: kept } : null;
}

async function photosOf(itemId) {
  return request((await store("photos")).index("item").getAll(itemId));
}

export async function items() {
  return request((await store("outbox")).getAll());
}

async function getMeta(key) {
  return (await request((await store("meta")).get(key)))?.value ?? null;
}

async function setMeta(key, value) {
  const meta = await store("meta", "readwrite");
  meta.put({ key, value });
  await committed(meta);
}

export async function summary() {
  const all = await items();
  const waiting = all.filter((i) => i.state === "waiting");
  const photos = await request((await store("photos")).getAll());
  const waitingIds = new Set(waiting.map((i) => i.id));
  return {
    // A walk is one answer, however many stops and photos it has; its photos that the
    // service does not have yet are counted apart.
    waiting: waiting.length,
    photos: photos.filter((p) => !p.sent && waitingIds.has(p.item)).length,
    attention: all.filter((i) => i.state === "attention"),
    oldest: waiting.length ? Math.min(...waiting.map((i) => i.queuedAt)) : null,
    lastSync: await getMeta("lastSync"),
    signIn: await getMeta("signIn"),
  };
}

async function settle(results, byId) {
  const transaction = (await database()).transaction(
    ["outbox", "photos"], "readwrite", { durability: "strict" });
  const outbox = transaction.objectStore("outbox");
  const done = [];
  const signIn = results.some((r) => r.status === 401);
  for (const result of results) {
    const item = byId.get(result.id);
    if (!item) continue;
    if (result.status === 200 || result.status === 201) {
      outbox.delete(item.id);
      for (const photo of item.photos || []) transaction.objectStore("photos").delete(photo);
      done.push(item.id);
    } else if (result.status === 429 || result.status >= 500 || result.status === 401) {
      // Not this answer's fault: try again later.
    } else {
      outbox.put({
        ...item, state: "attention", message: result.message || `HTTP ${result.status}`,
        problems: result.errors?.json ?? null,
      });
    }
  }
  await committed(outbox);
  await setMeta("signIn", signIn);
  return done;
}

async function refusal(response) {
  if (response.status === 413) return ["Too large to send.", null];
  try {
    const body = await response.json();
    return [body.message || `HTTP ${response.status}`, body.errors?.json ?? null];
  } catch {
    return [`HTTP ${response.status}`, null];
  }
}

function markRefused(item, [message, problems]) {
  return store("outbox", "readwrite").then((outbox) => {
    outbox.put({ ...item, state: "attention", message, problems });
    return committed(outbox);
  });
}

// Sends an answer's photos that the server has not acknowledged yet, one at a time.
// True when all are there; false when one was refused (the answer then needs
// attention); throws when the network or the server failed (try again later).
async function sendPhotos(item, headers) {
  const order = item.photos || [];
  const photos = (await photosOf(item.id)).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  for (const photo of photos) {
    if (photo.sent) continue;
    const response = await fetch(`/api/v1/collect/${item.token}/photos/${photo.id}`, {
      method: "PUT",
      headers: { ...headers, "Content-Type": photo.blob.type || "image/jpeg" },
      credentials: "same-origin",
      signal: AbortSignal.timeout?.(PHOTO_TIMEOUT_MS),
      body: photo.blob,
    });
    if (response.status === 200 || response.status === 201) {
      const photos = await store("photos", "readwrite");
      photos.put({ ...photo, sent: true });
      await committed(photos);
      changed();
      continue;
    }
    // Refused for good: another photo has this id (409), too large (413), not an
    // image the service reads (422), no such point (404). Anything else (sign in again,
    // busy, a server error) is tried again later, as the answers are.
    if (![404, 409, 413, 422].includes(response.status)) {
      throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
    }
    const [message] = await refusal(response);
    await markRefused(item, [message, null]);
    return false;
  }
  return true;
}

// Send what waits, one batch per collection point at a time. Resolves with the ids
// the server acknowledged; rejects when the network or the server failed, so that
// the caller backs off and tries again.
export async function send({ csrfToken = null } = {}) {
  const run = async () => {
    const waiting = (await items()).filter((i) => i.state === "waiting");
    const acknowledged = [];
    let failure = null;
    const byToken = new Map();
    for (const item of waiting) {
      if (!byToken.has(item.token)) byToken.set(item.token, []);
      byToken.get(item.token).push(item);
    }
    for (const [token, all] of byToken) {
      if (failure) break;
      const headers = csrfToken ? { "X-CSRFToken": csrfToken } : {};
      const queue = [];
      for (const item of all) {
        if (!item.photos?.length) {
          queue.push(item);
          continue;
        }
        try {
          if (await sendPhotos(item, headers)) queue.push(item);
        } catch (error) {
          failure = error;
          break;
        }
      }
      let size = BATCH;
      for (let start = 0; start < queue.length && !failure;) {
        const chunk = queue.slice(start, start + size);
        const headers = { "Content-Type": "application/json" };
        if (csrfToken) headers["X-CSRFToken"] = csrfToken;
        let response;
        try {
          response = await fetch(`/api/v1/collect/${token}/responses:batch`, {
            method: "POST",
            headers,
            credentials: "same-origin",
            // A stalled connection must not hold the lock, or the resident's page, forever.
            signal: AbortSignal.timeout?.(20000),
            body: JSON.stringify({
              responses: chunk.map(({ id, version, language, answers, channel, recordedAt }) => ({
                id, version, language, answers, channel, recorded_at: recordedAt,
              })),
            }),
          });
        } catch (error) {
          failure = error;
          break;
        }
        if (response.status === 413 || response.status === 422) {
          // The batch as a whole was refused: too large (long answers), or one answer
          // in it holds what the service never takes. Send fewer at a time to find
          // it; one alone that is still refused needs attention.
          if (chunk.length > 1) {
            size = Math.ceil(chunk.length / 2);
          } else {
            await markRefused(chunk[0], await refusal(response));
            start += 1;
          }
          continue;
        }
        if (!response.ok) {
          failure = Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
          break;
        }
        const { results } = await response.json();
        acknowledged.push(...await settle(results, new Map(chunk.map((i) => [i.id, i]))));
        changed();
        start += chunk.length;
      }
    }
    if (failure) throw failure;
    // "Last sent" means answers went: a round with nothing to send does not count.
    if (acknowledged.length) await setMeta("lastSync", Date.now());
    changed();
    return acknowledged;
  };
  return navigator.locks ? navigator.locks.request(LOCK, run) : run();
}

// Keep sending until nothing waits: now, when the connection returns, and after
// failures with a growing pause (2 s doubling to 5 min, with some jitter).
export function keepSending(options = {}, onResult = () => {}) {
  let delay = 2000;
  let timer = null;
  let running = false;
  let again = false;
  const attempt = async () => {
    clearTimeout(timer);
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    let ok = false;
    try {
      const acknowledged = await send(options);
      ok = true;
      onResult({ ok, acknowledged });
    } catch (error) {
      onResult({ ok, error });
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      timer = setTimeout(attempt, 0);
      return;
    }
    if (ok && !(await summary()).waiting) {
      delay = 2000;
      return;
    }
    timer = setTimeout(attempt, delay * (0.8 + Math.random() * 0.4));
    delay = Math.min(delay * 2, 300000);
  };
  self.addEventListener("online", () => {
    delay = 2000;
    attempt();
  });
  attempt();
  return attempt;
}

// Ask the browser not to evict the outbox when the device runs short of space.
export async function keep() {
  if (navigator.storage?.persist && !(await navigator.storage.persisted())) {
    await navigator.storage.persist();
  }
}
