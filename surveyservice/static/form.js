// The resident form, improved: show_if logic, checks in the page and sending as JSON.
// Without this script the form still works: it posts to the server, which checks
// everything again and stores the answer. A walk (a form with a group of stops) needs
// it: its entries, positions and photos are made here, and kept on the device as a
// draft while they are entered.

import { images, setUpPhotos } from "./photos.js";
import { setUpPosition } from "./position.js";
import {
  labelOf, markProblem, problemOf, rawAnswers, visibleOf, writeAnswer,
} from "./questions.js";
import { setUpGroup } from "./walk.js";

const form = document.getElementById("survey");
const summary = document.getElementById("error-summary");
const status = document.getElementById("send-status");
// The walk's own questions: those of a group's entries are inside it.
const questions = [...form.querySelectorAll(":scope > .q")];
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const msg = (name, values = {}) => fill(form.dataset[name], values);
// A text with a number: its forms by plural category (one, two, few, …), as the
// language's rules choose them (Arabic has six).
const plurals = new Intl.PluralRules(form.dataset.language);
const pluralMsg = (name, count, values = {}) => {
  const forms = JSON.parse(form.dataset[name]);
  return fill(forms[plurals.select(count)] ?? forms.other, { count, ...values });
};

const kiosk = "kiosk" in form.dataset;
// The coordinators' preview of a draft: the same checks, and nothing is sent or kept.
const preview = "preview" in form.dataset;
const groups = questions.filter((q) => q.dataset.type === "group");
const plain = questions.filter((q) => q.dataset.type !== "group");

// The answers of the questions that are shown, in order; hides the others. A group's
// answer here is its entries as entered; send() checks them.
function visibleAnswers() {
  return visibleOf(questions, rawAnswers(questions), {}, { hide: true });
}

// What a group's entries may refer to in their conditions: the walk's own answers.
const walkAnswers = () => visibleOf(plain, rawAnswers(plain));

function summaryItem(href, text) {
  const link = document.createElement("a");
  link.href = href;
  link.textContent = text;
  const item = document.createElement("li");
  item.append(link);
  return item;
}

// Problems of the walk's own questions (a Map), and of the entries of its groups
// ([{group, index, question, problem}]).
function showProblems(problems, entryProblems = []) {
  for (const q of questions) markProblem(q, problems.get(q));
  for (const group of groups) {
    group.showEntryProblems?.(entryProblems.filter((p) => p.group === group));
  }
  summary.replaceChildren();
  const count = problems.size + entryProblems.length;
  summary.hidden = count === 0;
  if (!count) return;
  const heading = document.createElement("h2");
  heading.textContent = pluralMsg("msgSummary", count);
  const list = document.createElement("ul");
  for (const [q, problem] of problems) list.append(summaryItem(`#${q.id}`, `${labelOf(q)}: ${problem}`));
  for (const { group, index, question, problem } of entryProblems) {
    // The open entry's field, or the entry in the list.
    const href = group.editing() === index ? `#${question.id}` : `#${group.id}-entry-${index + 1}`;
    list.append(summaryItem(href, msg("msgEntryProblem", {
      entry: group.entryName(index), question: labelOf(question), problem,
    })));
  }
  summary.append(heading, list);
  summary.focus();
}

