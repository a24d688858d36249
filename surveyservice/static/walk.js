// A group question (the stops of a safety walk): a short list of the entries so far,
// one entry open at a time in the editor below it, removing one after a confirmation.
// Each entry is checked against the group's questions, its show_if conditions working
// on the entry's own answers (and the walk's).

import {
  focusTarget, holds, isAnswered, markProblem, problemOf, rawAnswers, visibleOf, writeAnswer,
} from "./questions.js";

export function setUpGroup(q, { msg, context, changed, announce }) {
  const box = q.querySelector("[data-group]");
  const list = box.querySelector("[data-entries]");
  const empty = box.querySelector("[data-empty]");
  const editor = box.querySelector("[data-editor]");
  const heading = editor.querySelector("[data-editor-heading]");
  const add = box.querySelector("[data-add-entry]");
  const dialog = box.querySelector("[data-remove-dialog]");
  const questions = [...editor.querySelectorAll(".q")];
  const byId = new Map(questions.map((sub) => [sub.dataset.id, sub]));
  const { label } = box.dataset;
  let entries = [];
  let editing = null;
  let removing = null;
  let returnFocus = null;

  box.hidden = false;
  const name = (index) => msg("msgEntry", { label, number: index + 1 });

  // The answer to one question of an entry in words: the option's label, the place's.
  function words(sub, value) {
    if (!isAnswered(value)) return "";
    const optionLabel = (v) => {
      const input = [...sub.querySelectorAll("input, option")].find((i) => i.value === String(v));
      return (input?.tagName === "OPTION" ? input.textContent : input?.closest("label")?.textContent)
        ?.trim() ?? String(v);
    };
    const { type } = sub.dataset;
    if (type === "location") {
      const parts = [];
      if (value.place) parts.push(optionLabel(value.place));
      if (value.lat !== undefined) {
        if (value.source === "map") parts.push(msg("msgPositionMap"));
        else if (value.accuracy !== undefined && "msgAccuracy" in document.getElementById("survey").dataset) {
          parts.push(msg("msgAccuracy", { metres: value.accuracy }));
        } else parts.push(`${value.lat.toFixed(4)}, ${value.lon.toFixed(4)}`);
      }
      return parts.join(", ");
    }
    if (type === "photo") return "";
    if (Array.isArray(value)) return value.map(optionLabel).join(", ");
    if (["single", "scale", "yesno"].includes(type)) {
      return optionLabel(type === "yesno" ? String(value) : value);
    }
    return String(value);
  }

  // Place, categories, severity: what the group names, or its first answers.
  function summary(entry) {
    const wanted = [];
    const place = questions.find((sub) => sub.dataset.type === "location");
    if (place) wanted.push(place);
    for (const key of ["category", "severity"]) {
      if (box.dataset[key] && byId.has(box.dataset[key])) wanted.push(byId.get(box.dataset[key]));
    }
    if (wanted.length < 2) {
      for (const sub of questions) {
        if (wanted.length >= 3) break;
        if (!wanted.includes(sub) && sub.dataset.type !== "photo" && isAnswered(entry[sub.dataset.id])) {
          wanted.push(sub);
        }
      }
    }
    const parts = wanted.map((sub) => words(sub, entry[sub.dataset.id])).filter(Boolean);
    return parts.length ? parts.join(" · ") : msg("msgEntryEmpty");
  }

  function render() {
    add.disabled = entries.length >= Number(box.dataset.maxEntries);
    empty.hidden = entries.length > 0;
    list.hidden = entries.length === 0;
    list.replaceChildren(...entries.map((entry, index) => {
      const item = document.createElement("li");
      item.id = `${q.id}-entry-${index + 1}`;
      if (index === editing) item.setAttribute("aria-current", "true");
      const text = document.createElement("p");
      const title = document.createElement("strong");
      title.textContent = name(index);
      const what = document.createElement("span");
      what.textContent = summary(entry);
      text.append(title, " ", what);
      const actions = document.createElement("p");
      actions.className = "actions";
      const button = (caption, action, className) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = className;
        b.dataset.action = action;
        // The visible word, and for a screen reader which entry it acts on.
        const hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = ` ${name(index)}`;
        b.append(caption, hidden);
        b.addEventListener("click", () => (action === "change" ? open(index) : askRemove(index, b)));
        return b;
      };
      // The entry open below needs no button to open it.
      if (index !== editing) actions.append(button(msg("msgChange"), "change", "secondary"));
      actions.append(button(msg("msgRemove"), "remove", "secondary danger"));
      item.append(text, actions);
      return item;
    }));
  }

  function refreshEditor() {
    visibleOf(questions, rawAnswers(questions), context(), { hide: true });
  }

  function open(index) {
    editing = index;
    for (const sub of questions) {
      writeAnswer(sub, entries[index][sub.dataset.id]);
      markProblem(sub, null);
    }
    heading.textContent = name(index);
    editor.hidden = false;
    add.hidden = true;
    refreshEditor();
    render();
    for (const sub of questions) sub.refreshMap?.();
    heading.focus();
    changed();
  }

  function close() {
    const index = editing;
    editing = null;
    editor.hidden = true;
    add.hidden = false;
    render();
    changed();
    return index;
  }

  /** The problems of one entry, by question. */
  function problemsOf(index) {
    const entry = entries[index];
    const outside = context();
    const shown = {};
    const problems = new Map();
    for (const sub of questions) {
      const conditions = sub.dataset.showIf ? JSON.parse(sub.dataset.showIf) : [];
      if (!conditions.every((c) => holds(c, { ...outside, ...shown }))) continue;
      const value = entry[sub.dataset.id];
      if (isAnswered(value)) shown[sub.dataset.id] = value;
      // The editor's own fields hold this entry only while it is open.
      const problem = problemOf(sub, value, msg, index === editing);
      if (problem) problems.set(sub, problem);
    }
    return problems;
  }

  function saveAndClose() {
    if (!Object.keys(entries[editing]).length) {
      // Added and left empty: no entry at all.
      entries.splice(close(), 1);
      render();
      changed();
      add.focus();
      return;
    }
    const problems = problemsOf(editing);
    for (const sub of questions) markProblem(sub, problems.get(sub));
    if (problems.size) {
      focusTarget(problems.keys().next().value).focus();
      return;
    }
    const index = close();
    list.querySelector(`#${q.id}-entry-${index + 1} [data-action=change]`)?.focus();
  }

  function askRemove(index, from) {
    removing = index;
    returnFocus = from;
    dialog.querySelector("[data-what]").textContent = `${name(index)}: ${summary(entries[index])}`;
    dialog.showModal();
    // The safe choice first: keeping the entry.
    dialog.querySelector("[data-cancel-remove]").focus();
  }

  dialog.querySelector("[data-cancel-remove]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (removing !== null) returnFocus?.focus();
    removing = null;
  });
  dialog.querySelector("[data-confirm-remove]").addEventListener("click", () => {
    const index = removing;
    const gone = name(index);
    removing = null;
    dialog.close();
    entries.splice(index, 1);
    if (editing === index) close();
    else if (editing !== null && editing > index) editing -= 1;
    if (editing !== null) heading.textContent = name(editing);
    render();
    changed();
    announce(msg("msgRemoved", { entry: gone }));
    const next = list.querySelectorAll("li")[Math.min(index, entries.length - 1)];
    (next?.querySelector("[data-action=change]") || add).focus();
  });

  add.addEventListener("click", () => {
    entries.push({});
    open(entries.length - 1);
  });
  editor.querySelector("[data-save-entry]").addEventListener("click", saveAndClose);
  const edited = () => {
    if (editing === null) return;
    entries[editing] = rawAnswers(questions);
    refreshEditor();
    changed();
  };
  editor.addEventListener("input", edited);
  editor.addEventListener("change", edited);
  q.entryChanged = edited;

  // What the draft keeps: every entry as entered, and the one that is open.
  q.readEntries = () => entries.map((entry) => ({ ...entry }));
  q.writeEntries = (value) => {
    entries = value.map((entry) => ({ ...entry }));
    editing = null;
    editor.hidden = true;
    add.hidden = false;
    render();
  };
  q.openEntry = (index) => {
    if (index !== null && index !== undefined && entries[index]) open(index);
  };
  q.editing = () => editing;

  /** The group's answer to send, or its problems: [{index, question, problem}]. */
  q.collect = () => {
    // An entry added and left empty is no entry.
    const kept = entries.filter((entry) => Object.keys(entry).length);
    if (kept.length !== entries.length) {
      const wasOpen = editing !== null && !Object.keys(entries[editing]).length;
      entries = kept;
      if (wasOpen) close();
      render();
    }
    const problems = [];
    const value = entries.map((entry, index) => {
      for (const [sub, problem] of problemsOf(index)) problems.push({ index, question: sub, problem });
      return visibleOf(questions, entry, context());
    });
    return { value, problems };
  };

  /** Opens the entry with a problem and shows it on its field. */
  q.showEntryProblems = (problems) => {
    if (!problems.length) return;
    const index = problems[0].index;
    if (editing !== index) open(index);
    for (const sub of questions) {
      const found = problems.find((p) => p.index === index && p.question === sub);
      markProblem(sub, found?.problem);
    }
  };
  q.entryName = name;
  q.entryQuestion = (id) => byId.get(id);
  render();
}
