// Kiosk mode on a shared staff tablet. The resident sees the form and a status line,
// nothing else: no link out, no way to earlier answers. Staff controls open with a
// PIN set when kiosk mode starts, kept on the tablet only as a salted PBKDF2 hash and
// checked without a connection, with a growing wait after wrong tries. A file of
// unsent answers is sealed for the organisation: only the service can open it.

const PIN_KEY = "surveyservice-kiosk-pin";
const TRIES_KEY = "surveyservice-kiosk-tries";
const SAVED_KEY = "surveyservice-saved";
// Where the locked tablet belongs, and a mark that staff left it on purpose (this tab
// only): kiosk-guard.js sends every other page of the service back to the kiosk.
const URL_KEY = "surveyservice-kiosk-url";
const AWAY_KEY = "surveyservice-kiosk-away";
const ITERATIONS = 210000;
const FREE_TRIES = 3;
const IDLE_LOCK_MS = 120000;

const root = document.getElementById("kiosk");
// The form, or none on a kiosk page for a point that is closed or not yet open.
const form = document.getElementById("survey");
const language = document.documentElement.lang;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const msg = (name, values = {}) => fill(root.dataset[name], values);
// A text with a number: its forms by plural category, as the language's rules choose.
const plurals = new Intl.PluralRules(language);
const pluralMsg = (name, count, values = {}) => {
  const forms = JSON.parse(root.dataset[name]);
  return fill(forms[plurals.select(count)] ?? forms.other, { count, ...values });
};
const waitMsg = (seconds) => pluralMsg("msgPinWait", seconds, { seconds });
const $ = (selector) => root.querySelector(selector);

const toBase64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

function chunkedBase64(buffer) {
  // String.fromCharCode(...) of a large file would overflow the call stack.
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

async function pinHash(pin, salt, iterations) {
  const material = await crypto.subtle.importKey(
    "raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, 256);
}

function storedPin() {
  try {
    return JSON.parse(localStorage.getItem(PIN_KEY));
  } catch {
    return null;
  }
}

async function setPin(pin) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pinHash(pin, salt, ITERATIONS);
  localStorage.setItem(PIN_KEY, JSON.stringify({
    salt: toBase64(salt), hash: toBase64(hash), iterations: ITERATIONS,
  }));
  localStorage.removeItem(TRIES_KEY);
}

function tries() {
  try {
    return JSON.parse(localStorage.getItem(TRIES_KEY)) || { count: 0, until: 0 };
  } catch {
    return { count: 0, until: 0 };
  }
}

// 3 free tries, then 30 s, doubling with each further wrong try, up to 15 minutes.
function waitAfter(count) {
  return count < FREE_TRIES ? 0 : Math.min(30000 * 2 ** (count - FREE_TRIES), 900000);
}

async function checkPin(pin) {
  const stored = storedPin();
  if (!stored) return false;
  const hash = await pinHash(pin, fromBase64(stored.salt), stored.iterations);
  const given = new Uint8Array(hash);
  const expected = fromBase64(stored.hash);
  let difference = given.length ^ expected.length;
  for (let i = 0; i < given.length; i++) difference |= given[i] ^ expected[i];
  return difference === 0;
}

async function seal(text) {
  const publicKey = await crypto.subtle.importKey(
    "spki", fromBase64(root.dataset.sealKey), { name: "RSA-OAEP", hash: "SHA-256" },
    false, ["wrapKey"]);
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv }, key, new TextEncoder().encode(text));
  const wrapped = await crypto.subtle.wrapKey("raw", key, publicKey, { name: "RSA-OAEP" });
  return {
    format: "surveyservice-sealed",
    version: 1,
    key_id: root.dataset.sealKeyId,
    wrapped_key: toBase64(wrapped),
    iv: toBase64(iv),
    ciphertext: chunkedBase64(ciphertext),
  };
}