// The server's problems ("answers.<id>" or "answers.<group>.<index>.<id>") on the
// fields they are about.
function showServerProblems(paths) {
  const problems = new Map();
  const entryProblems = [];
  for (const path of Object.keys(paths || {})) {
    const [root, qid, index, sub] = path.split(".");
    if (root !== "answers") continue;
    const q = questions.find((x) => x.dataset.id === qid);
    if (!q) continue;
    const question = sub && q.entryQuestion?.(sub);
    if (question && /^\d+$/.test(index)) {
      entryProblems.push({ group: q, index: Number(index), question, problem: msg("msgInvalid") });
    } else {
      problems.set(q, msg("msgInvalid"));
    }
  }
  showProblems(problems, entryProblems);
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Plain HTTP on a LAN address is not a secure context: build a v4 UUID by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const csrfToken = document.querySelector("meta[name=csrf-token]")?.content ?? null;
const done = document.getElementById("done");
let dirty = false;

function thank(state, message = "") {
  // The honest state of a resident's answer: sent, kept on this phone, or refused.
  form.hidden = true;
  summary.hidden = true;
  done.hidden = false;
  for (const part of done.querySelectorAll("[data-state]")) {
    part.hidden = part.dataset.state !== state;
  }
  const detail = done.querySelector("[data-detail]");
  if (detail) detail.textContent = message;
  done.querySelector("h2, h1")?.focus();
}

async function stateOf(id) {
  const { items } = await import("./outbox.js");
  const item = (await items()).find((i) => i.id === id);
  if (!item) return ["sent", ""];
  return item.state === "attention" ? ["refused", item.message] : ["queued", ""];
}

// Every photo the answers name, with its image, to go into the outbox with them.
function photosIn(answers) {
  const ids = [];
  const collect = (q, value) => {
    if (q.dataset.type === "photo") ids.push(...value);
  };
  for (const q of plain) if (q.dataset.id in answers) collect(q, answers[q.dataset.id]);
  for (const group of groups) {
    for (const entry of answers[group.dataset.id] || []) {
      for (const [id, value] of Object.entries(entry)) collect(group.entryQuestion(id), value);
    }
  }
  return ids.filter((id) => images.has(id)).map((id) => ({ id, blob: images.get(id) }));
}

async function send(event) {
  event.preventDefault();
  const answers = visibleAnswers();
  const problems = new Map();
  const entryProblems = [];
  for (const q of questions) {
    if (q.hidden) continue;
    if (q.dataset.type === "group") {
      const { value, problems: inEntries } = q.collect();
      if (value.length) answers[q.dataset.id] = value;
      else delete answers[q.dataset.id];
      entryProblems.push(...inEntries.map((p) => ({ ...p, group: q })));
    }
    const problem = problemOf(q, answers[q.dataset.id], msg);
    if (problem) problems.set(q, problem);
  }
  showProblems(problems, entryProblems);
  if (problems.size || entryProblems.length) return;
  if (preview) {
    status.textContent = msg("msgPreview");
    return;
  }
  const { token, version, language, channel } = form.dataset;
  const item = {
    id: newId(), token, version: Number(version), language, answers, channel,
    recordedAt: new Date().toISOString(),
  };
  answeredHere.add(item.id);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  status.textContent = msg("msgSending");
  // The last person's confirmation goes as this person's answer is being kept.
  const saved = document.getElementById("kiosk-saved");
  if (saved) saved.textContent = "";
  let outbox = null;
  const photos = photosIn(answers);
  try {
    outbox = await import("./outbox.js");
    // No draft is written after this: the walk moves into the outbox as it is.
    finished = true;
    await saving;
    await outbox.enqueue(item, { photos, draft: drafts ? draftKey : null });
  } catch {
    outbox = null;  // No storage on this device (a private window, a full disk).
    finished = false;
  }
  if (outbox && drafts && await refusedAtOnce(outbox, item.id)) {
    button.disabled = false;
    status.textContent = "";
    return;
  }
  if (outbox && kiosk) {
    // Kept safely: a clean start for the next person, in the default language, and
    // no way back to this person's answers: the page replaces itself in the history.
    sessionStorage.setItem("surveyservice-saved", "1");
    location.replace(form.dataset.startUrl);
    return;
  }
  if (outbox) {
    try {
      await outbox.send({ csrfToken });
    } catch {
      // Kept in the outbox; sent when the connection returns.
    }
    const [state, message] = await stateOf(item.id);
    thank(state, message);
    if (state === "queued") {
      outbox.keep();
      // Say so as soon as the answer has gone after all.
      outbox.onChange(async () => {
        const [now, detail] = await stateOf(item.id);
        if (now !== "queued") thank(now, detail);
      });
    }
    return;
  }
  // Nothing can be kept on this device: send now, and keep the form until it went.
  try {
    const headers = { "Content-Type": "application/json" };
    if (csrfToken) headers["X-CSRFToken"] = csrfToken;
    for (const { id, blob } of photos) {
      const put = await fetch(`/api/v1/collect/${token}/photos/${id}`, {
        method: "PUT", headers: { ...headers, "Content-Type": blob.type || "image/jpeg" }, body: blob,
      });
      if (!put.ok) throw new Error(`HTTP ${put.status}`);
    }
    const response = await fetch(`/api/v1/collect/${token}/responses`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        id: item.id, version: item.version, language, answers, channel,
        recorded_at: item.recordedAt,
      }),
    });
    if (response.ok) {
      if (kiosk) {
        sessionStorage.setItem("surveyservice-saved", "1");
        location.replace(form.dataset.startUrl);
      } else {
        thank("sent");
      }
      return;
    }
    status.textContent = msg("msgFailed");
  } catch {
    status.textContent = msg("msgFailed");
  } finally {
    button.disabled = false;
  }
}

async function watchVersion(attempt = 0) {
  // A new version is picked up at the next online moment, but never under a half-filled
  // form: answers are stored against the version they were given on.
  if (dirty || !navigator.onLine) return;
  try {
    const response = await fetch(`/api/v1/collect/${form.dataset.token}`, { cache: "no-store" });
    if (!response.ok) return;
    const { version } = await response.json();
    if (version === Number(form.dataset.version)) return;
    // The new page is fetched before this one is replaced, and so becomes the device's
    // copy: a connection that is back only in part, or drops again, must not bring the
    // old version back with the reload, with nothing left to try again.
    const page = await fetch(location.href, { cache: "no-store" });
    const fresh = new DOMParser().parseFromString(await page.text(), "text/html");
    if (Number(fresh.getElementById("survey")?.dataset.version) === version) {
      if (!dirty) location.reload();
      return;
    }
  } catch {
    // Offline after all: tried again below.
  }
  if (attempt < 4) setTimeout(() => watchVersion(attempt + 1), 2000 * 2 ** attempt);
}

// The answers given on this page: the thanks speak of them, the notice of earlier ones.
const answeredHere = new Set();

async function showPending(outbox) {
  // A resident who answered here before without a connection is told the answer
  // waits on the phone, and told again once it has gone.
  const notice = document.getElementById("pending");
  if (!notice) return;
  const mine = (await outbox.items())
    .filter((i) => i.token === form.dataset.token && i.state === "waiting"
      && !answeredHere.has(i.id)).length;
  if (mine) {
    notice.textContent = notice.dataset.msgWaiting;
    notice.hidden = false;
    notice.dataset.shown = "1";
  } else if (notice.dataset.shown) {
    notice.textContent = notice.dataset.msgSent;
  }
}

async function startOutbox() {
  let outbox;
  try {
    outbox = await import("./outbox.js");
    await outbox.summary();
  } catch {
    outbox = null;  // No storage on this device (a private window, a full disk).
  }
  const panel = kiosk ? await import("./kiosk.js") : null;
  if (!outbox) {
    panel?.start(null, () => {});
    return;
  }
  const pending = () => showPending(outbox);
  outbox.onChange(pending);
  const trigger = outbox.keepSending({ csrfToken }, (result) => {
    panel?.sent(result);
    pending();
  });
  panel?.start(outbox, trigger);
  if (kiosk) outbox.keep();
  pending();
}

if (kiosk) {
  form.setAttribute("autocomplete", "off");
  for (const link of document.querySelectorAll(".languages a")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      location.replace(link.href);
    });
  }
}

if ("serviceWorker" in navigator && !preview) {
  navigator.serviceWorker.register("/sw.js").then(async () => {
    const registration = await navigator.serviceWorker.ready;
    // A staff tablet keeps the form in every language; a resident's phone keeps only
    // the language it was opened in, to spare the resident's mobile data.
    const others = kiosk
      ? [...document.querySelectorAll(".languages a")].map((a) => a.getAttribute("href"))
      : [];
    const urls = [location.pathname + location.search, ...others]
      .map((href) => new URL(href, location.href).href);
    registration.active?.postMessage({ type: "keep", urls });
  }).catch(() => {});
}

// --- the draft: a walk as far as it was entered, kept on the device ----------------

// One walk per collection point and channel: a staff tablet and a resident's phone
// are different devices anyway, a language switch keeps the walk.
const drafts = "drafts" in form.dataset && !preview;
const draftKey = `${form.dataset.token}:${form.dataset.channel}`;
let saving = Promise.resolve();
let finished = false;

function draftNow() {
  const answers = rawAnswers(questions);
  const ids = new Set();
  const addIds = (value) => {
    for (const id of Array.isArray(value) ? value : []) if (images.has(id)) ids.add(id);
  };
  for (const q of plain) if (q.dataset.type === "photo") addIds(answers[q.dataset.id]);
  for (const group of groups) {
    for (const entry of answers[group.dataset.id] || []) {
      for (const [id, value] of Object.entries(entry)) {
        if (group.entryQuestion(id)?.dataset.type === "photo") addIds(value);
      }
    }
  }
  return {
    key: draftKey,
    token: form.dataset.token,
    channel: form.dataset.channel,
    version: Number(form.dataset.version),
    language: form.dataset.language,
    answers,
    editing: groups.map((g) => g.editing()),
    photos: Object.fromEntries([...ids].map((id) => [id, images.get(id)])),
  };
}