async function saveToFile(outbox) {
  const all = await outbox.items();
  const queue = JSON.stringify({
    format: "surveyservice-outbox",
    version: 1,
    responses: all.map(({ id, token, version, language, answers, channel, recordedAt }) => ({
      id, token, version, language, answers, channel, recorded_at: recordedAt,
    })),
  });
  const sealed = await seal(queue);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(sealed)], { type: "application/json" }));
  link.download = `unsent-answers-${new Date().toISOString().slice(0, 16).replace(":", "")}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  $("[data-file-status]").textContent = msg("msgFileSaved");
}

function age(ms) {
  const minutes = Math.round(ms / 60000);
  if (minutes < 1) return msg("msgJustNow");
  if (minutes < 90) return pluralMsg("msgMinutes", minutes);
  return pluralMsg("msgHours", Math.round(minutes / 60));
}

// What went wrong with the last send, in the page's language.
function problemText(error) {
  const status = error?.status;
  if (!status) return msg("msgOffline");
  if (status === 401) return msg("msgSignIn");
  if (status === 429) return msg("msgBusy");
  if (status >= 500) return msg("msgServer", { status });
  return msg("msgRefused", { status });
}

async function showStatus(outbox) {
  const { waiting, photos, attention, oldest, lastSync, signIn } = await outbox.summary();
  $("[data-waiting]").textContent = photos
    ? `${waiting} (${pluralMsg("msgPhotos", photos)})`
    : String(waiting);
  $("[data-oldest]").textContent = oldest ? age(Date.now() - oldest) : "–";
  $("[data-last-sync]").textContent =
    lastSync
      ? new Date(lastSync).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" })
      : msg("msgNever");
  $("[data-sign-in]").hidden = !(signIn && waiting);
  const list = $("[data-attention]");
  list.replaceChildren(...attention.map((item) => {
    const li = document.createElement("li");
    li.textContent = `${new Date(item.queuedAt).toLocaleString(language)}: ${item.message}`;
    return li;
  }));
  list.closest("section").hidden = attention.length === 0;
}

const pageParts = () => [form, ...document.querySelectorAll("main > h1, main > .intro, main > .notice")]
  .filter(Boolean);

function lockedView(locked) {
  $("#staff-panel").hidden = locked;
  $("#staff-open").hidden = !locked;
  for (const part of pageParts()) part.hidden = false;
}

function setupView() {
  // Until a PIN is set the tablet shows only the set-up: no form to hand over yet.
  for (const part of pageParts()) part.hidden = true;
  $("#pin-setup").hidden = false;
  $("#pin-new").focus();
}

function remember() {
  localStorage.setItem(URL_KEY, root.dataset.startUrl);
  sessionStorage.removeItem(AWAY_KEY);
}

function startSetup(onDone) {
  const setup = $("#pin-setup");
  const error = $("#pin-setup-error");
  setupView();
  setup.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pin = $("#pin-new").value;
    const again = $("#pin-again").value;
    error.hidden = true;
    if (!/^[0-9]{4,12}$/.test(pin)) {
      error.textContent = msg("msgPinShort");
      error.hidden = false;
      return;
    }
    if (pin !== again) {
      error.textContent = msg("msgPinDiffer");
      error.hidden = false;
      return;
    }
    await setPin(pin);
    remember();
    setup.reset();
    setup.hidden = true;
    onDone();
    // The set-up had the focus; give it to the top of the form.
    const heading = document.querySelector("main > h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  });
}

function startUnlock() {
  const dialog = $("#unlock");
  const input = $("#pin");
  const error = $("#unlock-error");
  let idle = null;

  const lock = () => {
    clearTimeout(idle);
    lockedView(true);
  };
  const stayAwake = () => {
    clearTimeout(idle);
    idle = setTimeout(lock, IDLE_LOCK_MS);
  };

  $("#staff-open").addEventListener("click", () => {
    input.value = "";
    const { until } = tries();
    error.textContent = until > Date.now()
      ? waitMsg(Math.ceil((until - Date.now()) / 1000)) : "";
    dialog.showModal();
    input.focus();
  });
  $("#unlock-cancel").addEventListener("click", () => dialog.close());
  let checking = false;
  $("#unlock-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    // One try at a time: a PIN typed again while the last is being checked waits.
    if (checking) return;
    const state = tries();
    if (state.until > Date.now()) {
      error.textContent = waitMsg(Math.ceil((state.until - Date.now()) / 1000));
      return;
    }
    // Counted as wrong before the check, so that no try escapes the count.
    const count = state.count + 1;
    const wait = waitAfter(count);
    localStorage.setItem(TRIES_KEY, JSON.stringify({ count, until: wait ? Date.now() + wait : 0 }));
    checking = true;
    $("#unlock-button").disabled = true;
    let right = false;
    try {
      right = await checkPin(input.value);
    } finally {
      checking = false;
      $("#unlock-button").disabled = false;
    }
    if (right) {
      localStorage.removeItem(TRIES_KEY);
      dialog.close();
      lockedView(false);
      $("#staff-panel-heading").setAttribute("tabindex", "-1");
      $("#staff-panel-heading").focus();
      stayAwake();
      return;
    }
    error.textContent = wait
      ? `${msg("msgPinWrong")} ${waitMsg(Math.ceil(wait / 1000))}`
      : msg("msgPinWrong");
    input.value = "";
    input.focus();
  });
  $("#lock").addEventListener("click", () => {
    lock();
    $("#staff-open").focus();
  });
  $("#leave-kiosk").addEventListener("click", () => {
    localStorage.removeItem(PIN_KEY);
    localStorage.removeItem(URL_KEY);
    location.replace(root.dataset.leaveUrl);
  });
  // Staff going elsewhere on purpose (another point, signing in again) may stay there
  // in this tab; the tablet is sent back to the kiosk once it opens again.
  for (const link of root.querySelectorAll("[data-away]")) {
    link.addEventListener("click", () => sessionStorage.setItem(AWAY_KEY, "1"));
  }
  $("#staff-panel").addEventListener("click", stayAwake);
  $("#staff-panel").addEventListener("keydown", stayAwake);
}

export function start(outbox, trigger) {
  if (!crypto.subtle) {
    // Plain HTTP on a network address: no WebCrypto, so nothing can be locked or sealed.
    if (form) form.hidden = true;
    const saved = $("#kiosk-saved");
    saved.textContent = msg("msgInsecure");
    saved.classList.add("problem");
    return;
  }
  if (outbox) {
    const update = () => showStatus(outbox);
    outbox.onChange(update);
    setInterval(update, 30000);
    update();
    $("#send-now").addEventListener("click", trigger);
    $("#save-file").addEventListener("click", () => saveToFile(outbox));
  }
  startUnlock();
  if (storedPin()) {
    remember();
    lockedView(true);
  } else {
    startSetup(() => lockedView(true));
  }
  if (sessionStorage.getItem(SAVED_KEY)) {
    sessionStorage.removeItem(SAVED_KEY);
    // Set once the page is shown, so that screen readers announce it.
    setTimeout(() => { $("#kiosk-saved").textContent = msg("msgSaved"); }, 100);
  }
}

// After each send: say what went wrong, in the page's language, or nothing.
export function sent(result) {
  $("[data-problem]").textContent = result.ok ? "" : problemText(result.error);
}

export const SAVED = SAVED_KEY;

// A kiosk page without a form (the point is closed, or not open yet) starts itself:
// the status, the queue and the staff controls still work there.
if (!form) {
  const csrfToken = document.querySelector("meta[name=csrf-token]")?.content ?? null;
  import("./outbox.js").then(async (outbox) => {
    await outbox.summary();
    start(outbox, outbox.keepSending({ csrfToken }, sent));
    outbox.keep();
  }).catch(() => start(null, () => {}));
}