// Every change is written at once, in a transaction of its own started right away
// (IndexedDB runs them in the order they were started, so the latest state is the one
// kept): a reload, a closed tab or a flat battery loses nothing. The form's
// data-draft says "saved" once every write is on disk.
let outboxModule = null;
let writing = 0;
function saveDraft() {
  if (!drafts || finished) return;
  const draft = draftNow();
  writing += 1;
  form.dataset.draft = "saving";
  const write = (async () => {
    outboxModule ??= await import("./outbox.js");
    await outboxModule.saveDraft(draft);
  })().catch(() => {}).finally(() => {
    writing -= 1;
    if (!writing) form.dataset.draft = "saved";
  });
  saving = Promise.all([saving, write]);
}

function restore(draft) {
  for (const [id, blob] of Object.entries(draft.photos || {})) images.set(id, blob);
  for (const q of questions) writeAnswer(q, draft.answers[q.dataset.id]);
  visibleAnswers();
  groups.forEach((group, i) => group.openEntry(draft.editing?.[i] ?? null));
}

async function restoreDraft() {
  if (!drafts) return;
  let draft = null;
  try {
    const outbox = await import("./outbox.js");
    draft = await outbox.loadDraft(draftKey);
  } catch {
    return;  // No storage on this device: nothing was kept either.
  }
  if (!draft || !Object.keys(draft.answers || {}).length) return;
  restore(draft);
  dirty = true;
  const notice = document.getElementById("restored");
  notice.hidden = false;
  // Set once the page is shown, so that screen readers announce it.
  setTimeout(() => { notice.textContent = msg("msgRestored"); }, 100);
}

// A walk the service refused as soon as it was sent: back into the form, with the
// fields it is about marked, instead of waiting unseen in the outbox.
async function refusedAtOnce(outbox, id) {
  if (!navigator.onLine) return false;
  try {
    await Promise.race([
      outbox.send({ csrfToken }),
      new Promise((resolve) => setTimeout(resolve, 15000)),
    ]);
  } catch {
    return false;  // Not sent: it waits in the outbox.
  }
  const item = (await outbox.items()).find((i) => i.id === id);
  if (item?.state !== "attention" || !item.problems) return false;
  const back = await outbox.takeBack(id);
  if (!back) return false;
  finished = false;
  for (const photo of back.photos) images.set(photo.id, photo.blob);
  for (const q of questions) writeAnswer(q, item.answers[q.dataset.id]);
  visibleAnswers();
  saveDraft();
  showServerProblems(item.problems);
  return true;
}

const announcer = document.getElementById("send-status");
const changed = (q) => () => {
  dirty = true;
  q.closest(".q[data-type=group]")?.entryChanged?.();
  visibleAnswers();
  saveDraft();
};

for (const note of form.querySelectorAll("[data-condition-note]")) note.hidden = true;
const mapConfig = form.dataset.areaMap ? JSON.parse(form.dataset.areaMap) : null;
for (const group of groups) {
  setUpGroup(group, {
    msg,
    context: walkAnswers,
    changed: () => { dirty = true; saveDraft(); },
    announce: (text) => { announcer.textContent = text; },
  });
}
for (const q of form.querySelectorAll(".q[data-type=location]")) {
  // Staff positions of places in a walk's stops keep their precision; any other
  // position is rounded on the server, and the page says so.
  const staff = kiosk && Boolean(q.parentElement.closest(".q[data-type=group]"));
  setUpPosition(q, { msg, staff, mapConfig, changed: changed(q) });
}
for (const q of form.querySelectorAll(".q[data-type=photo]")) {
  setUpPhotos(q, { msg, newId, changed: changed(q) });
}
form.addEventListener("input", () => { dirty = true; visibleAnswers(); saveDraft(); });
form.addEventListener("change", (event) => {
  dirty = true;
  visibleAnswers();
  saveDraft();
  // "Choose at most two": say so as the third box is ticked, not only on sending.
  const q = event.target.closest?.(".q[data-max-choices]");
  if (q) {
    const chosen = q.querySelectorAll("input:checked").length;
    const tooMany = chosen > Number(q.dataset.maxChoices);
    const error = q.querySelector(".error");
    const message = msg("msgTooMany", { limit: q.dataset.maxChoices });
    if (tooMany) {
      markProblem(q, message);
      status.textContent = message;  // a live region: screen readers hear it at once
    } else if (error.textContent === message) {
      markProblem(q, null);
      status.textContent = "";
    }
  }
});
form.addEventListener("submit", send);
// A page from the network is current; one from the device's copy is checked when the
// connection returns.
visibleAnswers();
restoreDraft();
if (!preview) {
  addEventListener("online", () => watchVersion());
  startOutbox();
}
